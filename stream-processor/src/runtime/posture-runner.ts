/**
 * Runs the posture assessments (../posture) for every tenant the processor sees and stores the
 * results (PostureAssessment per assessment, one PostureScore per run) for the API to read.
 *
 * Inputs: every `entity.snapshot` is folded into the tenant's DirectorySnapshot and every event into
 * its traffic counters. Both live in memory and are saved as JSON in `dir` (next to the engine
 * snapshot) after each run, every `saveEveryMs` while they change, and at stop, so a restart keeps
 * the directory without waiting for a full re-sync. The save is not tied to the engine checkpoint
 * that acks messages: a crash loses what was folded since the last save (at most `saveEveryMs` of
 * it); later syncs re-emit changed objects, traffic counters of that span stay lost.
 *
 * When: (a) after a sync pass. LDAP sync emits only `entity.snapshot` events, with no end-of-pass
 * marker, so a pass counts as ended once the tenant has been quiet on snapshots for `quietMs`:
 * measured in event time when other events of the tenant keep arriving (a replay judges its own
 * day), else in wall time since the last snapshot arrived (a tenant with no other traffic).
 * (b) At least every `intervalMs` (daily, as MDI refreshes scores), so time-based assessments
 * (password age, dormant accounts, stale traffic) move without a sync.
 *
 * "now" of a run is the wall clock: statusSince and evaluatedAt are shown to people, and a traffic
 * aggregate that stopped growing must read as stale, which event time would never say.
 */
import { mkdir, readdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { RelationalStore } from "@vigil/db";
import type { IdentityGraph } from "@vigil/graph-model";
import type { VigilEvent } from "@vigil/sensor/contract";
import {
  assessPosture,
  decodeSnapshot,
  emptySnapshot,
  emptyTraffic,
  encodeSnapshot,
  foldEntitySnapshot,
  foldTraffic,
  pruneTombstones,
  trafficObservations,
  type DirectorySnapshot,
  type PostureReport,
  type TrafficState,
} from "../posture/index.ts";
import { decodeTraffic, encodeTraffic } from "./posture-runner-traffic.ts";

/** Default event-time quiet that ends a sync pass. */
export const POSTURE_SYNC_QUIET_MS = 60_000;
/** Default longest time between two runs of a tenant. */
export const POSTURE_INTERVAL_MS = 24 * 60 * 60 * 1000;

/** Options of createPostureRunner. */
export interface PostureRunnerOptions {
  store: RelationalStore;
  /** Directory for the per-tenant state files (created when missing). */
  dir: string;
  /** When set, LMP exposure per sensitive account is passed to the assessments; else they say unknown. */
  graph?: IdentityGraph;
  /** Default POSTURE_SYNC_QUIET_MS. */
  quietMs?: number;
  /** Default POSTURE_INTERVAL_MS. */
  intervalMs?: number;
  /** How often due tenants are looked for. Default min(quietMs, 60 s). */
  tickMs?: number;
  /** Least time between two saves of a tenant's state outside runs. Default 60 s. */
  saveEveryMs?: number;
  /** Wall clock in epoch ms (injectable for tests). Default Date.now. */
  now?: () => number;
  log?: (line: string) => void;
}

/** The runner. */
export interface PostureRunner {
  /** Folds one authenticated event into its tenant's state. Cheap and synchronous. */
  observe(event: VigilEvent): void;
  /** Runs every tenant whose sync pass ended or whose interval elapsed; returns the reports written. */
  runDue(): Promise<PostureReport[]>;
  /** Runs one tenant now and stores the result. */
  run(tenantId: string): Promise<PostureReport>;
  /** Loads saved state, then checks for due tenants every tickMs (unref'd). */
  start(): Promise<void>;
  /** Stops the timer, waits for a run in progress and saves every tenant's state. */
  stop(): Promise<void>;
  /** A tenant's folded directory (tests, diagnostics). */
  snapshot(tenantId: string): DirectorySnapshot | undefined;
}

interface TenantState {
  snapshot: DirectorySnapshot;
  traffic: TrafficState;
  /** Event time of the newest entity.snapshot folded since the last run, and wall time it arrived. */
  pendingSync?: { eventMs: number; wallMs: number };
  /** Newest event time of any kind. */
  latestEventMs?: number;
  /** Wall time of the last run, or of first sight (so the first daily run waits a day). */
  lastRunMs: number;
  dirty: boolean;
  /** Wall time of the last save, or of first sight. */
  savedMs: number;
}

/** The file a tenant's state is saved in (tenant ids are encoded so no id can leave `dir`). */
const fileOf = (dir: string, tenantId: string) => join(dir, `posture-${encodeURIComponent(tenantId)}.json`);

/** Builds the runner; nothing runs until start() (observe/run work without it). */
export function createPostureRunner(options: PostureRunnerOptions): PostureRunner {
  const { store, graph, dir } = options;
  const log = options.log ?? (() => undefined);
  const now = options.now ?? Date.now;
  const quietMs = options.quietMs ?? POSTURE_SYNC_QUIET_MS;
  const intervalMs = options.intervalMs ?? POSTURE_INTERVAL_MS;
  const tickMs = options.tickMs ?? Math.min(quietMs, 60_000);
  const saveEveryMs = options.saveEveryMs ?? 60_000;
  const tenants = new Map<string, TenantState>();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();

  const stateOf = (tenantId: string): TenantState => {
    let s = tenants.get(tenantId);
    if (!s) {
      s = { snapshot: emptySnapshot(tenantId), traffic: emptyTraffic(tenantId), lastRunMs: now(), dirty: false, savedMs: now() };
      tenants.set(tenantId, s);
    }
    return s;
  };

  async function save(tenantId: string, s: TenantState): Promise<void> {
    await mkdir(dir, { recursive: true });
    const file = fileOf(dir, tenantId);
    const body = { v: 1, lastRunMs: s.lastRunMs, snapshot: encodeSnapshot(s.snapshot), traffic: encodeTraffic(s.traffic) };
    // Written aside then renamed: a crash mid-write must not leave a torn file that loses the directory.
    await writeFile(`${file}.tmp`, JSON.stringify(body));
    await rename(`${file}.tmp`, file);
    s.dirty = false;
    s.savedMs = now();
  }

  async function load(): Promise<void> {
    let names: string[];
    try {
      names = await readdir(dir);
    } catch {
      return; // nothing saved yet
    }
    for (const name of names) {
      if (!/^posture-.+\.json$/.test(name)) continue;
      try {
        const body = JSON.parse(await readFile(join(dir, name), "utf8")) as Record<string, unknown>;
        const snapshot = decodeSnapshot(body.snapshot, (p) => log(`posture state ${name}: object ${p.index} skipped: ${p.reason}`));
        const traffic = decodeTraffic(body.traffic, snapshot.tenantId);
        const lastRunMs = typeof body.lastRunMs === "number" ? body.lastRunMs : now();
        tenants.set(snapshot.tenantId, { snapshot, traffic, lastRunMs, dirty: false, savedMs: now() });
      } catch (err) {
        // One unreadable file costs that tenant its history until the next sync, never the others.
        log(`posture state ${name} is unreadable, starting that tenant empty: ${(err as Error).message}`);
      }
    }
  }

  async function lmpExposure(tenantId: string): Promise<Record<string, number> | undefined> {
    if (!graph) return undefined;
    try {
      const out: Record<string, number> = {};
      const sensitive = await graph.sensitiveAccounts(tenantId);
      // Every domain has sensitive accounts: none means the graph holds no directory yet, not "nobody exposed".
      if (sensitive.length === 0) return undefined;
      for (const a of sensitive) {
        const e = await graph.exposure(tenantId, a.objectId);
        if (!e) return undefined; // not precomputed yet: unknown beats a false "nobody can reach it"
        out[a.objectId] = e.reachingAccounts;
      }
      return out;
    } catch (err) {
      log(`posture: LMP exposure of tenant ${tenantId} unavailable: ${(err as Error).message}`);
      return undefined;
    }
  }

  async function write(report: PostureReport): Promise<void> {
    const at = new Date(report.evaluatedAt);
    await store.forTenant(report.tenantId).transaction(async (tx) => {
      const held = new Map((await tx.postureAssessment.findMany({ where: { tenantId: report.tenantId } })).map((r) => [r.assessmentId, r]));
      for (const a of report.assessments) {
        const prev = held.get(a.id);
        const data = {
          title: a.title,
          category: a.category,
          severity: a.severity,
          status: a.status,
          affected: a.affected.map((e) => ({ objectId: e.objectId, name: e.name, reason: e.reason })),
          remediation: a.remediation,
          note: a.note ?? null,
          evaluatedAt: at,
          statusSince: prev && prev.status === a.status ? prev.statusSince : at,
        };
        await tx.postureAssessment.upsert({
          where: { tenantId_assessmentId: { tenantId: report.tenantId, assessmentId: a.id } },
          create: { tenantId: report.tenantId, assessmentId: a.id, ...data },
          update: data,
        });
      }
      await tx.postureScore.create({
        data: {
          tenantId: report.tenantId,
          score: report.score.score,
          categories: report.score.categories,
          complete: report.score.complete,
          unknown: report.score.unknown,
          evaluatedAt: at,
        },
      });
    });
  }

  async function runTenant(tenantId: string): Promise<PostureReport> {
    const s = stateOf(tenantId);
    const wall = now();
    const at = new Date(wall).toISOString();
    pruneTombstones(s.snapshot, at);
    const traffic = trafficObservations(s.traffic, at, await lmpExposure(tenantId));
    const report = assessPosture(s.snapshot, traffic, { now: at });
    await write(report);
    s.lastRunMs = wall;
    s.pendingSync = undefined;
    await save(tenantId, s);
    return report;
  }

  const due = (s: TenantState, wall: number): boolean => {
    if (wall - s.lastRunMs >= intervalMs) return true;
    const p = s.pendingSync;
    if (!p) return false;
    return (s.latestEventMs ?? p.eventMs) - p.eventMs >= quietMs || wall - p.wallMs >= quietMs;
  };

  /** Runs are serialised: two runs of a tenant racing could store an older report last. */
  function serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = running.then(fn, fn);
    running = next.catch(() => undefined);
    return next;
  }

  async function runDueNow(): Promise<PostureReport[]> {
    const out: PostureReport[] = [];
    for (const [tenantId, s] of tenants) {
      if (!due(s, now())) continue;
      try {
        out.push(await runTenant(tenantId));
      } catch (err) {
        // Retried on the next tick (pendingSync stays set; the interval has still elapsed).
        log(`posture run of tenant ${tenantId} failed: ${(err as Error).message}`);
      }
    }
    // Folds between runs are saved now and then too: the engine acks messages on its own snapshots,
    // so a crash would otherwise lose acked snapshots until the next full sync.
    for (const [tenantId, s] of tenants)
      if (s.dirty && now() - s.savedMs >= saveEveryMs)
        await save(tenantId, s).catch((err: Error) => log(`saving posture state of tenant ${tenantId} failed: ${err.message}`));
    return out;
  }

  return {
    observe(event) {
      const s = stateOf(event.tenantId);
      const t = Date.parse(event.time);
      try {
        foldTraffic(s.traffic, event);
        if (event.kind === "entity.snapshot" && foldEntitySnapshot(s.snapshot, event) !== "stale")
          s.pendingSync = { eventMs: Math.max(t, s.pendingSync?.eventMs ?? t), wallMs: now() };
      } catch (err) {
        // Posture is a side view: an event it cannot fold must never fail the message for the detections.
        log(`posture: event ${event.id} not folded: ${(err as Error).message}`);
        return;
      }
      s.latestEventMs = Math.max(t, s.latestEventMs ?? t);
      s.dirty = true;
    },
    runDue: () => serial(runDueNow),
    run: (tenantId) => serial(() => runTenant(tenantId)),
    async start() {
      await load();
      if (timer) return;
      timer = setInterval(() => void serial(runDueNow), tickMs);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await running;
      for (const [tenantId, s] of tenants)
        if (s.dirty)
          await save(tenantId, s).catch((err: Error) => log(`saving posture state of tenant ${tenantId} failed: ${err.message}`));
    },
    snapshot: (tenantId) => tenants.get(tenantId)?.snapshot,
  };
}
