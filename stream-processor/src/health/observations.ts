/**
 * What the health rules know about a tenant, accumulated from the event stream: each sensor's last
 * heartbeats (counters, version) and which Windows event ids each DC has sent. Pure updates on plain
 * data; times are the monitor's clock at arrival (liveness is about when Vigil heard from a sensor,
 * not the event time, which a drained spool makes old). Bounded: DCs and event ids per DC are capped.
 */
import type { VigilEvent } from "@vigil/sensor/contract";
import { HEALTH_COUNTERS } from "./issue-types.ts";
import type { IngestQuotaObservation } from "./ingest-quota-issue.ts";

/** One sensor, as its heartbeats describe it. */
export interface SensorObservation {
  /** The id the sensor puts in its events (row id or registered name). */
  sensorId: string;
  host?: string;
  version: string;
  lastBeatAt: number;
  /** Heartbeats heard since the monitor started. */
  beats: number;
  counters: Record<string, number>;
  /** The beat before the last one, for deltas. */
  previous?: { at: number; counters: Record<string, number> };
  /** Last time each counter-based condition was seen (counter name → ms). */
  lastIncrease: Record<string, number>;
  /** Since when the spool has grown on every beat (undefined when it did not grow on the last one). */
  spoolGrowingSince?: number;
  /** Last beat whose records/problems deltas gave a parse error rate over the threshold. */
  parseSpikeAt?: number;
}

/** One domain controller, as the events that name it describe it. */
export interface DcObservation {
  /** First label, lower-case (as the engine names DCs). */
  dc: string;
  firstSeen: number;
  lastSeen: number;
  /** The sensor that last sent an event from this DC. */
  sensorId: string;
  /** Windows event id → last seen (ms). */
  eventIds: Record<string, number>;
}

/** Everything observed for one tenant since the monitor started. */
export interface TenantObservations {
  since: number;
  sensors: Record<string, SensorObservation>;
  /** Last event of any kind per sensor id: MDI counts "no data or keep-alive", so any event is contact. */
  contacts: Record<string, number>;
  dcs: Record<string, DcObservation>;
  /** SIEM notifications dropped because the forwarder's queue overflowed, and when the last one was. */
  siemDropped: number;
  siemDroppedAt?: number;
  /** The processor's ingest-quota readings (ingest-quota-issue.ts); absent until the first one. */
  ingestQuota?: IngestQuotaObservation;
}

/** Parse-error rate (problems per record read) over one heartbeat interval that counts as high. */
export const PARSE_ERROR_RATE = 0.05;
/** …but only from this many problems in the interval on (a handful of odd records is not a health issue). */
export const PARSE_ERROR_MIN = 10;
const MAX_DCS = 10_000;
const MAX_EVENT_IDS = 256;

/** A fresh, empty observation set. */
export const emptyObservations = (now: number): TenantObservations => ({ since: now, sensors: {}, contacts: {}, dcs: {}, siemDropped: 0 });

/** The DC name an event is attributed to (first label, lower-case), or undefined. */
export function dcOf(event: VigilEvent): string | undefined {
  const name = event.dc ?? (event.origin.eventId !== undefined ? event.origin.computer : undefined);
  if (!name) return undefined;
  return name.split(".")[0]!.toLowerCase() || undefined;
}

const delta = (now: Record<string, number>, before: Record<string, number>, key: string) => (now[key] ?? 0) - (before[key] ?? 0);

/** Records one event (heartbeat or not) in the tenant's observations. Mutates and returns `obs`. */
export function observe(obs: TenantObservations, event: VigilEvent, now: number): TenantObservations {
  if (event.sensorId in obs.contacts || Object.keys(obs.contacts).length < MAX_DCS) obs.contacts[event.sensorId] = now;
  if (event.kind === "sensor.heartbeat") return observeHeartbeat(obs, event, now);
  const dc = dcOf(event);
  if (!dc) return obs;
  let seen = obs.dcs[dc];
  if (!seen) {
    if (Object.keys(obs.dcs).length >= MAX_DCS) return obs;
    seen = obs.dcs[dc] = { dc, firstSeen: now, lastSeen: now, sensorId: event.sensorId, eventIds: {} };
  }
  seen.lastSeen = now;
  seen.sensorId = event.sensorId;
  const id = event.origin.eventId;
  if (id !== undefined && (String(id) in seen.eventIds || Object.keys(seen.eventIds).length < MAX_EVENT_IDS)) {
    seen.eventIds[String(id)] = now;
  }
  return obs;
}

function observeHeartbeat(
  obs: TenantObservations,
  event: Extract<VigilEvent, { kind: "sensor.heartbeat" }>,
  now: number,
): TenantObservations {
  const before = obs.sensors[event.sensorId];
  const counters = { ...event.counters };
  const s: SensorObservation = {
    sensorId: event.sensorId,
    ...(event.origin.computer ? { host: event.origin.computer } : {}),
    version: event.version,
    lastBeatAt: now,
    beats: (before?.beats ?? 0) + 1,
    counters,
    ...(before ? { previous: { at: before.lastBeatAt, counters: before.counters } } : {}),
    lastIncrease: { ...before?.lastIncrease },
    ...(before?.parseSpikeAt !== undefined ? { parseSpikeAt: before.parseSpikeAt } : {}),
  };
  const prev = before?.counters;
  // The first beat the monitor hears is the baseline: its counters may be from long before (a
  // processor restart must not re-raise old drops). A restarted sensor counts from zero again, so a
  // negative delta is a restart, not news.
  if (!prev) {
    obs.sensors[event.sensorId] = s;
    return obs;
  }
  for (const key of [HEALTH_COUNTERS.dropped, HEALTH_COUNTERS.captureDropped, HEALTH_COUNTERS.radiusBadAuthenticator]) {
    if (delta(counters, prev, key) > 0) s.lastIncrease[key] = now;
  }
  const spool = counters[HEALTH_COUNTERS.spoolBytes] ?? 0;
  if (spool > 0 && spool > (prev[HEALTH_COUNTERS.spoolBytes] ?? 0)) s.spoolGrowingSince = before.spoolGrowingSince ?? before.lastBeatAt;
  const problems = delta(counters, prev, HEALTH_COUNTERS.problems);
  const records = delta(counters, prev, HEALTH_COUNTERS.records);
  if (problems >= PARSE_ERROR_MIN && problems > PARSE_ERROR_RATE * Math.max(records, 1)) s.parseSpikeAt = now;
  obs.sensors[event.sensorId] = s;
  return obs;
}

/** Records SIEM notifications dropped by the forwarder. */
export function observeSiemDrops(obs: TenantObservations, dropped: number, now: number): TenantObservations {
  obs.siemDropped += dropped;
  obs.siemDroppedAt = now;
  return obs;
}
