/**
 * TrafficState ⇄ JSON for the posture runner's state file (the posture module only ships a codec
 * for the directory snapshot). Unreadable rows are dropped one by one: a damaged counter costs that
 * counter, never the rest of the 30-day window.
 */
import type { AccountTraffic } from "../posture/model.ts";
import { emptyTraffic, type TrafficState } from "../posture/index.ts";

/** The JSON form of a TrafficState. */
export interface TrafficJson {
  tenantId: string;
  days: [number, AccountTraffic[]][];
  dcs: [string, number][];
  firstSeen?: number;
  lastSeen?: number;
}

/** Encodes traffic state as plain JSON data. */
export function encodeTraffic(s: TrafficState): TrafficJson {
  return {
    tenantId: s.tenantId,
    days: [...s.days].map(([day, bucket]) => [day, [...bucket.values()]]),
    dcs: [...s.dcs],
    ...(s.firstSeen !== undefined ? { firstSeen: s.firstSeen } : {}),
    ...(s.lastSeen !== undefined ? { lastSeen: s.lastSeen } : {}),
  };
}

const COUNTERS = ["ldapSimpleBinds", "rc4Tickets", "desTickets", "ntlmV1"] as const;
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const finite = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

function accountRow(v: unknown): AccountTraffic | undefined {
  if (!isRecord(v) || typeof v.account !== "string" || !v.account) return undefined;
  const row: AccountTraffic = { account: v.account };
  for (const c of COUNTERS) if (finite(v[c]) && v[c] > 0) row[c] = v[c];
  return row;
}

/** Decodes saved traffic for `tenantId`; anything missing or of another tenant gives an empty state. */
export function decodeTraffic(json: unknown, tenantId: string): TrafficState {
  const s = emptyTraffic(tenantId);
  if (!isRecord(json) || json.tenantId !== tenantId) return s;
  for (const d of Array.isArray(json.days) ? (json.days as unknown[]) : []) {
    if (!Array.isArray(d) || !finite(d[0]) || !Array.isArray(d[1])) continue;
    const bucket = new Map<string, AccountTraffic>();
    for (const r of d[1] as unknown[]) {
      const row = accountRow(r);
      if (row) bucket.set(row.account.toLowerCase(), row);
    }
    if (bucket.size > 0) s.days.set(d[0], bucket);
  }
  for (const d of Array.isArray(json.dcs) ? (json.dcs as unknown[]) : [])
    if (Array.isArray(d) && typeof d[0] === "string" && finite(d[1])) s.dcs.set(d[0], d[1]);
  if (finite(json.firstSeen)) s.firstSeen = json.firstSeen;
  if (finite(json.lastSeen)) s.lastSeen = json.lastSeen;
  return s;
}
