/**
 * The shape of one posture assessment (one per file, like detections) and the rule that turns its
 * findings into a status: failed when anything is affected, unknown when an input it needs is
 * missing, passed only when every input was there and nothing was found.
 */
import { days, resolveAccount, type Directory } from "./directory.ts";
import type { AccountTraffic, AffectedEntity, PostureCategory, PostureSeverity, TrafficObservations } from "./model.ts";

/** What an assessment found: affected entities, and which needed input was absent (if any). */
export interface Findings {
  affected: AffectedEntity[];
  /** Set when an input was missing: the result is "unknown" unless something was affected anyway. */
  missing?: string;
}

/** Score points a failed assessment adds to its category (docs/posture.md). */
export interface Points {
  /** For the first affected entity. */
  base: number;
  /** For each further affected entity. */
  perEntity: number;
  /** Cap for this assessment. */
  max: number;
}

/** One posture assessment: metadata plus a pure evaluation. */
export interface PostureAssessment {
  id: string;
  title: string;
  category: PostureCategory;
  severity: PostureSeverity;
  /** The MDI assessment it mirrors. */
  source: string;
  remediation: string;
  points: Points;
  evaluate(dir: Directory, traffic: TrafficObservations | undefined): Findings;
}

/** Traffic counts only count when they cover the 30 days MDI's traffic reports use. */
export const TRAFFIC_WINDOW_DAYS = 30;

/**
 * Traffic-based findings: every account whose counter is above zero. Unknown when no traffic input
 * exists, no sensor reports, or the window ended more than a day before now (a stale aggregate would
 * otherwise pass a tenant whose sensors went quiet).
 */
export function trafficFindings(
  dir: Directory,
  traffic: TrafficObservations | undefined,
  count: (a: AccountTraffic) => number,
  reason: (a: AccountTraffic, n: number) => string,
): Findings {
  if (!traffic) return { affected: [], missing: "no traffic observations" };
  const end = Date.parse(traffic.windowEnd);
  const start = Date.parse(traffic.windowStart);
  if (Number.isNaN(end) || Number.isNaN(start) || end < dir.now - days(1))
    return { affected: [], missing: "traffic observations are older than a day" };
  const affected: AffectedEntity[] = [];
  for (const a of traffic.accounts) {
    const n = count(a);
    if (!(n > 0)) continue;
    const o = resolveAccount(dir, a.account);
    affected.push({ objectId: o?.objectId ?? a.account, name: o ? (o.name ?? a.account) : a.account, reason: reason(a, n) });
  }
  if (affected.length > 0) return { affected };
  if (traffic.monitoredDcs !== undefined && traffic.monitoredDcs.length === 0)
    return { affected, missing: "no domain controller is monitored, so no traffic could be seen" };
  if (start > dir.now - days(TRAFFIC_WINDOW_DAYS) + days(1))
    return { affected, missing: `traffic covers less than ${TRAFFIC_WINDOW_DAYS} days` };
  return { affected };
}

/** Unknown-with-reason unless the directory has been synced at least once. */
export function needsSync(dir: Directory): Findings | undefined {
  return dir.snapshot.objects.size === 0 ? { affected: [], missing: "no directory sync received yet" } : undefined;
}
