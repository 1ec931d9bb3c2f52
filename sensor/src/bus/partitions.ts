/**
 * Partitioned event subjects (docs/scaling.md part 2). Sensors publish `vigil.events.<tenant>.<kind>`;
 * the NATS server's account subject mapping (`vigil.events.*.>`) rewrites that to
 * `vigil.events.<tenant>.<p>.<kind>` with `p = {{partition(P,1)}}`, so old sensors need no change and P is a server setting. Both adapters hand
 * consumers the logical subject again (the partition travels as `BusMessage.partition`), so nothing
 * downstream parses a partition token.
 *
 * `partitionOf` is the server's own function: nats-server hashes the wildcard token(s) with 32-bit
 * FNV-1a and takes it mod P (checked against 2.9.10, and at every processor start by the probe below),
 * so the in-process bus and a real server put a tenant in the same partition.
 */
import { BusError } from "./errors.ts";
import { EVENTS_PREFIX } from "./subjects.ts";

/** Deployment default partition count (see docs/scaling.md for why 64). */
export const DEFAULT_PARTITIONS = 64;
/** Largest count accepted: a durable, a lease and a snapshot per partition must stay cheap. */
export const MAX_PARTITIONS = 1024;
/**
 * Probe subject: the server config maps `vigil.partitions.probe.<nonce>` to
 * `vigil.partitions.probe.<nonce>.<P>.<partition(P, nonce)>`, so a client learns P and checks the hash.
 */
export const PARTITION_PROBE_PREFIX = "vigil.partitions.probe";

/** What the server's (or memory bus's) mapping applies. */
export interface PartitionMapping {
  count: number;
}

const encoder = new TextEncoder();

/** 32-bit FNV-1a of the tenant id, mod `count`: the partition nats-server's `{{partition(count,1)}}` picks. */
export function partitionOf(tenantId: string, count: number): number {
  let h = 0x811c9dc5;
  for (const b of encoder.encode(tenantId)) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % count;
}

/** Throws BUS_INVALID_OPTIONS unless `count` is a usable partition count. */
export function assertPartitionCount(count: number): void {
  if (!Number.isInteger(count) || count < 1 || count > MAX_PARTITIONS) {
    throw new BusError("BUS_INVALID_OPTIONS", `partition count must be an integer from 1 to ${MAX_PARTITIONS}, got ${String(count)}`);
  }
}

const PARTITION_TOKEN = /^\d+$/;

/**
 * A stored events subject → its logical subject and partition. Kinds have one or two tokens
 * (`logon`, `kerberos.tgs`) and never start with a digit, so a numeric fourth token is the partition;
 * subjects stored before the mapping was configured come back unchanged with no partition.
 */
export function unpartition(subject: string): { subject: string; partition?: number } {
  if (!subject.startsWith(`${EVENTS_PREFIX}.`)) return { subject };
  const t = subject.split(".");
  if (t.length < 5 || !PARTITION_TOKEN.test(t[3]!)) return { subject };
  return { subject: [t[0], t[1], t[2], ...t.slice(4)].join("."), partition: Number(t[3]) };
}

/** Logical events subject → the subject the mapping stores it under. */
export function partitionedSubject(subject: string, count: number): string {
  const t = subject.split(".");
  if (t.length < 4 || !subject.startsWith(`${EVENTS_PREFIX}.`)) return subject;
  return [t[0], t[1], t[2], String(partitionOf(t[2]!, count)), ...t.slice(3)].join(".");
}

/**
 * A logical filter (`vigil.events.>`, `vigil.events.<tenant>.>`, `vigil.events.*.<kind>`) narrowed to
 * one partition's stored subjects.
 */
export function partitionFilter(filter: string, partition: number): string {
  const t = filter.split(".");
  if (t[2] === ">") return `${EVENTS_PREFIX}.*.${partition}.>`;
  return [t[0], t[1], t[2], String(partition), ...t.slice(3)].join(".");
}

/** Parses a probe reply subject (`<prefix>.<nonce>.<count>.<p>`); undefined when it is not one. */
export function parseProbeReply(nonce: string, subject: string): { count: number; partition: number } | undefined {
  const prefix = `${PARTITION_PROBE_PREFIX}.${nonce}.`;
  if (!subject.startsWith(prefix)) return undefined;
  const [count, partition, ...rest] = subject.slice(prefix.length).split(".");
  if (rest.length > 0 || !PARTITION_TOKEN.test(count ?? "") || !PARTITION_TOKEN.test(partition ?? "")) return undefined;
  return { count: Number(count), partition: Number(partition) };
}
