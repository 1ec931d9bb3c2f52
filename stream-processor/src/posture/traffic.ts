/**
 * Folds the event stream into the per-account counters the traffic-based assessments read, in
 * daily buckets kept for 30 days (MDI's report window), and which DCs report at all. Event time
 * drives everything, so a replay gives the same observations as the live stream.
 *
 * What counts:
 * - clear-text LDAP simple bind: an `ldap.bind` of bindType simple seen on the wire (pcap: TLS
 *   payloads are unreadable, so a readable simple bind was in clear) or a DC's event 2889 (logged
 *   for binds without signing or TLS). Samba's audit log does not say whether the connection used
 *   TLS, so its simple binds are not counted: a bind over LDAPS exposes nothing;
 * - RC4 / DES: an issued ticket (result 0) with etype 23/24 (RC4) or 1/3 (DES), on the client for
 *   AS (the reply is encrypted with the client's key) and on the service for TGS;
 * - NTLMv1: `ntlm` with version v1, or a `logon` whose LmPackageName is "NTLM V1", on the actor;
 * - monitored DC: the `dc` of any event other than an LDAP sync snapshot (a sensor reports from it).
 */
import type { Principal, VigilEvent } from "@vigil/sensor/contract";
import type { AccountTraffic, TrafficObservations } from "./model.ts";

const DAY = 86_400_000;
/** Days of counters kept (the assessments' window). */
export const TRAFFIC_DAYS = 30;
/** A DC that sent nothing for this long no longer counts as monitored. */
export const DC_SILENCE_HOURS = 24;

const RC4 = new Set([23, 24]);
const DES = new Set([1, 3]);

type Counter = "ldapSimpleBinds" | "rc4Tickets" | "desTickets" | "ntlmV1";

/** Per-tenant traffic state: day (ms at UTC midnight) → account → counters, and DC last-seen times. */
export interface TrafficState {
  tenantId: string;
  days: Map<number, Map<string, AccountTraffic>>;
  /** Lower-case DC host → newest event time (ms). */
  dcs: Map<string, number>;
  /** Oldest and newest event time folded (ms). */
  firstSeen?: number;
  lastSeen?: number;
}

/** New, empty traffic state for a tenant. */
export function emptyTraffic(tenantId: string): TrafficState {
  return { tenantId, days: new Map(), dcs: new Map() };
}

const accountRef = (p: Principal | undefined): string | undefined =>
  p?.sid ?? (p?.name ? (p.domain ? `${p.domain}\\${p.name}` : p.name) : undefined);

function counted(event: VigilEvent): [string | undefined, Counter][] {
  switch (event.kind) {
    case "ldap.bind": {
      const wire = event.origin.format === "pcap" || event.origin.eventId === 2889;
      return event.bindType === "simple" && wire ? [[accountRef(event.actor), "ldapSimpleBinds"]] : [];
    }
    case "kerberos.as":
    case "kerberos.tgs": {
      if (event.result !== 0 || event.etype === undefined) return [];
      const who = event.kind === "kerberos.as" ? accountRef(event.actor) : (accountRef(event.target) ?? event.service);
      if (RC4.has(event.etype)) return [[who, "rc4Tickets"]];
      if (DES.has(event.etype)) return [[who, "desTickets"]];
      return [];
    }
    case "ntlm":
      return event.version === "v1" ? [[accountRef(event.actor), "ntlmV1"]] : [];
    case "logon":
      return /^NTLM V1$/i.test(event.lmPackage ?? "") ? [[accountRef(event.actor), "ntlmV1"]] : [];
    default:
      return [];
  }
}

/**
 * Folds one event (any kind; the irrelevant ones only mark their DC as reporting). Returns false
 * for another tenant's event or one older than the window, which change nothing.
 */
export function foldTraffic(state: TrafficState, event: VigilEvent): boolean {
  const t = Date.parse(event.time);
  if (event.tenantId !== state.tenantId || Number.isNaN(t)) return false;
  if (state.lastSeen !== undefined && t < state.lastSeen - TRAFFIC_DAYS * DAY) return false;
  if (event.kind !== "entity.snapshot" && event.dc) {
    const host = event.dc.toLowerCase();
    state.dcs.set(host, Math.max(t, state.dcs.get(host) ?? t));
  }
  state.firstSeen = Math.min(t, state.firstSeen ?? t);
  if (t > (state.lastSeen ?? -Infinity)) {
    state.lastSeen = t;
    prune(state, t);
  }
  const day = t - (t % DAY);
  for (const [account, counter] of counted(event)) {
    if (!account) continue;
    let bucket = state.days.get(day);
    if (!bucket) state.days.set(day, (bucket = new Map()));
    const key = account.toLowerCase();
    const row = bucket.get(key) ?? { account };
    row[counter] = (row[counter] ?? 0) + 1;
    bucket.set(key, row);
  }
  return true;
}

function prune(state: TrafficState, newest: number): void {
  const oldest = newest - TRAFFIC_DAYS * DAY;
  for (const day of state.days.keys()) if (day + DAY <= oldest) state.days.delete(day);
  for (const [dc, at] of state.dcs) if (at <= oldest) state.dcs.delete(dc);
}

/**
 * The observations for assessPosture at `now`: counters summed over the last 30 days, the DCs heard
 * from in the last 24 hours, and the window actually covered (from the first event folded, so a
 * tenant observed for a week is not reported as having 30 clean days).
 */
export function trafficObservations(
  state: TrafficState,
  now: string,
  lmpExposure?: Record<string, number>,
): TrafficObservations | undefined {
  if (state.firstSeen === undefined || state.lastSeen === undefined) return undefined;
  const end = Date.parse(now);
  const from = end - TRAFFIC_DAYS * DAY;
  const sums = new Map<string, AccountTraffic>();
  for (const [day, bucket] of state.days) {
    if (day + DAY <= from || day > end) continue;
    for (const [key, row] of bucket) {
      const sum = sums.get(key) ?? { account: row.account };
      for (const c of ["ldapSimpleBinds", "rc4Tickets", "desTickets", "ntlmV1"] as const) if (row[c]) sum[c] = (sum[c] ?? 0) + row[c];
      sums.set(key, sum);
    }
  }
  const fresh = end - DC_SILENCE_HOURS * 3_600_000;
  return {
    windowStart: new Date(Math.max(state.firstSeen, from)).toISOString(),
    windowEnd: new Date(Math.min(state.lastSeen, end)).toISOString(),
    accounts: [...sums.values()],
    monitoredDcs: [...state.dcs].filter(([, at]) => at >= fresh).map(([dc]) => dc),
    ...(lmpExposure ? { lmpExposure } : {}),
  };
}
