import type { RelationalStore } from "@vigil/db";

const DAY_MS = 86_400_000;

/** How long Vigil keeps what, and how often it purges. */
export interface RetentionPolicy {
  /** Audit entries (issue 7: 90 days). */
  auditDays: number;
  /** Posture score history (the trend; 90 days). */
  postureScoreDays: number;
  /** Pause between purges (default 1 h); the first runs `firstRunDelayMs` after start (default 1 min). */
  intervalMs: number;
  firstRunDelayMs: number;
}

export const DEFAULT_RETENTION: RetentionPolicy = { auditDays: 90, postureScoreDays: 90, intervalMs: 3_600_000, firstRunDelayMs: 60_000 };

/** What the retention job is built from; the clock is injectable so tests can move time. */
export interface RetentionJobOptions {
  store: Pick<RelationalStore, "prisma" | "forTenant">;
  policy?: Partial<RetentionPolicy>;
  now?: () => Date;
  log: (line: string) => void;
}

/** One purge's outcome. */
export interface RetentionReport {
  at: Date;
  tenants: number;
  auditEntriesDeleted: number;
  postureScoresDeleted: number;
  /** Tenants whose purge failed (retried on the next run); the others were still purged. */
  failed: string[];
}

/** The scheduled purge the processor runs. */
export interface RetentionJob {
  /** Purges every tenant once, now (as the clock says). Never throws for one tenant's failure. */
  runOnce(): Promise<RetentionReport>;
  start(): void;
  /** Stops the schedule and waits for a purge in progress. */
  stop(): Promise<void>;
}

/**
 * Deletes audit entries older than `auditDays`, tenant by tenant, each under its own scope (RLS
 * applies to the purge too). Runs in the processor, the one long-lived deployable that owns the
 * store. Observed activity in the graph (sessions) expires much sooner, in session-expiry.ts.
 */
export function createRetentionJob(options: RetentionJobOptions): RetentionJob {
  const policy = { ...DEFAULT_RETENTION, ...options.policy };
  const now = options.now ?? (() => new Date());
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<RetentionReport> | undefined;

  async function purge(): Promise<RetentionReport> {
    const at = now();
    const auditCutoff = new Date(at.getTime() - policy.auditDays * DAY_MS);
    const scoreCutoff = new Date(at.getTime() - policy.postureScoreDays * DAY_MS);
    const tenants = await options.store.prisma.tenant.findMany({ select: { id: true }, orderBy: { id: "asc" } });
    const report: RetentionReport = { at, tenants: tenants.length, auditEntriesDeleted: 0, postureScoresDeleted: 0, failed: [] };
    for (const { id } of tenants) {
      try {
        const db = options.store.forTenant(id);
        report.auditEntriesDeleted += (await db.auditEntry.deleteMany({ where: { tenantId: id, at: { lt: auditCutoff } } })).count;
        report.postureScoresDeleted += (
          await db.postureScore.deleteMany({ where: { tenantId: id, evaluatedAt: { lt: scoreCutoff } } })
        ).count;
      } catch (err) {
        report.failed.push(id);
        options.log(`retention: purging tenant ${id} failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    if (report.auditEntriesDeleted > 0 || report.postureScoresDeleted > 0) {
      options.log(`retention: deleted ${report.auditEntriesDeleted} audit entries and ${report.postureScoresDeleted} posture scores`);
    }
    return report;
  }

  const runOnce = () => {
    running ??= purge().finally(() => {
      running = undefined;
    });
    return running;
  };

  const schedule = (delay: number) => {
    timer = setTimeout(() => {
      runOnce()
        .catch((err: unknown) => options.log(`retention: ${err instanceof Error ? err.message : String(err)}`))
        .finally(() => {
          if (timer) schedule(policy.intervalMs);
        });
    }, delay);
    timer.unref();
  };

  return {
    runOnce,
    start() {
      if (!timer) schedule(policy.firstRunDelayMs);
    },
    async stop() {
      clearTimeout(timer);
      timer = undefined;
      await running?.catch(() => {});
    },
  };
}
