/**
 * The `ingest-quota-exceeded` health issue: a tenant's events arrive faster than its ingest quota for
 * a sustained minute. Sensors that hear their grant spool instead of exceeding it, so this means a
 * sensor ignores its quota (an old version, or a hostile one) or the grant cannot reach it (NATS
 * permissions on `vigil.quota.<tenantId>`). The processor still defers the excess so other tenants
 * are not starved (runtime/tenant-fairness.ts); the issue tells the tenant's admins, and through
 * the SIEM the operator, that its detections now lag.
 */
import type { HealthIssueType } from "./issue-types.ts";

/** The issue type, registered in HEALTH_ISSUE_TYPES. */
export const INGEST_QUOTA_EXCEEDED: HealthIssueType = {
  type: "ingest-quota-exceeded",
  title: "Events arrive faster than the tenant's ingest quota",
  severity: "medium",
  scope: "tenant",
  className: "IngestQuotaExceededMonitoringAlert",
  externalId: "1025",
  remedy:
    "Update sensors that ignore their quota and check they may subscribe to vigil.quota.<tenant>; ask the platform operator for a higher quota if the volume is expected.",
};

/** What the monitor keeps of the processor's quota readings for one tenant. */
export interface IngestQuotaObservation {
  /** Last reading: metered arrivals and the quota they were judged against. */
  ratePerSecond: number;
  quotaRatePerSecond: number;
  quotaBurst: number;
  readAt: number;
  /** Last reading over the quota, and the highest rate in such readings. */
  exceededAt?: number;
  peakRatePerSecond: number;
}

/** Records one reading (mutates and returns `previous` or a new observation). */
export function observeIngestQuota(
  previous: IngestQuotaObservation | undefined,
  reading: { ratePerSecond: number; quota: { ratePerSecond: number; burst: number }; exceeded: boolean },
  now: number,
): IngestQuotaObservation {
  const obs: IngestQuotaObservation = previous ?? {
    ratePerSecond: 0,
    quotaRatePerSecond: 0,
    quotaBurst: 0,
    readAt: now,
    peakRatePerSecond: 0,
  };
  obs.ratePerSecond = reading.ratePerSecond;
  obs.quotaRatePerSecond = reading.quota.ratePerSecond;
  obs.quotaBurst = reading.quota.burst;
  obs.readAt = now;
  if (reading.exceeded) {
    obs.exceededAt = now;
    obs.peakRatePerSecond = Math.max(obs.peakRatePerSecond, reading.ratePerSecond);
  }
  return obs;
}

/** The rule: raised while a reading over the quota is at most `recentMs` old; undefined before any reading (nothing to judge). */
export function ingestQuotaDecision(
  obs: IngestQuotaObservation | undefined,
  now: number,
  recentMs: number,
): { holds: boolean; description: string; details: Record<string, number> } | undefined {
  if (!obs) return undefined;
  const holds = obs.exceededAt !== undefined && now - obs.exceededAt <= recentMs;
  return {
    holds,
    description: `Events of this tenant arrived at up to ${obs.peakRatePerSecond.toFixed(1)} per second, above its ingest quota of ${obs.quotaRatePerSecond} per second (burst ${obs.quotaBurst}); the excess is processed late.`,
    details: {
      peakRatePerSecond: Math.round(obs.peakRatePerSecond * 10) / 10,
      quotaRatePerSecond: obs.quotaRatePerSecond,
      quotaBurst: obs.quotaBurst,
    },
  };
}
