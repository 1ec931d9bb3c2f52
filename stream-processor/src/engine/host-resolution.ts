/**
 * Passive network name resolution: which computer holds an IP, learned from the events themselves.
 *
 * DCs log most authentications with the client IP only (4768 / 4769, 4624 type 3 with an empty
 * WorkstationName). MDI names those IPs by probing the client (NNR: NTLM over RPC, NetBIOS, RDP,
 * reverse DNS). Vigil has no probes; it binds an IP to a computer on evidence the client cannot just
 * claim: a *successful* Kerberos AS / TGS request, or a successful Kerberos logon, by a machine account
 * `NAME$` from that IP. Succeeding needs NAME$'s key (or a ticket made from it), so the IP is NAME's.
 * A WorkstationName, an NTLM workstation or reverse DNS is whatever the client or its DHCP says; NTLM
 * logons are left out on purpose: a relayed machine authentication (PetitPotam…) shows the relay's IP.
 *
 * Rules (event time throughout, so a replay resolves as the live stream did):
 * - A binding is used from shortly before its first proof (`LOOKBACK`: a user's requests often reach
 *   the DC seconds before the machine's own) until `TTL` after its last proof: DHCP hands the address
 *   to another machine once the lease lapses.
 * - A different machine proving itself on the IP more than `SHARE_WINDOW` after the last proof replaces
 *   the binding (a new lease). Within it, the IP is shared (NAT, terminal servers, VPN pools, a
 *   misbehaving DHCP): it is not resolved until one machine alone has held it for `SHARE_WINDOW`.
 * - Loopback, unspecified and empty addresses are never bound: they name the recording host itself.
 * - Successful user authentications from an IP nobody holds yet wait (`pending`, a few per IP, for
 *   `LOOKBACK`), so the machine's proof that follows can still name their source.
 *
 * Limits: whoever holds a machine's key (or relays its Kerberos exchange) can make their IP resolve to
 * that machine until the real one is seen there; a shared IP seen with one machine only (a NAT whose
 * other clients never use Kerberos) resolves to that machine. Evidence carries the IP as well.
 *
 * Storage: plain JSON (snapshotted with the entity context), immutable, and bounded per tenant. IPs
 * are spread over BUCKETS arrays by hash, so an update copies one small bucket, not the whole table,
 * and the least recently touched (event time) entry of a full bucket is evicted: an LRU per bucket.
 */
import type { Principal, VigilEvent } from "@vigil/sensor/contract";
import { HOUR, MINUTE } from "./detection.ts";
import { isLoopback, normIp, normName, normSid } from "./names.ts";
import { parseTime } from "./time.ts";

/** A user authentication from an unresolved IP, waiting for the IP's machine to prove itself. */
export interface PendingSession {
  who: Principal;
  at: number;
  /** Evidence label of the event, e.g. `event:4624`. */
  source: string;
}

/** What is known about one IP. Times are event-time milliseconds. */
export interface IpEntry {
  ip: string;
  /** Holder: first DNS label of the machine account, lower-case, without `$`; absent until one proves itself. */
  host?: string;
  domain?: string;
  /** First and last proof of the holder on this IP. */
  since?: number;
  lastSeen?: number;
  /** Evidence label of the last proof, e.g. `event:4768`. */
  source?: string;
  /** Two machines proved themselves on the IP within SHARE_WINDOW: unresolved before this time. */
  sharedUntil?: number;
  pending?: PendingSession[];
  /** Last event time the entry was written (LRU order). */
  touched: number;
}

/** Per-tenant IP → computer table (see the header). */
export interface HostTable {
  buckets: Record<string, IpEntry[]>;
}

/** What resolving an IP gives. */
export interface ResolvedHost {
  host: string;
  domain?: string;
  source?: string;
}

export const TTL = 24 * HOUR;
export const SHARE_WINDOW = HOUR;
export const LOOKBACK = 5 * MINUTE;
// A refresh of the same binding within this is not written (keeps the context object when nothing
// that matters changed); a minute is nothing against a 24 h expiry.
const REFRESH_MS = MINUTE;
const MAX_PENDING = 8;
const BUCKETS = 256;
export const DEFAULT_MAX_ENTRIES = 50_000;

/** A table that knows no IP. */
export function emptyHosts(): HostTable {
  return { buckets: {} };
}

/** Evidence label of an event: `event:4624` for Windows records, `pcap:kerberos.as` for others. */
export function evidenceLabel(event: VigilEvent): string {
  return event.origin.eventId !== undefined ? `event:${event.origin.eventId}` : `${event.origin.format}:${event.kind}`;
}

/** A bindable client IP: normalized; never loopback, unspecified or anything that is not an address. */
function clientIp(ip: string | undefined): string | undefined {
  const i = normIp(ip);
  if (!i || isLoopback(i) || i === "0.0.0.0" || i === "::" || !/^[0-9a-f:.]+$/.test(i)) return undefined;
  return i;
}

function isSuccessfulAuth(event: VigilEvent): boolean {
  if (event.kind === "kerberos.as" || event.kind === "kerberos.tgs") return event.result === 0;
  return event.kind === "logon" && event.success;
}

/** The machine an event proves holds its source IP (see the header), or undefined. */
export function machineProof(event: VigilEvent): { ip: string; host: string; domain?: string } | undefined {
  if (!isSuccessfulAuth(event)) return undefined;
  // The name first: most authentications are users', and it is the cheaper test.
  const name = normName(event.actor?.name);
  if (!name?.endsWith("$")) return undefined;
  if (event.kind === "logon" && event.package?.toLowerCase() !== "kerberos") return undefined;
  const ip = clientIp(event.src?.ip);
  if (!ip) return undefined;
  const host = name.slice(0, -1).split(".")[0];
  if (!host) return undefined;
  return { ip, host, ...(event.actor?.domain ? { domain: event.actor.domain } : {}) };
}

/**
 * The account of an authentication whose source machine is where the account is working: successful
 * Kerberos AS / TGS requests and network (3 / 8) logons. The graph writer's source-computer sessions.
 */
export function sourceSessionActor(event: VigilEvent): Principal | undefined {
  if (!isSuccessfulAuth(event)) return undefined;
  if (event.kind === "logon" && event.logonType !== 3 && event.logonType !== 8) return undefined;
  return event.actor;
}

// Users only: machine accounts are proofs, and built-in identities (S-1-5-7 ANONYMOUS LOGON…) would
// just take the few pending slots.
function pendingUser(event: VigilEvent): Principal | undefined {
  // A source that names its host needs no resolution; most events say it, so it is tested first.
  if (event.src?.host) return undefined;
  const who = sourceSessionActor(event);
  const sid = normSid(who?.sid);
  if (!who || !normName(who.name) || normName(who.name)!.endsWith("$") || (sid && !sid.startsWith("S-1-5-21-"))) return undefined;
  return who;
}

function bucketOf(ip: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < ip.length; i++) h = Math.imul(h ^ ip.charCodeAt(i), 0x01000193);
  return String((h >>> 0) % BUCKETS);
}

function entryOf(table: HostTable, ip: string): IpEntry | undefined {
  return table.buckets[bucketOf(ip)]?.find((e) => e.ip === ip);
}

/** True when the entry names one machine at time `at`. */
function usable(e: IpEntry | undefined, at: number): e is IpEntry & { host: string; since: number; lastSeen: number } {
  if (!e?.host || e.since === undefined || e.lastSeen === undefined) return false;
  if (e.sharedUntil !== undefined && at < e.sharedUntil) return false;
  return at >= e.since - LOOKBACK && at <= e.lastSeen + TTL;
}

/** The computer holding `ip` at event time `at` (ms), or undefined when unknown, expired or shared. */
export function resolveIp(table: HostTable | undefined, ip: string | undefined, at: number): ResolvedHost | undefined {
  const i = clientIp(ip);
  const e = table && i ? entryOf(table, i) : undefined;
  if (!usable(e, at)) return undefined;
  return { host: e.host, ...(e.domain ? { domain: e.domain } : {}), ...(e.source ? { source: e.source } : {}) };
}

/**
 * User authentications that waited on the IP an event's machine proof just resolved: the graph writes
 * their sessions with the proof. Empty for any other event.
 */
export function releasedSessions(table: HostTable | undefined, event: VigilEvent): PendingSession[] {
  const proof = machineProof(event);
  if (!proof || !table) return [];
  const at = Date.parse(event.time);
  const e = entryOf(table, proof.ip);
  if (!usable(e, at) || e.host !== proof.host) return [];
  return (e.pending ?? []).filter((p) => p.at >= at - LOOKBACK && p.at <= at && usable(e, p.at));
}

/**
 * Learns what an event proves about IP holders; the same table when nothing changed. `at` is the
 * event's time in ms when the caller has already parsed it.
 */
export function learnHosts(table: HostTable, event: VigilEvent, maxEntries = DEFAULT_MAX_ENTRIES, at = parseTime(event.time)): HostTable {
  if (!Number.isFinite(at)) return table;
  // The updates live in functions of their own: a closure here would make V8 allocate its context
  // on every call, and most events (every detection's input) change nothing.
  const proof = machineProof(event);
  if (proof) return learnProof(table, event, proof, at, maxEntries);
  const who = pendingUser(event);
  const ip = who ? clientIp(event.src?.ip) : undefined;
  if (!who || !ip) return table;
  return learnPending(table, event, who, ip, at, maxEntries);
}

function learnProof(
  table: HostTable,
  event: VigilEvent,
  proof: NonNullable<ReturnType<typeof machineProof>>,
  at: number,
  maxEntries: number,
) {
  return put(table, proof.ip, (e) => bind(e, proof, at, evidenceLabel(event)), maxEntries);
}

function learnPending(table: HostTable, event: VigilEvent, who: Principal, ip: string, at: number, maxEntries: number) {
  return put(table, ip, (e) => (usable(e, at) || (e?.sharedUntil ?? 0) > at ? e : wait(e, ip, who, at, evidenceLabel(event))), maxEntries);
}

function bind(
  e: IpEntry | undefined,
  proof: { ip: string; host: string; domain?: string },
  at: number,
  source: string,
): IpEntry | undefined {
  const fresh: IpEntry = { ...proof, since: at, lastSeen: at, source, touched: Math.max(at, e?.touched ?? at) };
  if (e?.pending) fresh.pending = e.pending.filter((p) => p.at >= at - LOOKBACK);
  if (!e?.host || e.lastSeen === undefined || e.since === undefined || at > e.lastSeen + TTL) return fresh;
  if (e.host === proof.host) {
    if (at >= e.since && at - e.lastSeen < REFRESH_MS) return e;
    const next: IpEntry = {
      ...e,
      since: Math.min(e.since, at),
      lastSeen: Math.max(e.lastSeen, at),
      source,
      touched: Math.max(e.touched, at),
    };
    const pending = e.pending?.filter((p) => p.at >= at - LOOKBACK);
    if (pending?.length) next.pending = pending;
    else delete next.pending;
    return next;
  }
  // Another machine. Long after the holder's last proof: a new lease. Long before this binding began:
  // a late event about an older lease, which the newer binding supersedes. Otherwise: shared.
  if (at > e.lastSeen + SHARE_WINDOW) return fresh;
  if (at < e.since - SHARE_WINDOW) return e;
  const newer = at >= e.lastSeen ? { host: proof.host, domain: proof.domain, since: at, lastSeen: at, source } : {};
  const sharedUntil = Math.max(e.sharedUntil ?? 0, Math.max(at, e.lastSeen) + SHARE_WINDOW);
  const next: IpEntry = { ...e, ...newer, sharedUntil, touched: Math.max(e.touched, at) };
  if (next.domain === undefined) delete next.domain;
  delete next.pending; // sessions from a shared IP cannot be placed
  return next;
}

const pendingKey = (who: Principal) => normSid(who.sid) ?? normName(who.name);

function wait(e: IpEntry | undefined, ip: string, who: Principal, at: number, source: string): IpEntry {
  const key = pendingKey(who);
  // A user's burst of requests (TGT, then a ticket per service) is one wait, not one write each.
  if (e?.pending?.some((p) => pendingKey(p.who) === key && p.at <= at && at - p.at < REFRESH_MS)) return e;
  const kept = (e?.pending ?? []).filter((p) => p.at >= at - LOOKBACK && pendingKey(p.who) !== key);
  const pending = [...kept, { who, at, source }].sort((a, b) => a.at - b.at).slice(-MAX_PENDING);
  return { ...(e ?? { ip }), pending, touched: Math.max(at, e?.touched ?? at) };
}

/** Replaces (or adds) one IP's entry, evicting the bucket's least recently touched entry when full. */
function put(table: HostTable, ip: string, update: (e: IpEntry | undefined) => IpEntry | undefined, maxEntries: number): HostTable {
  const b = bucketOf(ip);
  const bucket = table.buckets[b] ?? [];
  const i = bucket.findIndex((e) => e.ip === ip);
  const current = i >= 0 ? bucket[i] : undefined;
  const next = update(current);
  if (!next || next === current) return table;
  let list = i >= 0 ? bucket.map((e, j) => (j === i ? next : e)) : [...bucket, next];
  const cap = Math.max(1, Math.ceil(maxEntries / BUCKETS));
  while (list.length > cap) {
    const oldest = list.reduce((o, e, j) => (e.touched < list[o]!.touched ? j : o), 0);
    list = list.filter((_, j) => j !== oldest);
  }
  return { buckets: { ...table.buckets, [b]: list } };
}

/** Number of IPs in the table (for stats and tests). */
export function hostCount(table: HostTable | undefined): number {
  return table ? Object.values(table.buckets).reduce((n, b) => n + b.length, 0) : 0;
}
