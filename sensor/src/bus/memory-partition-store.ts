/**
 * In-process PartitionStore for the memory bus and unit tests: the same lease expiry and snapshot
 * fencing as the KV buckets, on an injectable clock.
 */
import { systemClock, type Clock } from "./clock.ts";
import { BusError } from "./errors.ts";
import type { Lease, PartitionStore, SnapshotClaim } from "./partition-store.ts";

/** Options of the in-process partition store. */
export interface MemoryPartitionStoreOptions {
  leaseTtlMs: number;
  clock?: Clock;
}

interface Entry {
  owner: string;
  revision: number;
  at: number;
}

/** Create the in-process partition store. */
export function createMemoryPartitionStore(options: MemoryPartitionStoreOptions): PartitionStore {
  const clock = options.clock ?? systemClock;
  const ttl = options.leaseTtlMs;
  const leases = new Map<number, Entry>();
  const beats = new Map<string, number>();
  const snapshots = new Map<number, { data: Uint8Array | undefined; token: number }>();
  let revision = 0;
  const live = (e: Entry | undefined): e is Entry => e !== undefined && clock.now() - e.at < ttl;

  return {
    leaseTtlMs: ttl,
    async heartbeat(instance) {
      beats.set(instance, clock.now());
    },
    async instances() {
      return [...beats]
        .filter(([, at]) => clock.now() - at < ttl)
        .map(([id]) => id)
        .sort();
    },
    async owners() {
      const out = new Map<number, string>();
      for (const [p, e] of leases) if (live(e)) out.set(p, e.owner);
      return out;
    },
    async acquire(partition, owner) {
      const held = leases.get(partition);
      if (live(held) && held.owner !== owner) return undefined;
      const e = { owner, revision: ++revision, at: clock.now() };
      leases.set(partition, e);
      return { partition, owner, revision: e.revision };
    },
    async renew(lease) {
      const held = leases.get(lease.partition);
      if (!live(held) || held.revision !== lease.revision) return undefined;
      held.revision = ++revision;
      held.at = clock.now();
      return { ...lease, revision: held.revision };
    },
    async release(lease: Lease) {
      if (leases.get(lease.partition)?.revision === lease.revision) leases.delete(lease.partition);
    },
    async claimSnapshot(partition): Promise<SnapshotClaim> {
      const current = snapshots.get(partition) ?? { data: undefined, token: 0 };
      const next = { data: current.data, token: ++revision };
      snapshots.set(partition, next);
      return { data: current.data === undefined ? undefined : current.data.slice(), token: next.token };
    },
    async saveSnapshot(partition, owner, data, token) {
      const current = snapshots.get(partition);
      if (!current || current.token !== token) {
        throw new BusError("BUS_PARTITION_FENCED", `partition ${partition} was claimed by another owner; ${owner} no longer owns it`);
      }
      const next = { data: data.slice(), token: ++revision };
      snapshots.set(partition, next);
      return next.token;
    },
    async close() {},
  };
}
