/**
 * The ingest-quota wire contract. A tenant's quota is a sustained rate and a burst (a token bucket);
 * the processor that consumes the tenant splits it evenly across the tenant's active sensors and
 * announces each tenant's grant on `vigil.quota.<tenantId>` (plain fan-out, repeated every few
 * seconds, so a missed announcement is only a short delay). Sensors read it to slow down instead of
 * flooding the stream; the processor meters what actually arrives, so a sensor that ignores its
 * grant is caught there (docs/quotas.md).
 */
import { z } from "zod";
import { tokenId } from "./common.ts";

/** Root of the quota announcements. */
export const QUOTA_ROOT = "vigil.quota";

/** Where a tenant's sensors hear their grant. */
export const quotaSubject = (tenantId: string) => `${QUOTA_ROOT}.${tenantId}`;

/** Largest sustained rate and burst accepted anywhere (env, API, announcements): beyond them a quota means nothing on one stream. */
export const MAX_INGEST_RATE_PER_SECOND = 1_000_000;
export const MAX_INGEST_BURST = 10_000_000;

/** The deployment default when neither the env nor the tenant row says otherwise. */
export const DEFAULT_INGEST_QUOTA: IngestQuota = { ratePerSecond: 2_000, burst: 20_000 };

/** A tenant's quota: events per second sustained, and how many may come at once above that. */
export interface IngestQuota {
  ratePerSecond: number;
  burst: number;
}

/**
 * Why a quota is unusable, one line per problem (empty when it is fine). Both must be whole numbers:
 * a fractional burst cannot be spent and a zero rate would stop a tenant for good, which is a
 * suspension, not a quota.
 */
export function ingestQuotaProblems(quota: { ratePerSecond: unknown; burst: unknown }): string[] {
  const problems: string[] = [];
  const check = (name: string, value: unknown, max: number) => {
    if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > max) {
      problems.push(`${name} must be a whole number from 1 to ${max}, got ${JSON.stringify(value)}`);
    }
  };
  check("ratePerSecond", quota.ratePerSecond, MAX_INGEST_RATE_PER_SECOND);
  check("burst", quota.burst, MAX_INGEST_BURST);
  return problems;
}

const grantSchema = z.strictObject({
  v: z.literal(1),
  tenantId: tokenId,
  ratePerSecond: z.number().int().min(1).max(MAX_INGEST_RATE_PER_SECOND),
  burst: z.number().int().min(1).max(MAX_INGEST_BURST),
  /** Sensors the tenant's rate is split across (heard from recently). */
  sensors: z.number().int().min(1),
  sensorRatePerSecond: z.number().positive().max(MAX_INGEST_RATE_PER_SECOND),
  sensorBurst: z.number().min(1).max(MAX_INGEST_BURST),
  issuedAt: z.iso.datetime(),
});

/** One announcement on `vigil.quota.<tenantId>`: the tenant's quota and each sensor's share of it. */
export type QuotaGrant = z.infer<typeof grantSchema>;

/** The grant for a tenant with `sensors` active sensors: an even split, every sensor keeping a burst of at least one event. */
export function quotaGrant(tenantId: string, quota: IngestQuota, sensors: number, issuedAt: Date): QuotaGrant {
  const n = Math.max(1, Math.floor(sensors));
  return {
    v: 1,
    tenantId,
    ratePerSecond: quota.ratePerSecond,
    burst: quota.burst,
    sensors: n,
    sensorRatePerSecond: quota.ratePerSecond / n,
    sensorBurst: Math.max(1, quota.burst / n),
    issuedAt: issuedAt.toISOString(),
  };
}

/**
 * Reads an announcement received on `subject`. A grant naming another tenant than its subject is
 * refused, so a message published on the wrong subject can never throttle (or unthrottle) a tenant.
 */
export function parseQuotaGrant(subject: string, data: string): { grant: QuotaGrant } | { problem: string } {
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch (error) {
    return { problem: `quota announcement is not JSON: ${(error as Error).message}` };
  }
  const parsed = grantSchema.safeParse(value);
  if (!parsed.success) {
    return {
      problem: `quota announcement refused: ${parsed.error.issues.map((i) => `${i.path.join(".") || "grant"}: ${i.message}`).join("; ")}`,
    };
  }
  if (quotaSubject(parsed.data.tenantId) !== subject) {
    return { problem: `quota announcement for tenant ${parsed.data.tenantId} arrived on ${subject}; ignored` };
  }
  return { grant: parsed.data };
}
