/**
 * The partition-ownership port (docs/scaling.md part 2): who owns which partition, and each
 * partition's detection-state snapshot, in storage every processor instance shares.
 *
 * Leases expire on their own (`leaseTtlMs` after the last write), so a dead owner frees its partitions
 * without anyone deciding it is dead. Snapshots are fenced: `claimSnapshot` bumps a revision that
 * every later `saveSnapshot` must quote, so once a new owner has claimed a partition, a slow old owner
 * can no longer write — and since acks wait for the snapshot that covers them, it can no longer ack
 * either. That fence, not the lease timing, is what keeps two owners from both applying an event.
 * `jetstream-partition-store.ts` (KV buckets) and `memory-partition-store.ts` implement it; one
 * contract suite (`partition-store.contract.ts`) runs against both.
 */

/** A held lease; `revision` is what the next renew or release must quote. */
export interface Lease {
  readonly partition: number;
  readonly owner: string;
  readonly revision: number;
}

/** A claimed snapshot: its bytes (none yet for a fresh partition) and the fence token to save with. */
export interface SnapshotClaim {
  readonly data: Uint8Array | undefined;
  readonly token: number;
}

/** Shared partition ownership and state. */
export interface PartitionStore {
  /** A lease (and a heartbeat) not renewed for this long lapses. */
  readonly leaseTtlMs: number;
  /** Announce `instance` as live until leaseTtlMs from now. */
  heartbeat(instance: string): Promise<void>;
  /** Instances whose heartbeat has not lapsed, sorted. */
  instances(): Promise<string[]>;
  /** Current lease holders: partition → owner. */
  owners(): Promise<Map<number, string>>;
  /** Take `partition` for `owner` if no live lease is held by another; undefined when one is. */
  acquire(partition: number, owner: string): Promise<Lease | undefined>;
  /** Extend a lease; undefined when it was lost (lapsed and taken, or released). Throws when the store is unreachable. */
  renew(lease: Lease): Promise<Lease | undefined>;
  /** Give a lease up at once (handover); a lease already lost is ignored. */
  release(lease: Lease): Promise<void>;
  /** Read the partition's latest snapshot and fence out every earlier claimant. */
  claimSnapshot(partition: number, owner: string): Promise<SnapshotClaim>;
  /** Store a new snapshot; throws BUS_PARTITION_FENCED when another owner claimed since `token`. Returns the next token. */
  saveSnapshot(partition: number, owner: string, data: Uint8Array, token: number): Promise<number>;
  close(): Promise<void>;
}
