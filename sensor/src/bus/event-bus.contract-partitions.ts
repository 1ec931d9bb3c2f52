// Partition cases of the EventBus contract: a bus whose server (or in-process option) applies the partition
// mapping. memory.test.ts runs them in-process, jetstream-partitions.int.test.ts on a nats-server configured
// by scripts/services.sh (scripts/nats/mappings.sh).
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { uniqueTenantId } from "../../../test-support/services.ts";
import { partitionOf } from "./partitions.ts";
import type { BusMessage, ConsumerHandle, ConsumeOptions, EventBus } from "./port.ts";

/** How the partition cases get a fresh bus that maps events into `count` partitions. */
export interface PartitionedBusFactory {
  count: number;
  create(): Promise<EventBus>;
  dispose?(bus: EventBus): Promise<void>;
}

const WAIT = { timeout: 8000, interval: 20 };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Run the partition cases against one adapter. */
export function eventBusPartitionContract(name: string, factory: PartitionedBusFactory): void {
  describe(`EventBus partitions: ${name}`, () => {
    const P = factory.count;
    let bus: EventBus;
    const handles: ConsumerHandle[] = [];
    beforeEach(async () => {
      bus = await factory.create();
    });
    afterEach(async () => {
      for (const h of handles.splice(0)) await h.stop();
      await factory.dispose?.(bus);
      await bus.close();
    });
    const consume = async (o: Partial<ConsumeOptions> & Pick<ConsumeOptions, "handler" | "durable">) => {
      const h = await bus.consume({ filterSubject: "vigil.events.>", maxDeliver: 5, ackWaitMs: 400, maxInFlight: 4, ...o });
      handles.push(h);
      return h;
    };
    /** Tenants of this case, at least two of them in partition `p` and some elsewhere. */
    const tenants = (n: number) => Array.from({ length: n }, () => uniqueTenantId("pt"));

    it("reports the mapping the server applies", async () => {
      expect(await bus.partitionMapping?.()).toEqual({ count: P });
    });

    it("delivers each partition's events only to that partition's consumer, with logical subjects, each once", async () => {
      const ts = tenants(3 * P);
      const got = new Map<number, BusMessage[]>();
      const used = [...new Set(ts.map((t) => partitionOf(t, P)))];
      for (const p of used) {
        got.set(p, []);
        await consume({
          durable: `part-${p}`,
          partition: p,
          handler: async (m) => {
            got.get(p)!.push(m);
            await m.ack();
          },
        });
      }
      for (const [i, t] of ts.entries())
        await bus.publish(`vigil.events.${t}.${i % 2 ? "logon" : "group.membership"}`, JSON.stringify({ t, i }));
      await vi.waitFor(() => expect([...got.values()].reduce((n, l) => n + l.length, 0)).toBe(ts.length), WAIT);
      for (const [p, msgs] of got) {
        for (const m of msgs) {
          const t = m.json<{ t: string }>().t;
          expect(partitionOf(t, P)).toBe(p);
          expect(m.partition).toBe(p);
          expect(m.subject).toBe(`vigil.events.${t}.${m.json<{ i: number }>().i % 2 ? "logon" : "group.membership"}`);
        }
      }
      await sleep(600);
      expect(new Set([...got.values()].flat().map((m) => m.json<{ t: string }>().t)).size).toBe(ts.length);
    });

    it("still serves an unpartitioned consumer of one tenant, subjects logical, partition set", async () => {
      const [t] = tenants(1);
      const got: BusMessage[] = [];
      await consume({
        durable: "tenant",
        filterSubject: `vigil.events.${t}.>`,
        handler: async (m) => {
          got.push(m);
          await m.ack();
        },
      });
      // Two-token kinds are mapped like one-token ones.
      await bus.publish(`vigil.events.${t}.kerberos.tgs`, "{}");
      await bus.publish(`vigil.events.${t}.logon`, "{}");
      await vi.waitFor(() => expect(got).toHaveLength(2), WAIT);
      expect(got.map((m) => [m.subject, m.partition])).toEqual([
        [`vigil.events.${t}.kerberos.tgs`, partitionOf(t!, P)],
        [`vigil.events.${t}.logon`, partitionOf(t!, P)],
      ]);
    });

    it("fromAckFloor redelivers the unacked events first, in stream order, then new ones", async () => {
      const t = tenants(1)[0]!;
      const p = partitionOf(t, P);
      const first: number[] = [];
      const h = await consume({
        durable: `floor-${p}`,
        partition: p,
        maxInFlight: 1,
        ackWaitMs: 60_000,
        handler: async (m) => {
          const n = m.json<{ n: number }>().n;
          first.push(n);
          if (n !== 2 && n !== 3) await m.ack();
        },
      });
      for (const n of [1, 2, 3, 4]) await bus.publish(`vigil.events.${t}.logon`, JSON.stringify({ n }));
      await vi.waitFor(() => expect(first).toEqual([1, 2, 3, 4]), WAIT);
      await h.stop();
      handles.splice(handles.indexOf(h), 1);
      await bus.publish(`vigil.events.${t}.logon`, JSON.stringify({ n: 5 }));
      const second: Array<[number, number]> = [];
      await consume({
        durable: `floor-${p}`,
        partition: p,
        maxInFlight: 1,
        ackWaitMs: 60_000,
        fromAckFloor: true,
        handler: async (m) => {
          second.push([m.json<{ n: number }>().n, m.deliveryCount]);
          await m.ack();
        },
      });
      // 4 was acked but lies above the floor (2): it comes again, and the processor drops it by event id.
      await vi.waitFor(() => expect(second.map(([n]) => n)).toEqual([2, 3, 4, 5]), WAIT);
    });

    it("dead-letters with the logical subject", async () => {
      const t = tenants(1)[0]!;
      await consume({ durable: `dl-${partitionOf(t, P)}`, partition: partitionOf(t, P), maxDeliver: 1, handler: (m) => m.term("bad") });
      await bus.publish(`vigil.events.${t}.logon`, "{}");
      await vi.waitFor(async () => expect(await bus.readDeadLetters({ subject: `vigil.events.${t}.>` })).toHaveLength(1), WAIT);
      const [dl] = await bus.readDeadLetters({ subject: `vigil.events.${t}.>` });
      expect(dl).toMatchObject({ originalSubject: `vigil.events.${t}.logon`, reason: "bad" });
    });

    it("rejects a negative or fractional partition", async () => {
      await expect(consume({ durable: "bad", partition: -1, handler: () => {} })).rejects.toMatchObject({ code: "BUS_INVALID_OPTIONS" });
      await expect(consume({ durable: "bad", partition: 1.5, handler: () => {} })).rejects.toMatchObject({ code: "BUS_INVALID_OPTIONS" });
    });
  });
}
