/**
 * Which partitions this processor instance works on (docs/scaling.md part 2). Every instance
 * heartbeats into the shared PartitionStore, counts the live instances N, and aims at ceil(P / N)
 * partitions: it takes free ones (no live lease) and hands extras back gracefully (final snapshot,
 * then release) when instances join. Leases are renewed every heartbeat on their own timer, so slow
 * partition opening never lets a lease lapse.
 *
 * Losing a partition: a renew that finds the lease gone (lapsed and taken), or renewals failing for
 * longer than the TTL minus one heartbeat (this instance cut off), stops that partition's consumer at
 * once without writing. Correctness does not rest on that timing: the new owner's claim fences the
 * snapshot slot, and this instance cannot ack what no snapshot of its own covers (partition-sink.ts).
 */
import { partitionOf, type Lease, type PartitionStore } from "@vigil/sensor/bus";

/** A partition this instance consumes. */
export interface OwnedPartition {
  /** Handover: stop consuming, write the final snapshot (releasing its acks). */
  stop(): Promise<void>;
  /** Lost: stop consuming without writing anything. */
  abandon(): Promise<void>;
}

/** What the manager is built from. */
export interface PartitionManagerOptions {
  store: PartitionStore;
  count: number;
  instanceId: string;
  /** Renew and rebalance interval; the store's lease TTL should be about 3× this. */
  heartbeatMs: number;
  log: (line: string) => void;
  /**
   * Start consuming a partition whose lease was just taken. `current()` turns false when the manager
   * gave up on this opening (timeout, lost lease): the opening must then stop before claiming or consuming.
   */
  open(partition: number, current: () => boolean): Promise<OwnedPartition>;
}

interface Held {
  lease: Lease;
  renewedAt: number;
  lane?: OwnedPartition;
}

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));
/** A partition that cannot be opened in this long (store or bus stuck in a leader change) is given back. */
const OPEN_TIMEOUT_MS = 30_000;

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}

/** Lease-based partition ownership for one instance. */
export class PartitionManager {
  readonly #held = new Map<number, Held>();
  #timers: NodeJS.Timeout[] = [];
  #balancing: Promise<void> | undefined;
  #stopped = false;
  #renewing = false;
  #handovers = 0;
  #losses = 0;

  constructor(private readonly o: PartitionManagerOptions) {}

  /** Partitions held now, ascending. */
  owned(): number[] {
    return [...this.#held.keys()].sort((a, b) => a - b);
  }

  get stats(): { owned: number; handovers: number; losses: number } {
    return { owned: this.#held.size, handovers: this.#handovers, losses: this.#losses };
  }

  /** Takes a first share, then keeps renewing and rebalancing until `stop`. */
  async start(): Promise<void> {
    await this.o.store.heartbeat(this.o.instanceId);
    await this.#rebalance();
    const renew = setInterval(() => void this.#renewAll(), this.o.heartbeatMs);
    const balance = setInterval(() => void this.#rebalance(), this.o.heartbeatMs);
    this.#timers = [renew, balance];
    for (const t of this.#timers) t.unref();
  }

  /** Graceful stop: every partition writes its final snapshot, then its lease is released for the others. */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const t of this.#timers) clearInterval(t);
    await this.#balancing;
    for (const p of this.owned()) await this.#handOver(p);
  }

  /**
   * A partition's lease or snapshot slot is no longer ours. `lane` names which opening of the partition
   * noticed (a fenced save of an earlier, already abandoned lane must not stop its successor).
   */
  lost(partition: number, lane?: OwnedPartition): void {
    const held = this.#held.get(partition);
    if (!held || (lane !== undefined && held.lane !== lane)) return;
    this.#held.delete(partition);
    this.#losses++;
    this.o.log(`partition ${partition}: lease lost (lapsed or taken over); stopped consuming it`);
    void held.lane?.abandon().catch((err: unknown) => this.o.log(`partition ${partition}: stopping failed: ${errorText(err)}`));
  }

  async #renewAll(): Promise<void> {
    // One pass at a time: two passes quoting the same revision would make the second look like a loss.
    if (this.#stopped || this.#renewing) return;
    this.#renewing = true;
    try {
      await this.#renewPass();
    } finally {
      this.#renewing = false;
    }
  }

  async #renewPass(): Promise<void> {
    await this.o.store.heartbeat(this.o.instanceId).catch(() => {});
    for (const [p, held] of [...this.#held]) {
      try {
        const next = await this.o.store.renew(held.lease);
        if (this.#held.get(p) !== held) continue;
        if (!next) {
          this.lost(p);
          continue;
        }
        held.lease = next;
        held.renewedAt = Date.now();
      } catch (err) {
        // Unreachable store: keep consuming only while the lease is surely still ours on the server.
        if (Date.now() - held.renewedAt > this.o.store.leaseTtlMs - this.o.heartbeatMs) {
          this.o.log(`partition ${p}: lease not renewed for ${Date.now() - held.renewedAt} ms (${errorText(err)})`);
          this.lost(p);
        }
      }
    }
  }

  #rebalance(): Promise<void> {
    this.#balancing ??= this.#balance()
      .catch((err: unknown) => this.o.log(`partition rebalance failed: ${errorText(err)}`))
      .finally(() => {
        this.#balancing = undefined;
      });
    return this.#balancing;
  }

  async #balance(): Promise<void> {
    if (this.#stopped) return;
    const live = new Set(await this.o.store.instances());
    live.add(this.o.instanceId);
    const target = Math.ceil(this.o.count / live.size);
    if (this.#held.size > target) {
      for (const p of this.owned().slice(target)) await this.#handOver(p);
      return;
    }
    if (this.#held.size === target) return;
    const owners = await this.o.store.owners();
    // Start at a point of our own on the ring, so instances starting together rarely race for the same partitions.
    const first = partitionOf(this.o.instanceId, this.o.count);
    for (let i = 0; i < this.o.count && this.#held.size < target && !this.#stopped; i++) {
      const p = (first + i) % this.o.count;
      if (this.#held.has(p)) continue;
      const owner = owners.get(p);
      if (owner !== undefined && owner !== this.o.instanceId) continue;
      const lease = await this.o.store.acquire(p, this.o.instanceId);
      if (!lease) continue;
      const held: Held = { lease, renewedAt: Date.now() };
      this.#held.set(p, held);
      const opening = this.o.open(p, () => !this.#stopped && this.#held.get(p) === held);
      try {
        held.lane = await withTimeout(opening, OPEN_TIMEOUT_MS, `opening partition ${p}`);
        this.o.log(`partition ${p}: consuming (lease revision ${lease.revision})`);
      } catch (err) {
        if (this.#held.get(p) === held) this.#held.delete(p);
        // An opening that completes after its timeout must not keep consuming unowned.
        void opening.then((late) => late.abandon()).catch(() => {});
        await this.o.store.release(held.lease).catch(() => {});
        this.o.log(`partition ${p}: could not start (${errorText(err)}); lease released`);
      }
      // Lost while opening: the lane must not keep running.
      if (held.lane && this.#held.get(p) !== held) await held.lane.abandon();
    }
  }

  async #handOver(p: number): Promise<void> {
    const held = this.#held.get(p);
    if (!held) return;
    try {
      await held.lane?.stop();
    } catch (err) {
      this.o.log(`partition ${p}: final snapshot failed (${errorText(err)}); its unacked events will be redelivered`);
    }
    this.#held.delete(p);
    await this.o.store.release(held.lease);
    this.#handovers++;
  }
}
