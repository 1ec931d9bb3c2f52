/**
 * Keeps lateral-movement results (graph-model's precomputed paths and exposure) available for every
 * tenant whose graph the processor writes. The graph adapters keep results current on each edge write
 * once a tenant has been precomputed; nothing precomputes it in the first place, and the embedded
 * graph keeps its results in memory only, so after a restart every tenant needs one full precompute.
 * That runs on the first graph write of the tenant after start, in the background (alerts must not
 * wait for it).
 *
 * Why also a schedule (hourly by default): a HAS_SESSION edge counts for LMP while its lastSeen is
 * within 48 h of the precompute's `asOf` (LMP_SESSION_WINDOW_MS). Incremental updates keep that cutoff
 * where the last precompute put it, so without a new precompute the window stops moving and two-day-old
 * logons keep exposing accounts. Session expiry raises the cutoff too, but only to its own TTL, which
 * an operator may set longer than the LMP window. An hour adds at most 2 % to the 48 h window for one
 * full recompute per tenant per hour (cost below). It also repairs a tenant whose incremental update
 * failed and was not retried.
 *
 * Cost: a full precompute took 0.26 s on the embedded graph (synchronous: it holds the event loop) and
 * 3.3 s on Neo4j for 8k nodes / 105k edges (bench/lmp.ts at scale 0.05). On Neo4j the adapter clears
 * stored results before recomputing them, so readers see no paths for that long once per interval.
 *
 * Which "now" (as session-expiry.ts): the tenant's latest written event time, capped by the wall clock,
 * so a replayed file is judged relative to its own day and a sensor clock years ahead cannot drop every
 * session from the window.
 *
 * Race with concurrent writes: an edge written while a tenant's *first* precompute runs may be missed
 * (the adapter only updates results incrementally once a precompute has stored them), so a write seen
 * during it queues one more precompute. Later precomputes find stored results and writes keep them current.
 */
import type { IdentityGraph } from "@vigil/graph-model";

/** Default time between full precomputes of a tenant (see the header for why hourly). */
export const LMP_REFRESH_INTERVAL_MS = 60 * 60 * 1000;
/** Default wait before a failed precompute is tried again on the tenant's next write (the schedule retries too). */
export const LMP_RETRY_MS = 60 * 1000;

/** Options of createLmpRefresh. */
export interface LmpRefreshOptions {
  graph: IdentityGraph;
  /** Default LMP_REFRESH_INTERVAL_MS. */
  intervalMs?: number;
  /** Default LMP_RETRY_MS. */
  retryMs?: number;
  /** Wall clock in epoch ms (injectable for tests). Default Date.now. */
  now?: () => number;
  log?: (line: string) => void;
}

/** One tenant's precompute. */
export interface LmpRefreshResult {
  tenantId: string;
  asOf: Date;
  /** Sensitive accounts precomputed; 0 on error. */
  targets: number;
  error?: string;
}

/** Counters since creation. */
export interface LmpRefreshStats {
  tenants: number;
  precomputes: number;
  failures: number;
  /** Scheduled rounds over every tenant. */
  rounds: number;
}

/** The scheduler. */
export interface LmpRefresh {
  /** Records that the tenant's graph was written by an event of this time; queues its first precompute. Cheap. */
  written(tenantId: string, eventTimeMs: number): void;
  /** Precomputes every tenant written since start, one after another. */
  refresh(): Promise<LmpRefreshResult[]>;
  /** Resolves when no precompute is queued or running. */
  idle(): Promise<void>;
  /** Refreshes every `intervalMs` until stopped (unref'd: never keeps a process alive). */
  start(): void;
  /** Stops the timer, ignores later writes until start(), and waits for the precomputes in progress. */
  stop(): Promise<void>;
  stats(): LmpRefreshStats;
}

interface TenantState {
  /** Latest event time whose graph write was seen. */
  latest: number;
  /** A precompute stored results for the tenant since start. */
  done: boolean;
  queued: boolean;
  /** The running precompute is the tenant's first: writes during it need one more. */
  firstRunning: boolean;
  again: boolean;
  failedAt?: number;
}

/** Builds the LMP refresh scheduler; nothing runs until `written()`, `refresh()` or `start()`. */
export function createLmpRefresh(options: LmpRefreshOptions): LmpRefresh {
  const interval = options.intervalMs ?? LMP_REFRESH_INTERVAL_MS;
  const retry = options.retryMs ?? LMP_RETRY_MS;
  const now = options.now ?? Date.now;
  const log = options.log ?? (() => {});
  if (!(interval > 0) || !(retry >= 0)) throw new RangeError("LMP refresh intervalMs must be positive and retryMs not negative");
  const tenants = new Map<string, TenantState>();
  const counters = { precomputes: 0, failures: 0, rounds: 0 };
  // One precompute at a time: a full recompute is the heaviest graph work there is, and the
  // processor shares the graph (and the machine) with its own writes.
  let tail: Promise<unknown> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  let round: Promise<LmpRefreshResult[]> | undefined;
  // After stop() the processor may still drain a message: its write must not start work nobody awaits.
  let stopped = false;

  async function precompute(tenantId: string, st: TenantState): Promise<LmpRefreshResult> {
    const asOf = new Date(Math.min(st.latest, now()));
    st.firstRunning = !st.done;
    st.again = false;
    try {
      const { targets } = await options.graph.precomputeLateralMovement(tenantId, { asOf });
      counters.precomputes++;
      st.done = true;
      st.failedAt = undefined;
      return { tenantId, asOf, targets };
    } catch (err) {
      counters.failures++;
      st.failedAt = now();
      const error = err instanceof Error ? err.message : String(err);
      log(`precomputing lateral-movement paths of tenant ${tenantId} failed (retried later): ${error}`);
      return { tenantId, asOf, targets: 0, error };
    } finally {
      st.firstRunning = false;
    }
  }

  function enqueue(tenantId: string, st: TenantState): Promise<LmpRefreshResult> {
    st.queued = true;
    const run = tail.then(async () => {
      st.queued = false;
      const result = await precompute(tenantId, st);
      if (st.again && !result.error) void enqueue(tenantId, st);
      return result;
    });
    tail = run.catch(() => undefined);
    return run;
  }

  async function idle(): Promise<void> {
    // A finished precompute may queue another (see `again`): wait until the chain stops growing.
    for (let seen: Promise<unknown> | undefined; seen !== tail;) {
      seen = tail;
      await seen;
    }
  }

  const refresh = () => {
    round ??= (async () => {
      counters.rounds++;
      const results: LmpRefreshResult[] = [];
      for (const [tenantId, st] of tenants) results.push(await enqueue(tenantId, st));
      return results;
    })().finally(() => (round = undefined));
    return round;
  };

  return {
    written(tenantId, eventTimeMs) {
      if (stopped || !Number.isFinite(eventTimeMs)) return;
      let st = tenants.get(tenantId);
      if (!st) {
        st = { latest: eventTimeMs, done: false, queued: false, firstRunning: false, again: false };
        tenants.set(tenantId, st);
      } else if (eventTimeMs > st.latest) st.latest = eventTimeMs;
      if (st.firstRunning) st.again = true;
      if (st.done || st.queued || st.firstRunning) return;
      if (st.failedAt !== undefined && now() - st.failedAt < retry) return;
      void enqueue(tenantId, st);
    },
    refresh,
    idle,
    start() {
      stopped = false;
      if (timer) return;
      timer = setInterval(() => void refresh(), interval);
      timer.unref();
    },
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      timer = undefined;
      await round;
      await idle();
    },
    stats: () => ({ tenants: tenants.size, ...counters }),
  };
}
