import type { Endpoint, Principal, VigilEvent } from "@vigil/sensor/contract";
import type { AlertEntity } from "./detection.ts";
import { DEFAULT_MAX_ENTRIES, emptyHosts, learnHosts, resolveIp, type HostTable, type ResolvedHost } from "./host-resolution.ts";
import { isIp, normHost, normIp, normName, normRef, normSid } from "./names.ts";
import { DEFAULT_SENSITIVE_GROUPS, type SensitiveGroupDefault } from "./sensitive-groups.ts";
import { parseTime } from "./time.ts";

/**
 * What detections know about a tenant's entities, as plain JSON. Immutable: the update functions
 * below return a new context (or the same one when nothing changed), so a snapshot is the object.
 * Refs are normalized strings: SIDs upper-case, names lower-case without domain, hosts as their
 * first DNS label, IPs as written, IPv4 CIDRs allowed in exclusions.
 */
export interface EntityContext {
  v: 1;
  /** DC host names (first label, lower-case), learned from DC-only events and LDAP snapshots, or set. */
  dcHosts: string[];
  dcIps: string[];
  /** SIDs of DC machine accounts. */
  dcSids: string[];
  /** Manually tagged sensitive entities (added to the default sensitive groups). */
  sensitive: string[];
  honeytokens: string[];
  /** Per detection id (or `*` for all): refs whose alerts are suppressed. */
  exclusions: Record<string, string[]>;
  /**
   * Which computer holds which IP, learned from machine-account Kerberos authentications (see
   * host-resolution.ts). Absent in contexts snapshotted before it existed.
   */
  hosts?: HostTable;
  /**
   * Servers an admin tagged with a role (host names as their first label, IPs, or machine-account
   * SIDs). A `dc` tag counts wherever a learned DC does. Absent in contexts snapshotted before it existed.
   */
  roles?: Partial<Record<ServerRole, string[]>>;
}

/** Server roles an admin can tag: domain controller, AD FS, Exchange, AD CS (the servers MDI watches). */
export const SERVER_ROLES = ["dc", "adfs", "exchange", "adcs"] as const;
/** One of SERVER_ROLES. */
export type ServerRole = (typeof SERVER_ROLES)[number];

// Learned lists are capped so a misbehaving sensor cannot grow a context without bound.
const MAX_LIST = 5_000;

// Only domain controllers write these: KDC events, directory-service auditing, Netlogon errors. Other
// kinds (4625, 4776, 4732…) are also logged by member servers, so their `dc` proves nothing.
const DC_ONLY_KINDS = new Set<VigilEvent["kind"]>([
  "kerberos.as",
  "kerberos.tgs",
  "kerberos.preauth-failure",
  "replication",
  "directory.access",
  "directory.change",
  "netlogon",
]);

// userAccountControl SERVER_TRUST_ACCOUNT; primary group 516 = Domain Controllers, 521 = RODCs.
const UAC_SERVER_TRUST = 0x2000;
const DC_PRIMARY_GROUPS = new Set(["516", "521"]);

/** A context that knows nothing yet (defaults still apply). */
export function emptyContext(): EntityContext {
  return { v: 1, dcHosts: [], dcIps: [], dcSids: [], sensitive: [], honeytokens: [], exclusions: {}, hosts: emptyHosts() };
}

function withItem(list: string[], item: string | undefined): string[] {
  if (!item || list.includes(item) || list.length >= MAX_LIST) return list;
  return [...list, item].sort();
}

/** Records a domain controller by any of host, IP or machine-account SID. */
export function addDc(ctx: EntityContext, dc: { host?: string; ip?: string; sid?: string }): EntityContext {
  const host = dc.host ? normHost(dc.host) : undefined;
  const hostIsIp = host !== undefined && isIp(host);
  const dcHosts = withItem(ctx.dcHosts, hostIsIp ? undefined : host);
  const dcIps = withItem(ctx.dcIps, normIp(dc.ip) ?? (hostIsIp ? host : undefined));
  const dcSids = withItem(ctx.dcSids, normSid(dc.sid));
  if (dcHosts === ctx.dcHosts && dcIps === ctx.dcIps && dcSids === ctx.dcSids) return ctx;
  return { ...ctx, dcHosts, dcIps, dcSids };
}

/** Tags an entity (SID or name) sensitive, beyond the default sensitive groups. */
export function tagSensitive(ctx: EntityContext, ref: string): EntityContext {
  const sensitive = withItem(ctx.sensitive, normRef(ref));
  return sensitive === ctx.sensitive ? ctx : { ...ctx, sensitive };
}

/** Tags a server (host name, IP or machine-account SID) with a role. */
export function tagRole(ctx: EntityContext, role: ServerRole, ref: string): EntityContext {
  const current = ctx.roles?.[role] ?? [];
  const next = withItem(current, roleRef(ref));
  return next === current ? ctx : { ...ctx, roles: { ...ctx.roles, [role]: next } };
}

/** True when the host name, IP or SID is tagged with the role. */
export function hasRole(ctx: EntityContext, role: ServerRole, ref: string | undefined): boolean {
  const list = ctx.roles?.[role];
  if (list === undefined || list.length === 0 || !ref) return false;
  const r = roleRef(ref);
  return r !== undefined && setOf(list).has(r);
}

// A SID stays a SID; anything else is compared as hosts are (first DNS label, no `$`; IPs as IPs).
function roleRef(ref: string): string | undefined {
  return normSid(ref) ?? normHost(ref);
}

/** Tags an entity (SID or name) as a honeytoken. */
export function tagHoneytoken(ctx: EntityContext, ref: string): EntityContext {
  const honeytokens = withItem(ctx.honeytokens, normRef(ref));
  return honeytokens === ctx.honeytokens ? ctx : { ...ctx, honeytokens };
}

/** Suppresses a detection's alerts (`*` = every detection) that involve the ref. */
export function addExclusion(ctx: EntityContext, detectionId: string, ref: string): EntityContext {
  const current = ctx.exclusions[detectionId] ?? [];
  const next = withItem(current, normRef(ref));
  return next === current ? ctx : { ...ctx, exclusions: { ...ctx.exclusions, [detectionId]: next } };
}

/** Removes one exclusion. */
export function removeExclusion(ctx: EntityContext, detectionId: string, ref: string): EntityContext {
  const current = ctx.exclusions[detectionId] ?? [];
  const r = normRef(ref);
  if (!current.includes(r)) return ctx;
  return { ...ctx, exclusions: { ...ctx.exclusions, [detectionId]: current.filter((x) => x !== r) } };
}

// Shared by contexts restored from snapshots without a host table (never mutated: tables are immutable).
const EMPTY_HOSTS = emptyHosts();

/**
 * Learns what an event proves about the tenant (which hosts are DCs, which computer holds which IP);
 * same object when nothing new. The engine calls it before detections see the event, with the event
 * time it has already parsed.
 */
export function learnFromEvent(ctx: EntityContext, event: VigilEvent, time = parseTime(event.time)): EntityContext {
  const next = learnDcs(ctx, event);
  const current = next.hosts ?? EMPTY_HOSTS;
  const hosts = learnHosts(current, event, DEFAULT_MAX_ENTRIES, time);
  return hosts === current ? next : { ...next, hosts };
}

/** The computer (first DNS label, lower-case) that held an IP at an event time (ISO), if one alone did. */
export function resolveSourceHost(ctx: EntityContext, ip: string | undefined, time: string): ResolvedHost | undefined {
  return resolveIp(ctx.hosts, ip, parseTime(time));
}

function learnDcs(ctx: EntityContext, event: VigilEvent): EntityContext {
  if (event.dc && DC_ONLY_KINDS.has(event.kind)) {
    // Every KDC event names its DC: a DC already known by that name adds nothing (addDc would
    // return ctx too), found without addDc's list searches.
    const host = normHost(event.dc);
    // Nearly every event names the same DC as the one before: that answer is kept for the very list
    // it was found in (lists are immutable, so the same list means the same answer).
    if (host !== undefined && host === knownDc.host && ctx.dcHosts === knownDc.list) return ctx;
    if (host !== undefined && setOf(ctx.dcHosts).has(host) && !isIp(host)) {
      knownDc = { host, list: ctx.dcHosts };
      return ctx;
    }
    return addDc(ctx, { host: event.dc });
  }
  if (event.kind === "entity.snapshot" && event.entity.objectType === "computer" && !event.entity.deleted) {
    const a = event.entity.attributes;
    const uac = Number(a["userAccountControl"] ?? 0);
    const isDc = (Number.isFinite(uac) && (uac & UAC_SERVER_TRUST) !== 0) || DC_PRIMARY_GROUPS.has(String(a["primaryGroupID"] ?? ""));
    if (!isDc) return ctx;
    const host = str(a["dNSHostName"]) ?? str(a["sAMAccountName"]) ?? event.entity.name;
    const sid = str(a["objectSid"]) ?? (event.entity.objectId.startsWith("S-1-") ? event.entity.objectId : undefined);
    return addDc(ctx, { host, sid });
  }
  return ctx;
}

let knownDc: { host: string | undefined; list: string[] | undefined } = { host: undefined, list: undefined };

function str(v: unknown): string | undefined {
  return typeof v === "string" && v.length > 0 ? v : undefined;
}

// Lists are immutable and shared between successive contexts (a learned IP makes a new context but
// keeps every list), so lookup sets are built once per list and dropped with it.
const sets = new WeakMap<string[], Set<string>>();
function setOf(list: string[]): Set<string> {
  let set = sets.get(list);
  if (!set) sets.set(list, (set = new Set(list)));
  return set;
}
// Several detections routed an event ask about the same host or endpoint in the same context: the
// last answer is kept with what it was asked about (contexts are immutable, so the same context
// object and the same host give the same answer).
const lastDcHost: { ctx?: EntityContext; host?: string; answer: boolean } = { answer: false };
const lastDcEndpoint: { ctx?: EntityContext; ep?: Endpoint; answer: boolean } = { answer: false };

/** True when the host name or IP is a known DC. */
export function isDcHost(ctx: EntityContext, host: string | undefined): boolean {
  if (host === undefined) return false;
  if (host === lastDcHost.host && ctx === lastDcHost.ctx) return lastDcHost.answer;
  const h = normHost(host);
  const answer = !!h && (setOf(ctx.dcHosts).has(h) || setOf(ctx.dcIps).has(h) || hasRole(ctx, "dc", h));
  lastDcHost.ctx = ctx;
  lastDcHost.host = host;
  lastDcHost.answer = answer;
  return answer;
}

/** True when the endpoint (IP or host) is a known DC. */
export function isDcEndpoint(ctx: EntityContext, ep: Endpoint | undefined): boolean {
  if (ep === undefined) return false;
  if (ep === lastDcEndpoint.ep && ctx === lastDcEndpoint.ctx) return lastDcEndpoint.answer;
  const ip = normIp(ep.ip);
  const answer = (ip !== undefined && (setOf(ctx.dcIps).has(ip) || hasRole(ctx, "dc", ip))) || isDcHost(ctx, ep.host);
  lastDcEndpoint.ctx = ctx;
  lastDcEndpoint.ep = ep;
  lastDcEndpoint.answer = answer;
  return answer;
}

/** True when the principal is a DC machine account: its SID is a DC's, `NAME$` for a known DC `NAME`, or its DN in the DCs' OU. */
export function isDcAccount(ctx: EntityContext, p: Principal | undefined): boolean {
  const sid = normSid(p?.sid);
  if (sid && (setOf(ctx.dcSids).has(sid) || hasRole(ctx, "dc", sid))) return true;
  const name = p?.name?.trim();
  if (name) return name.endsWith("$") && isDcName(ctx, normHost(normName(name))!);
  // Group events on a DC name members by DN: a computer object in the Domain Controllers OU whose CN
  // is a known DC. (A user merely named like a DC lives elsewhere: that is noPac's trick.)
  const dn = /^CN=([^,]+),OU=Domain Controllers,/i.exec(p?.dn?.trim() ?? "");
  return !!dn && isDcName(ctx, normHost(dn[1])!);
}

function isDcName(ctx: EntityContext, host: string): boolean {
  return setOf(ctx.dcHosts).has(host) || hasRole(ctx, "dc", host);
}

function matchesRef(set: Set<string>, p: Principal | undefined): boolean {
  // Asked for every authentication; most tenants tag nothing.
  if (set.size === 0) return false;
  const sid = normSid(p?.sid);
  const name = normName(p?.name);
  return (sid !== undefined && set.has(sid)) || (name !== undefined && set.has(name.replace(/\$$/, "")));
}

/**
 * The default sensitive group a group is, if any: MDI's list by well-known SID / RID (names only
 * when the event gives no SID), plus Vigil's additions. Builtin groups (S-1-5-32-…) exist on every
 * member server too, so they count only when recorded on a known DC (or before any DC is known).
 */
export function defaultSensitiveGroup(ctx: EntityContext, group: Principal, recordedOn?: string): SensitiveGroupDefault | undefined {
  const sid = normSid(group.sid);
  const name = normName(group.name);
  const ridText = sid ? /^S-1-5-21-\d+-\d+-\d+-(\d+)$/.exec(sid)?.[1] : undefined;
  const rid = ridText === undefined ? undefined : Number(ridText);
  const hit = DEFAULT_SENSITIVE_GROUPS.find((g) => {
    // A SID is authoritative; names are for events that carry none, and for groups without a fixed RID.
    if (!sid || (!g.sid && g.rid === undefined)) return name !== undefined && g.names.includes(name);
    return g.sid === sid || (rid !== undefined && g.rid === rid);
  });
  if (!hit) return undefined;
  if (hit.builtin && recordedOn && ctx.dcHosts.length + ctx.dcIps.length + (ctx.roles?.dc?.length ?? 0) > 0 && !isDcHost(ctx, recordedOn))
    return undefined;
  return hit;
}

/** True when a group is sensitive: a default sensitive group or manually tagged. */
export function isSensitiveGroup(ctx: EntityContext, group: Principal, recordedOn?: string): boolean {
  return matchesRef(setOf(ctx.sensitive), group) || defaultSensitiveGroup(ctx, group, recordedOn) !== undefined;
}

/** True when the principal is tagged as a honeytoken. */
export function isHoneytoken(ctx: EntityContext, p: Principal | undefined): boolean {
  return matchesRef(setOf(ctx.honeytokens), p);
}

/**
 * True when an alert is excluded for the detection (or for every detection): a ref matches its
 * primary entity or one of its actor / source entities. Targets are not matched on purpose: excluding
 * one noisy account must not hide a source that also attacks others.
 */
export function isExcluded(ctx: EntityContext, detectionId: string, alert: { primaryEntity: string; entities: AlertEntity[] }): boolean {
  const refs = exclusionRefs(ctx, detectionId);
  if (refs.length === 0) return false;
  const primary = alert.primaryEntity.slice(alert.primaryEntity.indexOf(":") + 1);
  const candidates: AlertEntity[] = [
    { role: "target", kind: isIp(primary) ? "ip" : "computer", id: primary },
    ...alert.entities.filter((e) => e.role === "actor" || e.role === "source"),
  ];
  return candidates.some((e) => refs.some((ref) => entityMatches(ref, e)));
}

/** True when one entity is excluded for the detection; detections use it to not even count excluded activity. */
export function isEntityExcluded(ctx: EntityContext, detectionId: string, entity: AlertEntity | undefined): boolean {
  if (!entity) return false;
  // A loop, not `.some(ref => …)`: the closure would be allocated on every call, and detections
  // call this for most events while almost no tenant excludes anything.
  const refs = exclusionRefs(ctx, detectionId);
  for (let i = 0; i < refs.length; i++) if (entityMatches(refs[i]!, entity)) return true;
  return false;
}

/** True when anything is excluded for the detection: lets a detection skip building entities to test. */
export function hasExclusions(ctx: EntityContext, detectionId: string): boolean {
  return exclusionRefs(ctx, detectionId).length > 0;
}

const NO_REFS: readonly string[] = [];

// Detections ask for every event, and almost always nothing is excluded: no list is built then, and
// an exclusions object already seen empty (it is replaced, never changed) is not searched again.
let emptyExclusions: EntityContext["exclusions"] | undefined;
function exclusionRefs(ctx: EntityContext, detectionId: string): readonly string[] {
  if (ctx.exclusions === emptyExclusions) return NO_REFS;
  if (Object.keys(ctx.exclusions).length === 0) {
    emptyExclusions = ctx.exclusions;
    return NO_REFS;
  }
  const own = ctx.exclusions[detectionId];
  const all = ctx.exclusions["*"];
  if (own === undefined || own.length === 0) return all ?? NO_REFS;
  return all === undefined || all.length === 0 ? own : [...own, ...all];
}

function entityMatches(ref: string, e: AlertEntity): boolean {
  if (ref.includes("/")) return e.kind === "ip" && inCidr(e.id, ref);
  for (const v of [e.id, e.name]) {
    if (!v) continue;
    if (normSid(v) === ref || normIp(v) === ref) return true;
    const n = normName(v)?.replace(/\$$/, "");
    if (n === ref || (e.kind === "computer" && normHost(v) === ref)) return true;
  }
  return false;
}

function inCidr(ip: string, cidr: string): boolean {
  const [base, bitsText] = cidr.split("/");
  const bits = Number(bitsText);
  const a = ipv4(normIp(ip));
  const b = ipv4(base);
  if (a === undefined || b === undefined || !Number.isInteger(bits) || bits < 0 || bits > 32) return false;
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return (a & mask) >>> 0 === (b & mask) >>> 0;
}

function ipv4(ip: string | undefined): number | undefined {
  const parts = ip?.split(".").map(Number);
  if (!parts || parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) return undefined;
  return ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
}
