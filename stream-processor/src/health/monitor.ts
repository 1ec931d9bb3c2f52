/**
 * The health monitor: keeps the observations (observations.ts) from the event stream, runs the rules
 * (rules.ts) on every heartbeat and on a timer, and turns their decisions into HealthIssue rows:
 *
 *   raised, no active row         → new row, status open                  → announce "raised"
 *   raised, open row              → lastSeen / description / details updated (quietly)
 *   raised, suppressed, not due   → lastSeen updated (quietly): suppression is the admin's call
 *   raised, suppression expired   → status open again                     → announce "reopened"
 *   cleared, open or suppressed   → status closed, closedAt               → announce "closed"
 *
 * Changes are announced on `vigil.health.<tenantId>` after the transaction commits. The monitor
 * never blocks event processing: `observe` only records, evaluations run in the background one per
 * tenant at a time, and a failing store is logged and retried on the next tick.
 */
import type { HealthIssue, Prisma, RelationalStore, TenantTransaction } from "@vigil/db";
import type { EventBus } from "@vigil/sensor/bus";
import { healthSubject, type VigilEvent } from "@vigil/sensor/contract";
import { healthIssueType } from "./issue-types.ts";
import { emptyObservations, observe, observeSiemDrops, type TenantObservations } from "./observations.ts";
import { observeIngestQuota } from "./ingest-quota-issue.ts";
import { evaluateHealth, issueKeyString, type Finding, type HealthThresholds, type IssueKey } from "./rules.ts";

/** A health issue as announced and forwarded (the row, dates as ISO strings). */
export interface HealthIssuePayload {
  tenantId: string;
  id: string;
  sensorId: string | null;
  type: string;
  subject: string;
  title: string;
  severity: "low" | "medium" | "high";
  status: "open" | "closed" | "suppressed";
  description: string;
  details: unknown;
  firstSeen: string;
  lastSeen: string;
  closedAt: string | null;
  suppressedUntil: string | null;
}

/** What `vigil.health.<tenantId>` carries. */
export interface HealthIssueChange {
  change: "raised" | "reopened" | "closed" | "suppressed";
  issue: HealthIssuePayload;
}

/** Settings a deployment chooses. */
export interface HealthMonitorSettings {
  /** Timer between evaluations of every tenant. Default 60 s. */
  intervalMs?: number;
  thresholds?: Partial<HealthThresholds>;
  /** Injectable clock (ms). Default Date.now. */
  clock?: () => number;
}

/** What a monitor is built from. */
export interface HealthMonitorOptions extends HealthMonitorSettings {
  store: RelationalStore;
  /** Where changes are announced; without it they are only written (and passed to onChange). */
  bus?: Pick<EventBus, "publish">;
  /** DC names the directory lists for a tenant (the engine's context, from LDAP sync). */
  knownDcs?: (tenantId: string) => readonly string[];
  /**
   * Whether this instance processes the tenant's events (its partition's lane is here). The timer
   * evaluates only those: another processor's tenant has none of its observations here, so every
   * instance would repeat the owner's evaluation from the database alone (N processors, N times the
   * work and the row writes). Default: every tenant (one processor).
   */
  owns?: (tenantId: string) => boolean;
  /** Called after each committed change (the SIEM forwarder listens here). */
  onChange?: (change: HealthIssueChange) => void;
  log: (line: string) => void;
}

/** A running monitor. */
export interface HealthMonitor {
  /** Records one authenticated event; a heartbeat also schedules its tenant's evaluation. */
  observe(event: VigilEvent): void;
  /** The SIEM forwarder dropped notifications of a tenant (queue overflow). */
  siemDropped(tenantId: string, count: number): void;
  /** The processor's metered arrivals of a tenant against its ingest quota (runtime/ingest-quotas.ts). */
  ingestQuota(reading: {
    tenantId: string;
    ratePerSecond: number;
    quota: { ratePerSecond: number; burst: number };
    exceeded: boolean;
  }): void;
  /** Evaluates one tenant now (or every tenant), resolving to the changes made. */
  evaluate(tenantId?: string): Promise<HealthIssueChange[]>;
  /** What the monitor has observed of a tenant so far (diagnostics and tests). */
  observations(tenantId: string): Readonly<TenantObservations> | undefined;
  /** Waits for evaluations already scheduled. */
  idle(): Promise<void>;
  start(): void;
  stop(): Promise<void>;
}

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** The announced form of a row. */
export function toHealthPayload(row: HealthIssue): HealthIssuePayload {
  return {
    tenantId: row.tenantId,
    id: row.id,
    sensorId: row.sensorId,
    type: row.type,
    subject: row.subject,
    title: healthIssueType(row.type)?.title ?? row.type,
    severity: row.severity,
    status: row.status,
    description: row.description,
    details: row.details,
    firstSeen: row.firstSeen.toISOString(),
    lastSeen: row.lastSeen.toISOString(),
    closedAt: row.closedAt?.toISOString() ?? null,
    suppressedUntil: row.suppressedUntil?.toISOString() ?? null,
  };
}

/** Builds a monitor; the timer runs only between `start()` and `stop()`. */
export function createHealthMonitor(options: HealthMonitorOptions): HealthMonitor {
  const { store, log } = options;
  const clock = options.clock ?? Date.now;
  const observations = new Map<string, TenantObservations>();
  const running = new Map<string, Promise<HealthIssueChange[]>>();
  const queued = new Map<string, Promise<HealthIssueChange[]>>();
  const lastSeenWrites = new Map<string, number>();
  let timer: NodeJS.Timeout | undefined;
  const started = clock();

  const obsOf = (tenantId: string) => {
    let o = observations.get(tenantId);
    if (!o) observations.set(tenantId, (o = emptyObservations(started)));
    return o;
  };

  /**
   * One evaluation per tenant at a time. Requests while one runs share a single follow-up (it reads
   * the clock and the store when it starts, so it sees everything they asked about): a burst of
   * heartbeats never builds a queue of evaluations.
   */
  function schedule(tenantId: string): Promise<HealthIssueChange[]> {
    const waiting = queued.get(tenantId);
    if (waiting) return waiting;
    const before = running.get(tenantId) ?? Promise.resolve([]);
    const next = before
      .catch(() => [])
      .then(() => {
        queued.delete(tenantId);
        return evaluateTenant(tenantId);
      })
      .catch((err: unknown) => {
        log(`health evaluation of tenant ${tenantId} failed: ${errorText(err)}`);
        return [] as HealthIssueChange[];
      });
    queued.set(tenantId, next);
    running.set(tenantId, next);
    void next.finally(() => {
      if (running.get(tenantId) === next) running.delete(tenantId);
    });
    return next;
  }

  async function evaluateTenant(tenantId: string): Promise<HealthIssueChange[]> {
    const now = clock();
    const obs = obsOf(tenantId);
    const changes = await store.forTenant(tenantId).transaction(async (tx) => {
      await recordLastSeen(tx, tenantId, obs);
      // One after another: a transaction is one session (PGlite has only one), so nothing runs in parallel anyway.
      const sensors = await tx.sensor.findMany({ select: { id: true, name: true, createdAt: true, lastSeenAt: true, revokedAt: true } });
      const credentials = await tx.directoryServiceCredential.findMany({ select: { name: true, domainName: true, lastTestOk: true } });
      const active = await tx.healthIssue.findMany({ where: { status: { in: ["open", "suppressed"] } }, orderBy: { firstSeen: "asc" } });
      const decisions = evaluateHealth({
        now,
        observations: obs,
        sensors,
        knownDcs: options.knownDcs?.(tenantId) ?? [],
        credentials,
        ...(options.thresholds ? { thresholds: options.thresholds } : {}),
      });
      return apply(tx, tenantId, decisions.raise, decisions.clear, active, new Date(now));
    });
    for (const c of changes) await announce(c);
    return changes;
  }

  /** Any event moves Sensor.lastSeenAt (heartbeats also the version), at most once a minute per sensor (the API lists them). */
  async function recordLastSeen(tx: TenantTransaction, tenantId: string, obs: TenantObservations) {
    for (const [sensorId, at] of Object.entries(obs.contacts)) {
      const key = `${tenantId}\u0000${sensorId}`;
      const written = lastSeenWrites.get(key);
      if (written !== undefined && at - written < 60_000) continue;
      const version = obs.sensors[sensorId]?.version;
      await tx.sensor.updateMany({
        where: { OR: [{ id: sensorId }, { name: sensorId }], revokedAt: null },
        data: { lastSeenAt: new Date(at), ...(version ? { version } : {}) },
      });
      lastSeenWrites.set(key, at);
    }
  }

  async function apply(
    tx: TenantTransaction,
    tenantId: string,
    raise: Finding[],
    clear: IssueKey[],
    active: HealthIssue[],
    now: Date,
  ): Promise<HealthIssueChange[]> {
    const byKey = new Map<string, HealthIssue[]>();
    for (const row of active) {
      const k = issueKeyString(row);
      byKey.set(k, [...(byKey.get(k) ?? []), row]);
    }
    const changes: HealthIssueChange[] = [];
    for (const f of raise) {
      const rows = byKey.get(issueKeyString(f)) ?? [];
      const data = {
        severity: f.issue.severity,
        description: f.description,
        details: f.details as Prisma.InputJsonValue,
        lastSeen: now,
      };
      if (rows.length === 0) {
        const row = await tx.healthIssue.create({
          data: { tenantId, sensorId: f.sensorId, type: f.type, subject: f.subject, status: "open", firstSeen: now, ...data },
        });
        changes.push({ change: "raised", issue: toHealthPayload(row) });
        continue;
      }
      for (const row of rows) {
        const expired = row.status === "suppressed" && (!row.suppressedUntil || row.suppressedUntil <= now);
        const updated = await tx.healthIssue.update({
          where: { id: row.id },
          data: expired ? { ...data, status: "open", suppressedUntil: null } : data,
        });
        if (expired) changes.push({ change: "reopened", issue: toHealthPayload(updated) });
      }
    }
    for (const k of clear) {
      for (const row of byKey.get(issueKeyString(k)) ?? []) {
        const closed = await tx.healthIssue.update({
          where: { id: row.id },
          data: { status: "closed", closedAt: now, suppressedUntil: null },
        });
        changes.push({ change: "closed", issue: toHealthPayload(closed) });
      }
    }
    return changes;
  }

  async function announce(change: HealthIssueChange) {
    try {
      await options.bus?.publish(healthSubject(change.issue.tenantId), JSON.stringify(change));
    } catch (err) {
      // The row is committed; a subscriber that misses the announcement reads it from the API.
      log(`health announcement for tenant ${change.issue.tenantId} failed: ${errorText(err)}`);
    }
    try {
      options.onChange?.(change);
    } catch (err) {
      log(`health change listener failed: ${errorText(err)}`);
    }
  }

  async function evaluateAll(): Promise<HealthIssueChange[]> {
    // Every tenant, not only those heard from: a processor restarted while a sensor is down must still raise it.
    const tenants = await store.prisma.tenant.findMany({ select: { id: true } });
    const owns = options.owns ?? (() => true);
    // Tenant by tenant, so a timer tick never holds more than one store connection for health.
    const changes: HealthIssueChange[] = [];
    for (const t of tenants) if (owns(t.id)) changes.push(...(await schedule(t.id)));
    return changes;
  }

  return {
    observe(event) {
      observe(obsOf(event.tenantId), event, clock());
      if (event.kind === "sensor.heartbeat") void schedule(event.tenantId);
    },
    siemDropped(tenantId, count) {
      observeSiemDrops(obsOf(tenantId), count, clock());
    },
    ingestQuota(reading) {
      const obs = obsOf(reading.tenantId);
      obs.ingestQuota = observeIngestQuota(obs.ingestQuota, reading, clock());
      // Raised at once rather than at the next timer tick (schedule folds repeats); clearing can wait for it.
      if (reading.exceeded) void schedule(reading.tenantId);
    },
    evaluate(tenantId) {
      return tenantId ? schedule(tenantId) : evaluateAll();
    },
    observations: (tenantId) => observations.get(tenantId),
    async idle() {
      while (running.size > 0) await Promise.all([...running.values()]);
    },
    start() {
      if (timer) return;
      timer = setInterval(() => {
        evaluateAll().catch((err: unknown) => log(`health evaluation failed: ${errorText(err)}`));
      }, options.intervalMs ?? 60_000);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      timer = undefined;
      await this.idle();
    },
  };
}
