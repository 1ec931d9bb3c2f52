/**
 * Personal data follows the directory (issue 7): when LDAP sync reports a user deleted from AD, the
 * person's profile data (entity tags) and graph activity are deleted, unless an open alert involves
 * them, as MDI does; and observed activity is kept 180 days at most.
 *
 * Deletion is scheduled, not done inline: the processor only notes the deleted snapshot (`observe`),
 * and the job deletes on its next run. A person an open alert involves stays pending and is retried
 * on every run, so the deletion happens on the first run after the alert closes. "Open" is the
 * `open` status only, as in the API's deletePersonalData: closed and suppressed are both final triage
 * states. Pending deletions are stored (personal-data-store.ts) as soon as the tombstone is seen and
 * reloaded after a start, so a restart does not forget the ones still blocked: the tombstone itself
 * is acknowledged and never delivered again. The row goes when the deletion is done. The reload reads
 * every tenant (row-level security allows no cross-tenant read), so with many tenants it takes a
 * while: the first scheduled run begins it (not `start()`, so a short-lived processor adds no load),
 * scheduled runs do not wait for it (what it finds is handled by the next run), and `runOnce()` does.
 *
 * Which edges are "activities"? Observed sessions (HAS_SESSION: a logon put the user's credentials on
 * a machine) are what the person did; they are deleted with the person and age out after 180 days.
 * MEMBER_OF and ADMIN_TO describe directory configuration (even when an event such as 4728 reported
 * them): they stay true however old the observation, LDAP sync reconciles them, and ageing them out
 * would erase memberships still in force. A deleted person loses their outgoing ones too, since the
 * configuration is about an account that no longer exists.
 *
 * Retention "now" is per tenant the latest event time seen, capped by the wall clock (as in
 * session-expiry.ts): a replayed file keeps its sessions relative to the replayed day.
 */
import type { EdgeRef, IdentityGraph } from "@vigil/graph-model";
import type { EventOf, VigilEvent } from "@vigil/sensor/contract";
import { normSid } from "../engine/names.ts";
import { PendingDeletions, type PendingDeletionStore } from "./personal-data-store.ts";

const DAY_MS = 86_400_000;
/** Default lifetime of observed activity: 180 days (issue 7). */
export const ACTIVITY_RETENTION_DAYS = 180;
/** The audit actor of every automatic deletion. */
export const SYSTEM_ACTOR = "system:processor";
// Bounds one person's reads, as the API's deletePersonalData does.
const MAX_ACTIVITIES = 10_000;
const MAX_OPEN_ALERTS = 10_000;

/** Options of createPersonalDataJob. */
export interface PersonalDataJobOptions {
  /** `prisma` lists the tenants whose stored pending deletions are reloaded after a start. */
  store: PendingDeletionStore;
  graph: IdentityGraph;
  /** Default ACTIVITY_RETENTION_DAYS. */
  activityDays?: number;
  /** Pause between runs (default 15 min); the first runs `firstRunDelayMs` after start (default 1 min). */
  intervalMs?: number;
  firstRunDelayMs?: number;
  /** Wall clock (injectable so tests move time). */
  now?: () => Date;
  log: (line: string) => void;
}

/** A person whose deletion is scheduled. */
export interface PendingPerson {
  tenantId: string;
  /** Upper-case SID (the graph node's objectId). */
  sid: string;
  /** sAMAccountName, and DOMAIN\sam when the DN names the domain. */
  names: string[];
}

/** One run's outcome. */
export interface PersonalDataReport {
  deleted: { tenantId: string; sid: string; tagsDeleted: number; activitiesDeleted: number }[];
  /** Still pending: `blockingAlerts` are the open alerts that keep them. */
  blocked: { tenantId: string; sid: string; blockingAlerts: string[] }[];
  /** Activity edges removed by retention, per tenant. */
  expired: { tenantId: string; olderThan: Date; removed: number }[];
  /** "tenant: reason" of what failed (retried next run). */
  failed: string[];
}

/** The scheduled job the processor runs. */
export interface PersonalDataJob {
  /** Notes a deleted user snapshot (schedules and stores the deletion) and the tenant's event time; cheap. */
  observe(event: VigilEvent): void;
  pending(): PendingPerson[];
  /** Reloads stored deletions (if not yet done), deletes what is due and purges old activity now. Never throws for one tenant's failure. */
  runOnce(): Promise<PersonalDataReport>;
  start(): void;
  /** Stops the schedule and waits for a run and pending-deletion writes in progress. */
  stop(): Promise<void>;
}

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** The person a deleted user snapshot names, or undefined for anything else. */
export function deletedPerson(event: EventOf<"entity.snapshot">): PendingPerson | undefined {
  const e = event.entity;
  const sid = normSid(e.objectId);
  if (e.objectType !== "user" || !e.deleted || !sid) return undefined;
  // AD renames a tombstone "alice\nDEL:<guid>"; sAMAccountName survives on the tombstone.
  const sam = typeof e.attributes.sAMAccountName === "string" ? e.attributes.sAMAccountName : e.name?.split(/\n|\\0A/)[0];
  const domain = /(?:^|,)\s*DC=([^,]+)/i.exec(e.dn ?? "")?.[1];
  const names = sam ? [sam, ...(domain ? [`${domain}\\${sam}`] : [])] : [];
  return { tenantId: event.tenantId, sid: sid.toUpperCase(), names };
}

/** Entity keys (lower-cased) under which alerts and tags may name the person. */
export function personKeys(p: PendingPerson): Set<string> {
  const ids = [p.sid, ...p.names];
  return new Set(ids.flatMap((id) => [`user:${id}`, `account:${id}`].map((k) => k.toLowerCase())));
}

/**
 * The person's graph nodes: the SID node LDAP sync and SID-bearing events write, and the name-keyed
 * nodes events without a SID write (graph-keys.ts: `USER:<DOMAIN>\\<SAM>`, `USER:<SAM>`).
 */
export function graphIds(p: PendingPerson): string[] {
  return [p.sid, ...p.names.map((n) => `USER:${n}`.toUpperCase())];
}

/** Builds the job; nothing runs until `start()` or `runOnce()`. */
export function createPersonalDataJob(options: PersonalDataJobOptions): PersonalDataJob {
  const activityMs = (options.activityDays ?? ACTIVITY_RETENTION_DAYS) * DAY_MS;
  const interval = options.intervalMs ?? 15 * 60_000;
  const firstDelay = options.firstRunDelayMs ?? 60_000;
  const now = options.now ?? (() => new Date());
  const { store, graph, log } = options;
  if (!(activityMs > 0) || !(interval > 0)) throw new RangeError("personal-data activityDays and intervalMs must be positive");
  const pendingRows = new PendingDeletions(store, now);
  // `saved`: the row exists; a failed write is retried by the next run before it tries the deletion.
  const waiting = new Map<string, { person: PendingPerson; saved: boolean }>();
  const writes = new Set<Promise<void>>();
  let loaded = false;
  let loading: Promise<void> | undefined;
  let stopping = false;
  // Filled by a reload in the background; the next run's report carries them.
  const loadFailures: string[] = [];
  const latest = new Map<string, number>();
  const keyOf = (p: PendingPerson) => `${p.tenantId}\u0000${p.sid}`;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<PersonalDataReport> | undefined;

  const audit = (tenantId: string, action: string, target: string, after: Record<string, unknown>) =>
    store.forTenant(tenantId).auditEntry.create({
      data: { tenantId, actor: SYSTEM_ACTOR, action, target, after: JSON.parse(JSON.stringify(after)) as Record<string, string> },
    });

  async function openAlertsOf(p: PendingPerson): Promise<string[]> {
    const keys = personKeys(p);
    // Keys differ in case between detections (`account:s-1-…`, `user:S-1-…`), so match here, not in SQL.
    const open = await store.forTenant(p.tenantId).alert.findMany({
      select: { id: true, primaryEntity: true, entities: true },
      where: { tenantId: p.tenantId, status: "open" },
      take: MAX_OPEN_ALERTS,
    });
    const listed = (entities: unknown) =>
      Array.isArray(entities) &&
      entities.some((e) => typeof e === "object" && e !== null && keys.has(String((e as { key?: unknown }).key).toLowerCase()));
    return open.filter((a) => keys.has(a.primaryEntity.toLowerCase()) || listed(a.entities)).map((a) => a.id);
  }

  async function deletePerson(p: PendingPerson) {
    const keys = [...personKeys(p)];
    const db = store.forTenant(p.tenantId);
    const tagsDeleted = (
      await db.entityTag.deleteMany({
        where: { tenantId: p.tenantId, OR: keys.map((k) => ({ entityKey: { equals: k, mode: "insensitive" as const } })) },
      })
    ).count;
    const activities: EdgeRef[] = [];
    for (const id of graphIds(p)) {
      const edges = await graph.neighbours(p.tenantId, id, { direction: "both", limit: MAX_ACTIVITIES });
      for (const { edge } of edges)
        if (edge.kind === "HAS_SESSION" ? edge.to === id : edge.from === id)
          activities.push({ kind: edge.kind, from: edge.from, to: edge.to });
    }
    const activitiesDeleted = activities.length > 0 ? await graph.removeEdges(p.tenantId, activities) : 0;
    await audit(p.tenantId, "personal-data:delete", `entity:user:${p.sid}`, {
      reason: "deleted from the directory",
      deleted: true,
      tagsDeleted,
      activitiesDeleted,
    });
    return { tagsDeleted, activitiesDeleted };
  }

  /** Stored deletions join the in-memory ones; repeated by later runs until every tenant loaded. */
  function load(): Promise<void> {
    if (loaded) return Promise.resolve();
    loading ??= (async () => {
      let complete = true;
      const fail = (tenantId: string, err: unknown) => {
        complete = false;
        loadFailures.push(`${tenantId}: ${errorText(err)}`);
        log(`personal data: loading pending deletions of tenant ${tenantId} failed (retried next run): ${errorText(err)}`);
      };
      try {
        for (const row of await pendingRows.loadAll(fail, () => stopping)) {
          const person = { tenantId: row.tenantId, sid: row.sid, names: row.names };
          if (!waiting.has(keyOf(person))) waiting.set(keyOf(person), { person, saved: true });
        }
      } catch (err) {
        fail("*", err);
      }
      loaded = complete && !stopping;
    })().finally(() => (loading = undefined));
    return loading;
  }

  function persist(entry: { person: PendingPerson; saved: boolean }): void {
    const write = pendingRows.save(entry.person).then(
      () => {
        entry.saved = true;
      },
      (err: unknown) =>
        log(
          `personal data: storing the pending deletion of ${entry.person.sid} (tenant ${entry.person.tenantId}) failed, retried next run: ${errorText(err)}`,
        ),
    );
    writes.add(write);
    void write.finally(() => writes.delete(write));
  }

  async function run(waitForLoad: boolean): Promise<PersonalDataReport> {
    const report: PersonalDataReport = { deleted: [], blocked: [], expired: [], failed: [] };
    const reload = load();
    if (waitForLoad) await reload;
    report.failed.push(...loadFailures.splice(0));
    await Promise.all(writes);
    for (const [key, entry] of [...waiting]) {
      const p = entry.person;
      try {
        if (!entry.saved) {
          await pendingRows.save(p);
          entry.saved = true;
        }
        const blockingAlerts = await openAlertsOf(p);
        if (blockingAlerts.length > 0) {
          report.blocked.push({ tenantId: p.tenantId, sid: p.sid, blockingAlerts });
          await pendingRows.attempted(p);
          continue;
        }
        report.deleted.push({ tenantId: p.tenantId, sid: p.sid, ...(await deletePerson(p)) });
        // Deleted before the row goes: a crash in between repeats an idempotent deletion, never skips one.
        await pendingRows.done(p);
        waiting.delete(key);
      } catch (err) {
        report.failed.push(`${p.tenantId}: ${errorText(err)}`);
        log(`personal data: deleting ${p.sid} of tenant ${p.tenantId} failed (retried next run): ${errorText(err)}`);
        await pendingRows.attempted(p).catch(() => {});
      }
    }
    for (const [tenantId, eventTime] of latest) {
      const olderThan = new Date(Math.min(eventTime, now().getTime()) - activityMs);
      try {
        const removed = await graph.removeExpiredSessions(tenantId, olderThan);
        report.expired.push({ tenantId, olderThan, removed });
        if (removed > 0) await audit(tenantId, "activity:retention", "graph:HAS_SESSION", { removed, olderThan });
      } catch (err) {
        report.failed.push(`${tenantId}: ${errorText(err)}`);
        log(`personal data: activity retention of tenant ${tenantId} failed (retried next run): ${errorText(err)}`);
      }
    }
    if (report.deleted.length > 0) log(`personal data: deleted ${report.deleted.length} people removed from the directory`);
    return report;
  }

  const runNow = (waitForLoad: boolean) => {
    // One run at a time: a slow store must not pile up overlapping deletes.
    running ??= run(waitForLoad).finally(() => (running = undefined));
    return running;
  };
  const runOnce = () => runNow(true);

  const schedule = (delay: number) => {
    timer = setTimeout(() => {
      void runNow(false)
        .catch((err: unknown) => log(`personal data: ${errorText(err)}`))
        .finally(() => {
          if (timer) schedule(interval);
        });
    }, delay);
    timer.unref();
  };

  return {
    observe(event) {
      const time = Date.parse(event.time);
      const prev = latest.get(event.tenantId);
      if (Number.isFinite(time) && (prev === undefined || time > prev)) latest.set(event.tenantId, time);
      if (event.kind !== "entity.snapshot") return;
      const person = deletedPerson(event);
      if (!person) return;
      const entry = { person, saved: false };
      waiting.set(keyOf(person), entry);
      persist(entry);
    },
    pending: () => [...waiting.values()].map((e) => e.person),
    runOnce,
    start() {
      stopping = false;
      if (!timer) schedule(firstDelay);
    },
    async stop() {
      // A reload in progress ends after the tenant it is reading; the next start resumes it.
      stopping = true;
      clearTimeout(timer);
      timer = undefined;
      await running?.catch(() => {});
      await loading;
      await Promise.all(writes);
    },
  };
}
