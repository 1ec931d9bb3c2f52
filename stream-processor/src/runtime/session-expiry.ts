/**
 * Ages HAS_SESSION edges out of the identity graph. A session edge says "this user's credentials are
 * in that computer's memory"; the claim goes stale once the user logs off and the machine reboots or
 * LSASS drops the credentials, and nothing tells us when that happened. Without expiry every user
 * would keep every session ever seen, and lateral-movement paths would run through machines the
 * user left weeks ago.
 *
 * TTL 48 h (default): MDI keeps lateral-movement-path data for 48 hours. A user who logs on daily
 * keeps refreshing the edge, while a session that no event or collection has re-confirmed for two
 * days is more likely gone than present. Membership and local
 * admin edges do not expire: they are configuration, not state (EDGE_SCHEMA.expires).
 *
 * Which "now"? Per tenant, the latest event time the processor has seen for that tenant, capped by
 * the wall clock. Event time, because detections run on event time too (DESIGN.md §5): a replayed
 * file expires sessions relative to the replayed day instead of wiping them all at the first sweep.
 * Capped by the wall clock, because one event from a sensor whose clock runs years ahead would
 * otherwise expire every session of the tenant. A tenant the processor has not seen since it started
 * is not swept (it has no event time; its sessions wait until its next event).
 */
import type { IdentityGraph } from "@vigil/graph-model";

/** Default time a session edge lives after it was last seen: 48 h, as MDI keeps lateral movement paths. */
export const SESSION_TTL_MS = 48 * 60 * 60 * 1000;
/** Default sweep interval: a quarter hour adds at most 0.5 % to the 48 h lifetime and costs one query per tenant. */
export const SESSION_SWEEP_INTERVAL_MS = 15 * 60 * 1000;

/** Options of createSessionExpiry. */
export interface SessionExpiryOptions {
  graph: IdentityGraph;
  /** Default SESSION_TTL_MS. */
  ttlMs?: number;
  /** Default SESSION_SWEEP_INTERVAL_MS. */
  intervalMs?: number;
  /** Wall clock in epoch ms (injectable for tests). Default Date.now. */
  now?: () => number;
  log?: (line: string) => void;
}

/** One tenant's outcome of a sweep. */
export interface SweepResult {
  tenantId: string;
  /** Sessions last seen before this were removed. */
  olderThan: Date;
  removed: number;
  error?: string;
}

/** Counters since creation. */
export interface SessionExpiryStats {
  tenants: number;
  sweeps: number;
  removed: number;
  failures: number;
}

/** The scheduler. */
export interface SessionExpiry {
  /** Records an authenticated event's tenant and time (cheap: called for every event). */
  observe(tenantId: string, eventTimeMs: number): void;
  /** Sweeps every observed tenant once; a failing tenant is logged and retried at the next sweep. */
  sweep(): Promise<SweepResult[]>;
  /** Sweeps every `intervalMs` until stopped (unref'd: never keeps a process alive). */
  start(): void;
  /** Stops the timer and waits for a sweep in progress. */
  stop(): Promise<void>;
  stats(): SessionExpiryStats;
}

/** Builds a session-expiry scheduler; nothing runs until `start()` or `sweep()`. */
export function createSessionExpiry(options: SessionExpiryOptions): SessionExpiry {
  const ttl = options.ttlMs ?? SESSION_TTL_MS;
  const interval = options.intervalMs ?? SESSION_SWEEP_INTERVAL_MS;
  const now = options.now ?? Date.now;
  const log = options.log ?? (() => {});
  if (!(ttl > 0) || !(interval > 0)) throw new RangeError("session expiry ttlMs and intervalMs must be positive");
  const latest = new Map<string, number>();
  const counters = { sweeps: 0, removed: 0, failures: 0 };
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<SweepResult[]> | undefined;

  async function sweepAll(): Promise<SweepResult[]> {
    counters.sweeps++;
    const results: SweepResult[] = [];
    for (const [tenantId, eventTime] of latest) {
      const olderThan = new Date(Math.min(eventTime, now()) - ttl);
      try {
        const removed = await options.graph.removeExpiredSessions(tenantId, olderThan);
        counters.removed += removed;
        results.push({ tenantId, olderThan, removed });
      } catch (err) {
        counters.failures++;
        const error = err instanceof Error ? err.message : String(err);
        log(`expiring sessions of tenant ${tenantId} failed (retried next sweep): ${error}`);
        results.push({ tenantId, olderThan, removed: 0, error });
      }
    }
    return results;
  }

  const sweep = () => {
    // One sweep at a time: a slow graph must not pile up overlapping deletes.
    running ??= sweepAll().finally(() => (running = undefined));
    return running;
  };

  return {
    observe(tenantId, eventTimeMs) {
      if (!Number.isFinite(eventTimeMs)) return;
      const prev = latest.get(tenantId);
      if (prev === undefined || eventTimeMs > prev) latest.set(tenantId, eventTimeMs);
    },
    sweep,
    start() {
      if (timer) return;
      timer = setInterval(() => void sweep(), interval);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await running;
    },
    stats: () => ({ tenants: latest.size, ...counters }),
  };
}
