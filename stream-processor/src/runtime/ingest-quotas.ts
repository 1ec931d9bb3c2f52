/**
 * Ingest quotas on the processor: it is the one place that sees every sensor of a tenant (all of a
 * tenant's events reach the processor, or partition owner, that consumes it), so it
 *
 *   - reads each tenant's quota (Tenant.ingestRatePerSecond / ingestBurst, null = deployment default),
 *     again every `announceMs`, so an operator's change is live within that time;
 *   - counts the tenant's active sensors (authenticated events in the last `activeSensorMs`) and
 *     announces the even split on `vigil.quota.<tenantId>`, which the sensors throttle to;
 *   - meters what actually arrives and reports each tenant's reading (the health monitor raises
 *     `ingest-quota-exceeded` for a tenant sustaining more than its quota: a sensor ignores it);
 *   - runs the fairness gate (tenant-fairness.ts) that defers such a tenant's excess while others wait.
 */
import type { RelationalStore } from "@vigil/db";
import type { EventBus } from "@vigil/sensor/bus";
import { ingestQuotaProblems, quotaGrant, quotaSubject, type IngestQuota } from "@vigil/sensor/contract";
import { TenantFairness, type Deferral, type FairnessOptions, type GateMessage } from "./tenant-fairness.ts";

/** What a deployment chooses. */
export interface IngestQuotaSettings {
  /** The quota of tenants whose row sets none (env VIGIL_INGEST_RATE_PER_SECOND / VIGIL_INGEST_BURST). */
  defaults: IngestQuota;
  /** Quotas re-read and grants announced this often (default 5000 ms). */
  announceMs?: number;
  /** A sensor counts towards the split while heard from within this (default 120 s: four heartbeats). */
  activeSensorMs?: number;
  /** A tenant exceeds its quota when it sustains more than rate × tolerance + burst / window (default 1.2). */
  tolerance?: number;
  /** The processing-side gate; false: meter and announce only. */
  fairness?: FairnessOptions | false;
  now?: () => number;
}

/** One tenant's metered arrivals against its quota. */
export interface QuotaReading {
  tenantId: string;
  ratePerSecond: number;
  windowMs: number;
  quota: IngestQuota;
  exceeded: boolean;
}

/** What the control is built from. */
export interface IngestQuotaOptions extends IngestQuotaSettings {
  store: RelationalStore;
  bus: Pick<EventBus, "publish">;
  /** The consumer's max_deliver: deferrals keep half of the deliveries for real retries. */
  maxDeliver: number;
  log: (line: string) => void;
  /** Each tick's reading of every metered tenant (the health monitor listens). */
  onReading?: (reading: QuotaReading) => void;
}

/** A running quota control. */
export interface IngestQuotaControl {
  /** Undefined: process the message now; otherwise nak it with this delay. */
  admit(m: GateMessage): Deferral | undefined;
  /** An authenticated event of `sensorId`: the sensor is active. */
  observe(tenantId: string, sensorId: string): void;
  /** The tenant's quota as last read (the defaults until then). */
  quota(tenantId: string): IngestQuota;
  /** Re-reads quotas, announces grants and reports readings now (the timer does this every announceMs). */
  tick(): Promise<void>;
  stats(): { deferred: number; tenants: number };
  start(): void;
  stop(): Promise<void>;
}

const MAX_TENANTS = 100_000;
const MAX_SENSORS_PER_TENANT = 10_000;
/** Tenant rows read per query. */
const LOAD_CHUNK = 500;

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** Builds the control; the announcement timer runs between `start()` and `stop()`. */
export function createIngestQuotaControl(options: IngestQuotaOptions): IngestQuotaControl {
  const now = options.now ?? Date.now;
  const announceMs = options.announceMs ?? 5000;
  const activeMs = options.activeSensorMs ?? 120_000;
  const tolerance = options.tolerance ?? 1.2;
  const quotas = new Map<string, IngestQuota>();
  const sensors = new Map<string, Map<string, number>>();
  const loading = new Map<string, Promise<void>>();
  const announced = new Map<string, string>();
  const warned = new Map<string, string>();
  const gate = options.fairness === false ? undefined : new TenantFairness((t) => effective(t), options.maxDeliver, options.fairness, now);
  let timer: NodeJS.Timeout | undefined;
  let ticking: Promise<void> | undefined;

  function effective(tenantId: string): IngestQuota {
    const known = quotas.get(tenantId);
    if (known) return known;
    if (!loading.has(tenantId) && quotas.size < MAX_TENANTS) void load([tenantId]);
    return options.defaults;
  }

  function load(tenantIds: string[]): Promise<void> {
    const wanted = tenantIds.filter((t) => !loading.has(t));
    const done = (async () => {
      for (let i = 0; i < wanted.length; i += LOAD_CHUNK) {
        const chunk = wanted.slice(i, i + LOAD_CHUNK);
        // The tenant table is platform-level (no RLS): one query serves a chunk of tenants.
        const rows = await options.store.prisma.tenant.findMany({
          where: { id: { in: chunk } },
          select: { id: true, ingestRatePerSecond: true, ingestBurst: true },
        });
        const byId = new Map(rows.map((r) => [r.id, r]));
        for (const t of chunk) {
          const row = byId.get(t);
          const quota = {
            ratePerSecond: row?.ingestRatePerSecond ?? options.defaults.ratePerSecond,
            burst: row?.ingestBurst ?? options.defaults.burst,
          };
          // The API refuses such values; a row edited by hand gets the defaults rather than a stopped tenant.
          const problems = ingestQuotaProblems(quota);
          const warning =
            problems.length > 0 ? `tenant ${t} has an unusable ingest quota (${problems.join("; ")}); using the defaults` : "";
          if (warning && warned.get(t) !== warning) options.log(warning);
          warned.set(t, warning);
          quotas.set(t, problems.length > 0 ? options.defaults : quota);
        }
      }
    })()
      .catch((err: unknown) => {
        options.log(`reading ingest quotas failed (defaults apply until the next tick): ${errorText(err)}`);
        // Remembered as defaults so admit() does not query again for every message while the store is down.
        for (const t of wanted) if (!quotas.has(t)) quotas.set(t, options.defaults);
      })
      .finally(() => {
        for (const t of wanted) loading.delete(t);
      });
    for (const t of wanted) loading.set(t, done);
    return done;
  }

  function activeSensors(tenantId: string, at: number): number {
    const seen = sensors.get(tenantId);
    if (!seen) return 0;
    for (const [id, last] of seen) if (at - last > activeMs) seen.delete(id);
    if (seen.size === 0) sensors.delete(tenantId);
    return seen.size;
  }

  async function announce(tenantId: string, at: number): Promise<void> {
    const count = activeSensors(tenantId, at);
    if (count === 0) return;
    const grant = quotaGrant(tenantId, effective(tenantId), count, new Date(at));
    const key = `${grant.ratePerSecond}/${grant.burst}/${grant.sensors}`;
    try {
      await options.bus.publish(quotaSubject(tenantId), JSON.stringify(grant));
      if (announced.get(tenantId) !== key) {
        options.log(`ingest quota of tenant ${tenantId}: ${grant.ratePerSecond}/s (burst ${grant.burst}) split over ${count} sensor(s)`);
      }
      announced.set(tenantId, key);
    } catch (err) {
      options.log(`announcing the ingest quota of tenant ${tenantId} failed: ${errorText(err)}`);
    }
  }

  function tick(): Promise<void> {
    ticking ??= runTick().finally(() => (ticking = undefined));
    return ticking;
  }

  async function runTick(): Promise<void> {
    const at = now();
    const active = [...sensors.keys()];
    const metered = gate?.readings() ?? [];
    await load([...new Set([...active, ...metered.map((r) => r.tenantId)])]);
    for (const tenantId of active) await announce(tenantId, at);
    for (const r of metered) {
      const quota = effective(r.tenantId);
      const exceeded = r.ratePerSecond > quota.ratePerSecond * tolerance + quota.burst / (r.windowMs / 1000);
      try {
        options.onReading?.({ ...r, quota, exceeded });
      } catch (err) {
        options.log(`ingest quota listener failed: ${errorText(err)}`);
      }
    }
  }

  return {
    admit: (m) => gate?.admit(m),
    observe(tenantId, sensorId) {
      let seen = sensors.get(tenantId);
      const fresh = !seen?.has(sensorId);
      if (!seen) {
        if (sensors.size >= MAX_TENANTS) return;
        sensors.set(tenantId, (seen = new Map()));
      }
      if (fresh && seen.size >= MAX_SENSORS_PER_TENANT) return;
      seen.set(sensorId, now());
      // A new sensor changes every sensor's share: tell them now rather than at the next tick.
      if (fresh && timer) void announce(tenantId, now());
    },
    quota: effective,
    tick,
    stats: () => ({ deferred: gate?.deferred ?? 0, tenants: quotas.size }),
    start() {
      if (timer) return;
      timer = setInterval(() => void tick(), announceMs);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      timer = undefined;
      await ticking;
      await Promise.all(loading.values());
    },
  };
}
