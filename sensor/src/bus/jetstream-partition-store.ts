/**
 * PartitionStore on JetStream KV (replicated like the event streams):
 *   - `vigil-partitions[_<ns>]`, bucket TTL = lease TTL, history 1: `p.<n>` → owner (the lease), and
 *     `i.<instance>` → "" (liveness). A key not rewritten within the TTL is removed by the server, so
 *     `create` succeeds for the next owner and the old owner's `update` (CAS on the revision) fails.
 *   - `vigil-partition-state[_<ns>]`, no TTL: `p<n>.head` → { gen, chunks, owner } and the snapshot
 *     bytes in `p<n>.g<gen>.c<i>` chunks (a value must fit in one NATS message). A save writes a new
 *     generation's chunks, then CAS-updates the head: a crash or a fenced save leaves the old head and
 *     its chunks whole, so a reader never sees a half-written snapshot. A crash between the chunks and the
 *     head leaves an orphan generation (storage only; nothing reads it).
 * Reads go through the stream leader (no direct get): a follower's stale head would only cost a retry,
 * but a follower missing fresh chunks would look like a corrupt snapshot.
 */
import { randomBytes } from "node:crypto";
import { JetStreamApiCodes, JetStreamApiError, jetstreamManager, type JetStreamManager } from "@nats-io/jetstream";
import { Kvm, type KV } from "@nats-io/kv";
import { BusError } from "./errors.ts";
import type { JetStreamEventBus } from "./jetstream.ts";
import type { Lease, PartitionStore, SnapshotClaim } from "./partition-store.ts";
import { assertName } from "./subjects.ts";

/** Options of the KV-backed partition store. */
export interface JetStreamPartitionStoreOptions {
  /** A lease not renewed for this long lapses (the leases bucket's TTL). */
  leaseTtlMs: number;
  /** Replicas of both buckets (default: the bus's `replicas`, else 1). */
  replicas?: number;
  /** Bytes per snapshot chunk (default 256 KiB, well under nats-server's 1 MiB max payload). */
  chunkBytes?: number;
}

interface Head {
  gen: string;
  chunks: number;
  owner: string;
}

const MAX_CLAIM_ATTEMPTS = 20;
/** Listing keys runs an ordered consumer, which can wait forever during a leader change: bound it. */
const KEYS_TIMEOUT_MS = 5000;

/** Keys matching `filter`; rejects after KEYS_TIMEOUT_MS. */
async function listKeys(kv: KV, filter: string): Promise<string[]> {
  const iter = await kv.keys(filter);
  const out: string[] = [];
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      iter.stop();
      reject(new Error(`listing ${filter} took longer than ${KEYS_TIMEOUT_MS} ms`));
    }, KEYS_TIMEOUT_MS);
  });
  try {
    await Promise.race([
      (async () => {
        for await (const k of iter) out.push(k);
      })(),
      expired,
    ]);
    return out;
  } finally {
    clearTimeout(timer);
  }
}

function isWrongSequence(err: unknown): boolean {
  return (
    err instanceof JetStreamApiError &&
    (err.code === JetStreamApiCodes.StreamWrongLastSequence || err.code === JetStreamApiCodes.StreamWrongLastSequenceUnknown)
  );
}

/** Open (creating when missing) the lease and state buckets next to the bus's streams. */
export async function openJetStreamPartitionStore(
  bus: JetStreamEventBus,
  options: JetStreamPartitionStoreOptions,
): Promise<PartitionStore> {
  if (!(Number.isInteger(options.leaseTtlMs) && options.leaseTtlMs >= 1000)) {
    throw new BusError("BUS_INVALID_OPTIONS", `leaseTtlMs must be an integer >= 1000, got ${String(options.leaseTtlMs)}`);
  }
  const nc = bus.connection;
  const suffix = bus.layout.namespace ? `_${bus.layout.namespace}` : "";
  const replicas = options.replicas ?? bus.layout.options.replicas ?? 1;
  const kvm = new Kvm(nc);
  let leases: KV;
  let state: KV;
  let jsm: JetStreamManager;
  try {
    leases = await kvm.create(`vigil-partitions${suffix}`, { ttl: options.leaseTtlMs, history: 1, replicas, allow_direct: false });
    state = await kvm.create(`vigil-partition-state${suffix}`, { history: 1, replicas, allow_direct: false });
    jsm = await jetstreamManager(nc);
  } catch (err) {
    throw new BusError("BUS_STREAM_CONFIG", `cannot open the partition buckets: ${(err as Error).message}`, { cause: err });
  }
  return new JetStreamPartitionStore(leases, state, jsm, `KV_vigil-partition-state${suffix}`, `vigil-partition-state${suffix}`, {
    ...options,
    chunkBytes: options.chunkBytes ?? 256 * 1024,
  });
}

class JetStreamPartitionStore implements PartitionStore {
  readonly leaseTtlMs: number;
  readonly #chunkBytes: number;
  /** The generation each partition's head points at, as this instance last wrote or claimed it. */
  readonly #gens = new Map<number, string>();

  constructor(
    private readonly leases: KV,
    private readonly state: KV,
    private readonly jsm: JetStreamManager,
    private readonly stateStream: string,
    private readonly stateBucket: string,
    options: Required<Pick<JetStreamPartitionStoreOptions, "leaseTtlMs" | "chunkBytes">>,
  ) {
    this.leaseTtlMs = options.leaseTtlMs;
    this.#chunkBytes = options.chunkBytes;
  }

  async heartbeat(instance: string): Promise<void> {
    assertName("instance id", instance);
    await this.leases.put(`i.${instance}`, "");
  }

  async instances(): Promise<string[]> {
    return (await listKeys(this.leases, "i.*")).map((k) => k.slice(2)).sort();
  }

  async owners(): Promise<Map<number, string>> {
    const out = new Map<number, string>();
    for (const k of await listKeys(this.leases, "p.*")) {
      const e = await this.leases.get(k);
      if (e && e.operation === "PUT") out.set(Number(k.slice(2)), e.string());
    }
    return out;
  }

  async acquire(partition: number, owner: string): Promise<Lease | undefined> {
    const key = `p.${partition}`;
    try {
      return { partition, owner, revision: await this.leases.create(key, owner) };
    } catch (err) {
      if (!isWrongSequence(err) && !/wrong last sequence/i.test((err as Error).message)) throw err;
    }
    // Held: ours again after a restart under the same instance id, or someone else's.
    const e = await this.leases.get(key);
    if (!e || e.operation !== "PUT" || e.string() !== owner) return undefined;
    return this.renew({ partition, owner, revision: e.revision });
  }

  async renew(lease: Lease): Promise<Lease | undefined> {
    try {
      return { ...lease, revision: await this.leases.update(`p.${lease.partition}`, lease.owner, lease.revision) };
    } catch (err) {
      if (isWrongSequence(err)) return undefined;
      throw err;
    }
  }

  async release(lease: Lease): Promise<void> {
    await this.leases.delete(`p.${lease.partition}`, { previousSeq: lease.revision }).catch(() => {});
  }

  async claimSnapshot(partition: number, owner: string): Promise<SnapshotClaim> {
    const key = `p${partition}.head`;
    for (let attempt = 0; attempt < MAX_CLAIM_ATTEMPTS; attempt++) {
      const e = await this.state.get(key);
      const head: Head | undefined = e && e.operation === "PUT" ? (JSON.parse(e.string()) as Head) : undefined;
      const data = head && head.chunks > 0 ? await this.#readChunks(partition, head) : undefined;
      if (head && head.chunks > 0 && data === undefined) continue; // chunks replaced under us: read again
      const claimed: Head = { gen: head?.gen ?? "", chunks: head?.chunks ?? 0, owner };
      try {
        const token =
          e && e.operation === "PUT"
            ? await this.state.update(key, JSON.stringify(claimed), e.revision)
            : await this.state.create(key, JSON.stringify(claimed));
        // Only the owner's next successful save purges the generation the head names now: purging at claim
        // time could delete chunks a racing claimant's head still names, and leave the partition unreadable.
        this.#gens.set(partition, claimed.gen);
        return { data, token };
      } catch (err) {
        if (!isWrongSequence(err) && !/wrong last sequence/i.test((err as Error).message)) throw err;
      }
    }
    throw new BusError("BUS_PARTITION_FENCED", `could not claim partition ${partition}: its snapshot kept changing`);
  }

  async saveSnapshot(partition: number, owner: string, data: Uint8Array, token: number): Promise<number> {
    const gen = randomBytes(6).toString("hex");
    const chunks = Math.max(1, Math.ceil(data.byteLength / this.#chunkBytes));
    for (let i = 0; i < chunks; i++) {
      await this.state.put(`p${partition}.g${gen}.c${i}`, data.subarray(i * this.#chunkBytes, (i + 1) * this.#chunkBytes));
    }
    let next: number;
    try {
      next = await this.state.update(`p${partition}.head`, JSON.stringify({ gen, chunks, owner } satisfies Head), token);
    } catch (err) {
      await this.#purgeGeneration(partition, gen);
      if (isWrongSequence(err)) {
        throw new BusError("BUS_PARTITION_FENCED", `partition ${partition} was claimed by another owner; ${owner} no longer owns it`, {
          cause: err,
        });
      }
      throw err;
    }
    const previous = this.#gens.get(partition);
    this.#gens.set(partition, gen);
    if (previous) await this.#purgeGeneration(partition, previous);
    return next;
  }

  async close(): Promise<void> {}

  async #readChunks(partition: number, head: Head): Promise<Uint8Array | undefined> {
    const parts: Uint8Array[] = [];
    for (let i = 0; i < head.chunks; i++) {
      const e = await this.state.get(`p${partition}.g${head.gen}.c${i}`);
      if (!e || e.operation !== "PUT") return undefined;
      parts.push(e.value);
    }
    const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.byteLength;
    }
    return out;
  }

  /** Old generations are purged from the stream (not deleted: a delete leaves a marker per key forever). */
  async #purgeGeneration(partition: number, gen: string): Promise<void> {
    await this.jsm.streams.purge(this.stateStream, { filter: `$KV.${this.stateBucket}.p${partition}.g${gen}.>` }).catch(() => {});
  }
}
