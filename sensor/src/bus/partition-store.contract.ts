// The one contract every PartitionStore adapter passes: memory-partition-store.test.ts in-process,
// jetstream-partitions.int.test.ts on a real nats-server (KV buckets).
import { describe, expect, it } from "vitest";
import type { PartitionStore } from "./partition-store.ts";

/** How the contract gets a fresh store; `advance` lets time pass (a manual clock, or a real sleep). */
export interface PartitionStoreFactory {
  /** Every store of one case shares the same backing storage (they are two processor instances). */
  create(
    leaseTtlMs: number,
  ): Promise<{ stores: [PartitionStore, PartitionStore]; advance(ms: number): Promise<void>; dispose(): Promise<void> }>;
  /** TTL the cases use; real servers need one long enough for a round trip under load. */
  leaseTtlMs: number;
}

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array | undefined) => (b === undefined ? undefined : new TextDecoder().decode(b));

/** Run the PartitionStore contract against one adapter. */
export function partitionStoreContract(name: string, factory: PartitionStoreFactory): void {
  describe(`PartitionStore contract: ${name}`, () => {
    const ttl = factory.leaseTtlMs;
    const withStores = async (fn: (a: PartitionStore, b: PartitionStore, advance: (ms: number) => Promise<void>) => Promise<void>) => {
      const { stores, advance, dispose } = await factory.create(ttl);
      try {
        await fn(stores[0], stores[1], advance);
      } finally {
        await dispose();
      }
    };

    it("gives a partition to one owner at a time; the holder renews, the other is refused", async () => {
      await withStores(async (a, b) => {
        const lease = await a.acquire(3, "inst-a");
        expect(lease).toMatchObject({ partition: 3, owner: "inst-a" });
        expect(await b.acquire(3, "inst-b")).toBeUndefined();
        const renewed = await a.renew(lease!);
        expect(renewed!.revision).toBeGreaterThan(lease!.revision);
        expect(await a.renew(lease!)).toBeUndefined(); // a stale revision is not a lease
        expect(await b.owners()).toEqual(new Map([[3, "inst-a"]]));
        // The same instance id after a restart gets its own lease back without waiting for the TTL.
        expect(await b.acquire(3, "inst-a")).toMatchObject({ owner: "inst-a" });
      });
    });

    it("lets another owner take a lapsed lease; the old owner's renew then fails", async () => {
      await withStores(async (a, b, advance) => {
        const lease = await a.acquire(0, "inst-a");
        await advance(ttl * 0.5);
        expect(await b.acquire(0, "inst-b")).toBeUndefined();
        await advance(ttl * 0.5 + ttl * 0.6);
        const taken = await b.acquire(0, "inst-b");
        expect(taken).toMatchObject({ owner: "inst-b" });
        expect(await a.renew(lease!)).toBeUndefined();
      });
    });

    it("hands a released lease over at once", async () => {
      await withStores(async (a, b) => {
        const lease = await a.acquire(1, "inst-a");
        await a.release(lease!);
        expect(await b.acquire(1, "inst-b")).toMatchObject({ owner: "inst-b" });
        await a.release(lease!); // already gone: ignored
        expect(await a.owners()).toEqual(new Map([[1, "inst-b"]]));
      });
    });

    it("lists instances until their heartbeat lapses", async () => {
      await withStores(async (a, b, advance) => {
        await a.heartbeat("inst-a");
        await b.heartbeat("inst-b");
        expect(await a.instances()).toEqual(["inst-a", "inst-b"]);
        await advance(ttl * 0.6);
        await b.heartbeat("inst-b");
        await advance(ttl * 0.6);
        expect(await a.instances()).toEqual(["inst-b"]);
      });
    });

    it("round-trips snapshots, including large ones, and fences the previous claimant", async () => {
      await withStores(async (a, b) => {
        const first = await a.claimSnapshot(5, "inst-a");
        expect(first.data).toBeUndefined();
        const t1 = await a.saveSnapshot(5, "inst-a", bytes("state-1"), first.token);
        const big = new Uint8Array(700_000).map((_, i) => i % 251);
        const t2 = await a.saveSnapshot(5, "inst-a", big, t1);
        const claimB = await b.claimSnapshot(5, "inst-b");
        expect(Buffer.from(claimB.data!).equals(Buffer.from(big))).toBe(true);
        // inst-a has not noticed it lost the partition: its write must not land, in any size.
        await expect(a.saveSnapshot(5, "inst-a", bytes("late"), t2)).rejects.toMatchObject({ code: "BUS_PARTITION_FENCED" });
        await b.saveSnapshot(5, "inst-b", bytes("state-b"), claimB.token);
        expect(text((await a.claimSnapshot(5, "inst-a")).data)).toBe("state-b");
        // Partitions are independent.
        expect((await b.claimSnapshot(6, "inst-b")).data).toBeUndefined();
      });
    });
  });
}
