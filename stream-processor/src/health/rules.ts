/**
 * The health rules: pure functions from what is known about a tenant (its registered sensors, their
 * heartbeats and counters, which DCs sent which event ids, the LDAP list of DCs, credential test
 * results) and the time to decisions. Each rule says explicitly which issues hold (`raise`) and which
 * provably do not (`clear`); anything it cannot judge yet (a DC observed for less than a day, a sensor
 * not heard from since the monitor started) is in neither list, so a restarted processor never closes
 * an issue just because it has not seen enough yet.
 */
import { HEALTH_COUNTERS, HEALTH_ISSUE_TYPES, REQUIRED_AUDIT_EVENTS, type HealthIssueType } from "./issue-types.ts";
import { PARSE_ERROR_RATE, type SensorObservation, type TenantObservations } from "./observations.ts";
import { INGEST_QUOTA_EXCEEDED, ingestQuotaDecision } from "./ingest-quota-issue.ts";

/** Identifies one issue: its type, the sensor (row id) if any, and what it is about (a DC, a credential…). */
export interface IssueKey {
  type: string;
  sensorId: string | null;
  /** "" when the type and sensor say it all. */
  subject: string;
}

/** An issue that holds now. */
export interface Finding extends IssueKey {
  issue: HealthIssueType;
  description: string;
  details: Record<string, string | number>;
}

/** A registered sensor as the store has it. */
export interface RegisteredSensor {
  id: string;
  name: string;
  createdAt: Date;
  lastSeenAt: Date | null;
  revokedAt: Date | null;
}

/** Thresholds; defaults follow MDI where it states them. */
export interface HealthThresholds {
  /** No heartbeat for this long: stopped communicating (MDI: 5 minutes). */
  stoppedAfterMs: number;
  /** Counter-based conditions (drops, capture drops, RADIUS secret failures, parse spikes) stay raised this long after the last sighting. */
  recentMs: number;
  /** The spool must have grown on every beat for this long. */
  spoolGrowingMs: number;
  /** A DC silent for this long while its sensor still beats has no traffic. */
  dcQuietMs: number;
  /** Audit policy is judged over this window (MDI checks once a day). */
  auditWindowMs: number;
  /** After start, wait this long before calling a DC from LDAP sensor-less (its events may simply not have come yet). */
  dcWithoutSensorGraceMs: number;
}

/** MDI-like defaults. */
export const DEFAULT_THRESHOLDS: HealthThresholds = {
  stoppedAfterMs: 5 * 60_000,
  recentMs: 30 * 60_000,
  spoolGrowingMs: 10 * 60_000,
  dcQuietMs: 60 * 60_000,
  auditWindowMs: 24 * 60 * 60_000,
  dcWithoutSensorGraceMs: 60 * 60_000,
};

/** Everything the rules read for one tenant. */
export interface HealthInput {
  now: number;
  observations: TenantObservations;
  sensors: readonly RegisteredSensor[];
  /** DC names (first label, lower-case) known from LDAP sync or configuration. */
  knownDcs: readonly string[];
  /** Directory-service credentials and their last connection test (null: never tested). */
  credentials: ReadonlyArray<{ name: string; domainName: string; lastTestOk: boolean | null }>;
  thresholds?: Partial<HealthThresholds>;
}

/** The rules' verdict. */
export interface HealthDecisions {
  raise: Finding[];
  clear: IssueKey[];
}

const iso = (ms: number) => new Date(ms).toISOString();
const minutes = (ms: number) => Math.round(ms / 60_000);

/** Evaluates every rule for one tenant. */
export function evaluateHealth(input: HealthInput): HealthDecisions {
  const t: HealthThresholds = { ...DEFAULT_THRESHOLDS, ...input.thresholds };
  const out: HealthDecisions = { raise: [], clear: [] };
  const decide = (holds: boolean, key: IssueKey, issue: HealthIssueType, description: () => string, details: Finding["details"] = {}) => {
    if (holds) out.raise.push({ ...key, issue, description: `${description()} ${issue.remedy}`, details });
    else out.clear.push(key);
  };
  const { now, observations: obs } = input;
  const rowOf = sensorResolver(input.sensors);

  for (const row of input.sensors) {
    if (row.revokedAt) continue;
    const last = Math.max(row.lastSeenAt?.getTime() ?? 0, obs.contacts[row.id] ?? 0, obs.contacts[row.name] ?? 0);
    const since = last || row.createdAt.getTime();
    decide(
      now - since > t.stoppedAfterMs,
      { type: HEALTH_ISSUE_TYPES.sensorStopped.type, sensorId: row.id, subject: "" },
      HEALTH_ISSUE_TYPES.sensorStopped,
      () =>
        last
          ? `Sensor ${row.name} has not communicated for ${minutes(now - last)} minutes (last heartbeat ${iso(last)}).`
          : `Sensor ${row.name} has not communicated since it was registered (${iso(since)}).`,
      { lastSeen: last ? iso(last) : "never" },
    );
  }

  for (const s of Object.values(obs.sensors)) {
    const row = rowOf(s.sensorId);
    if (!row || row.revokedAt) continue;
    const key = (issue: HealthIssueType) => ({ type: issue.type, sensorId: row.id, subject: "" });
    const recent = (counter: string) => s.lastIncrease[counter] !== undefined && now - s.lastIncrease[counter]! <= t.recentMs;
    const c = s.counters;
    decide(
      recent(HEALTH_COUNTERS.dropped),
      key(HEALTH_ISSUE_TYPES.eventsDropped),
      HEALTH_ISSUE_TYPES.eventsDropped,
      () =>
        `Sensor ${row.name} dropped events (${c[HEALTH_COUNTERS.dropped] ?? 0} since it started; last at ${iso(s.lastIncrease[HEALTH_COUNTERS.dropped]!)}).`,
      { dropped: c[HEALTH_COUNTERS.dropped] ?? 0 },
    );
    decide(
      s.spoolGrowingSince !== undefined && now - s.spoolGrowingSince >= t.spoolGrowingMs,
      key(HEALTH_ISSUE_TYPES.spoolGrowing),
      HEALTH_ISSUE_TYPES.spoolGrowing,
      () =>
        `The spool of sensor ${row.name} has grown since ${iso(s.spoolGrowingSince!)} and holds ${c[HEALTH_COUNTERS.spoolBytes] ?? 0} bytes.`,
      { spoolBytes: c[HEALTH_COUNTERS.spoolBytes] ?? 0 },
    );
    decide(
      s.parseSpikeAt !== undefined && now - s.parseSpikeAt <= t.recentMs,
      key(HEALTH_ISSUE_TYPES.parseErrors),
      HEALTH_ISSUE_TYPES.parseErrors,
      () =>
        `Sensor ${row.name} could not read more than ${PCT}% of its records (${c[HEALTH_COUNTERS.problems] ?? 0} problems in ${c[HEALTH_COUNTERS.records] ?? 0} records since it started).`,
      { problems: c[HEALTH_COUNTERS.problems] ?? 0, records: c[HEALTH_COUNTERS.records] ?? 0 },
    );
    decide(
      recent(HEALTH_COUNTERS.captureDropped),
      key(HEALTH_ISSUE_TYPES.captureDrops),
      HEALTH_ISSUE_TYPES.captureDrops,
      () => `The packet capture of sensor ${row.name} dropped ${c[HEALTH_COUNTERS.captureDropped] ?? 0} packets since it started.`,
      { captureDropped: c[HEALTH_COUNTERS.captureDropped] ?? 0 },
    );
    decide(
      recent(HEALTH_COUNTERS.radiusBadAuthenticator),
      key(HEALTH_ISSUE_TYPES.radiusSecret),
      HEALTH_ISSUE_TYPES.radiusSecret,
      () =>
        `Sensor ${row.name} rejected ${c[HEALTH_COUNTERS.radiusBadAuthenticator] ?? 0} RADIUS accounting requests whose authenticator did not match the shared secret.`,
      { radiusBadAuthenticator: c[HEALTH_COUNTERS.radiusBadAuthenticator] ?? 0 },
    );
  }

  for (const dc of Object.values(obs.dcs)) {
    const row = rowOf(dc.sensorId);
    if (!row) continue;
    const beat = observedSensor(obs, row);
    const sensorAlive = beat !== undefined && now - beat.lastBeatAt <= t.stoppedAfterMs;
    const quiet = now - dc.lastSeen > t.dcQuietMs;
    // A silent DC whose sensor is silent too is the stopped-sensor issue, not this one.
    if (!quiet || sensorAlive)
      decide(
        quiet,
        { type: HEALTH_ISSUE_TYPES.dcNoTraffic.type, sensorId: row.id, subject: dc.dc },
        HEALTH_ISSUE_TYPES.dcNoTraffic,
        () => `No events from ___domain controller ${dc.dc} through sensor ${row.name} since ${iso(dc.lastSeen)}.`,
        { lastSeen: iso(dc.lastSeen) },
      );
    const judged = now - dc.firstSeen >= t.auditWindowMs;
    for (const { eventId, issue } of REQUIRED_AUDIT_EVENTS) {
      const last = dc.eventIds[String(eventId)];
      const seen = last !== undefined && now - last <= t.auditWindowMs;
      if (!seen && !judged) continue;
      decide(
        !seen,
        { type: issue.type, sensorId: row.id, subject: dc.dc },
        issue,
        () =>
          `Domain controller ${dc.dc} sent no event ${eventId} in ${minutes(t.auditWindowMs) >= 120 ? `${Math.round(t.auditWindowMs / 3_600_000)} hours` : `${minutes(t.auditWindowMs)} minutes`} of observation.`,
        { eventId },
      );
    }
  }

  if (now - obs.since >= t.dcWithoutSensorGraceMs) {
    for (const dc of new Set(input.knownDcs.map((d) => d.split(".")[0]!.toLowerCase()))) {
      decide(
        !(dc in obs.dcs),
        { type: HEALTH_ISSUE_TYPES.dcWithoutSensor.type, sensorId: null, subject: dc },
        HEALTH_ISSUE_TYPES.dcWithoutSensor,
        () => `Domain controller ${dc} is in the directory but no sensor has sent an event from it since ${iso(obs.since)}.`,
      );
    }
  }

  for (const cred of input.credentials) {
    if (cred.lastTestOk === null) continue;
    decide(
      !cred.lastTestOk,
      { type: HEALTH_ISSUE_TYPES.credentialFailing.type, sensorId: null, subject: cred.name },
      HEALTH_ISSUE_TYPES.credentialFailing,
      () => `The directory-service credential ${cred.name} (${cred.domainName}) failed its last connection test.`,
    );
  }

  decide(
    obs.siemDroppedAt !== undefined && now - obs.siemDroppedAt <= t.recentMs,
    { type: HEALTH_ISSUE_TYPES.siemOverflow.type, sensorId: null, subject: "" },
    HEALTH_ISSUE_TYPES.siemOverflow,
    () => `${obs.siemDropped} SIEM notifications were dropped because the syslog queue was full (last at ${iso(obs.siemDroppedAt!)}).`,
    { dropped: obs.siemDropped },
  );

  const quota = ingestQuotaDecision(obs.ingestQuota, now, t.recentMs);
  if (quota)
    decide(
      quota.holds,
      { type: INGEST_QUOTA_EXCEEDED.type, sensorId: null, subject: "" },
      INGEST_QUOTA_EXCEEDED,
      () => quota.description,
      quota.details,
    );
  return out;
}

const PCT = 100 * PARSE_ERROR_RATE;

/** Maps the id a sensor puts in its events (row id or registered name) to its row; the id wins. */
function sensorResolver(rows: readonly RegisteredSensor[]): (eventSensorId: string) => RegisteredSensor | undefined {
  const byId = new Map(rows.map((r) => [r.id, r]));
  const byName = new Map(rows.map((r) => [r.name, r]));
  return (id) => byId.get(id) ?? byName.get(id);
}

function observedSensor(obs: TenantObservations, row: RegisteredSensor): SensorObservation | undefined {
  const a = obs.sensors[row.id];
  const b = obs.sensors[row.name];
  if (a && b) return a.lastBeatAt >= b.lastBeatAt ? a : b;
  return a ?? b;
}

/** A stable string for an issue key (map keys, logs). */
export const issueKeyString = (k: IssueKey) => `${k.type}\u0000${k.sensorId ?? ""}\u0000${k.subject}`;
