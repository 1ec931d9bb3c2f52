import { OrderedMap } from "./ordered-map.ts";
import type { EventKind, VigilEvent } from "@vigil/sensor/contract";
import { accepts, mergeCandidate, openAlert, type Alert, type AlertLimits, type AlertUpdate, type OpenAlert } from "./alerts.ts";
import { emptyContext, isExcluded, learnFromEvent, type EntityContext } from "./context.ts";
import { MINUTE, HOUR, routedTarget, type AlertCandidate, type Detection, type EvaluateTarget } from "./detection.ts";
import { DetectionFailedError } from "./errors.ts";
import { SeenEvents } from "./seen-events.ts";
import { parseTime } from "./time.ts";
import { DetectionState, type StateSnapshot } from "./state.ts";

/** Engine settings; every bound is per tenant. */
export interface EngineOptions {
  detections: readonly Detection[];
  /** Keys each detection may keep per tenant (LRU beyond it). Default 50 000. */
  maxStateKeys?: number;
  /** Open alerts kept per tenant. Default 10 000. */
  maxOpenAlerts?: number;
  /** Event ids remembered per tenant to drop redelivered events. Default 100 000. */
  maxSeenEvents?: number;
  /** How late (event time) an event may arrive and still land in its window. Default 10 minutes. */
  latenessMs?: number;
  /** An alert stops taking updates this long after its first event. Default 24 hours. */
  maxAlertSpanMs?: number;
  maxEvidence?: number;
  maxEntities?: number;
  /** Called when a detection throws; without it the engine throws DetectionFailedError (carrying the other detections' updates). */
  onDetectionError?: (error: unknown, info: { detectionId: string; eventId: string; tenantId: string }) => void;
}

/** Plain-JSON form of everything the engine holds. */
export interface EngineSnapshot {
  v: 1;
  tenants: Record<string, TenantSnapshot>;
}

/** One tenant's part of an engine snapshot. */
export interface TenantSnapshot {
  watermark: number | null;
  context: EntityContext;
  states: Record<string, StateSnapshot>;
  alerts: { alert: Alert; windowMs: number; recent: string[] }[];
  seen: [string, number][];
}

/** Sizes of what the engine holds, for bounds and health. */
export interface EngineStats {
  tenants: number;
  stateKeys: number;
  openAlerts: number;
  seenEvents: number;
}

/** The detection engine: pure, per-tenant, replayable. */
export interface Engine {
  /** Runs every detection that reads the event's kind and returns the alerts it created or updated. */
  process(event: VigilEvent): AlertUpdate[];
  /**
   * Aggregates candidates a runtime source found outside event evaluation (graph LMP openings) as if
   * detection `detectionId` had emitted them; `key` is remembered like an event id, so raising the same
   * finding twice (a redelivery, a re-read journal) adds nothing. Exclusions apply.
   */
  raise(tenantId: string, detectionId: string, key: string, time: number, candidates: AlertCandidate[]): AlertUpdate[];
  /** A tenant's entity context. */
  context(tenantId: string): EntityContext;
  /** Replaces a tenant's context with update(current) (admin tags, exclusions, known DCs). */
  updateContext(tenantId: string, update: (ctx: EntityContext) => EntityContext): void;
  snapshot(): EngineSnapshot;
  /** Replaces all state with a snapshot's. */
  restore(snapshot: EngineSnapshot): void;
  stats(): EngineStats;
}

interface Tenant {
  watermark: number;
  ctx: EntityContext;
  /** Per detection, by its index in the engine's list (undefined until the detection first reads an event). */
  states: (DetectionState | undefined)[];
  /** Open alerts in last-touched order. */
  alerts: OrderedMap<string, OpenAlert>;
  /** Processed event ids (dedupe of redeliveries) in processing order, with their event times. */
  seen: SeenEvents;
}

/** A detection with its index into a tenant's states and the object whose evaluate the engine calls. */
interface Route {
  detection: Detection;
  index: number;
  target: EvaluateTarget;
}

// Redelivery happens within minutes to hours; a day of ids (bounded by count) covers it.
const SEEN_TTL_MS = 24 * HOUR;

function seenFrom(entries: [string, number][]): SeenEvents {
  const seen = new SeenEvents();
  for (const [id, time] of entries) seen.add(id, time);
  return seen;
}

/** Builds an engine over a list of detections. */
export function createEngine(options: EngineOptions): Engine {
  const maxStateKeys = options.maxStateKeys ?? 50_000;
  const maxOpenAlerts = options.maxOpenAlerts ?? 10_000;
  const maxSeen = options.maxSeenEvents ?? 100_000;
  const latenessMs = options.latenessMs ?? 10 * MINUTE;
  const maxSpanMs = options.maxAlertSpanMs ?? 24 * HOUR;
  const limits: AlertLimits = { maxEvidence: options.maxEvidence ?? 50, maxEntities: options.maxEntities ?? 50, maxRecentEvidence: 1024 };
  const detections = options.detections;
  const indexOf = new Map<string, number>();
  const byKind = new Map<EventKind, Route[]>();
  detections.forEach((d, index) => {
    if (indexOf.has(d.id)) throw new Error(`duplicate detection id ${d.id}`);
    indexOf.set(d.id, index);
    const route: Route = { detection: d, index, target: routedTarget(d) };
    for (const k of d.kinds) byKind.set(k, [...(byKind.get(k) ?? []), route]);
  });
  const noRoutes: Route[] = [];
  let tenants = new Map<string, Tenant>();
  // Streams come in runs of one tenant's events: the last tenant is found without hashing its id.
  let lastTenant: { id: string; tenant: Tenant } | undefined;

  const tenantOf = (id: string): Tenant => {
    if (lastTenant !== undefined && lastTenant.id === id) return lastTenant.tenant;
    let t = tenants.get(id);
    if (!t) {
      t = { watermark: Number.NEGATIVE_INFINITY, ctx: emptyContext(), states: [], alerts: new OrderedMap(), seen: new SeenEvents() };
      tenants.set(id, t);
    }
    lastTenant = { id, tenant: t };
    return t;
  };

  function aggregate(tenantId: string, t: Tenant, d: Detection, c: AlertCandidate): AlertUpdate {
    const key = `${d.id}\u0000${c.primaryEntity}`;
    const time = parseTime(c.time);
    let open = t.alerts.get(key);
    let type: AlertUpdate["type"] = "updated";
    if (open && accepts(open, time, maxSpanMs)) mergeCandidate(open, c, limits);
    else {
      open = openAlert(tenantId, d, c, limits);
      type = "created";
    }
    t.alerts.set(key, open);
    return { type, alert: structuredClone(open.alert) };
  }

  // The oldest open alert is checked on every event once any is open: its lastSeen is parsed when it
  // changes, not per event.
  const oldest = { alert: undefined as Alert | undefined, lastSeen: "", at: 0 };
  const lastSeenOf = (a: Alert): number => {
    if (a !== oldest.alert || a.lastSeen !== oldest.lastSeen) {
      oldest.alert = a;
      oldest.lastSeen = a.lastSeen;
      oldest.at = parseTime(a.lastSeen);
    }
    return oldest.at;
  };

  function prune(t: Tenant): void {
    // Both maps are in last-touched order, which tracks event time closely enough to sweep from the front.
    for (let f = t.alerts.first(); f; f = t.alerts.first()) {
      if (t.alerts.size <= maxOpenAlerts && lastSeenOf(f.value.alert) + f.value.windowMs >= t.watermark - latenessMs) break;
      t.alerts.delete(f.key);
    }
    t.seen.evict(maxSeen, t.watermark - SEEN_TTL_MS);
    t.alerts.maintain();
  }

  return {
    process(event) {
      const time = parseTime(event.time);
      if (!Number.isFinite(time)) throw new Error(`event ${event.id} has no valid time`);
      const t = tenantOf(event.tenantId);
      // Recorded up front (one lookup for check and record), and forgotten again if the engine itself
      // fails below, so a redelivery of that event is processed rather than dropped.
      if (!t.seen.add(event.id, time)) return [];
      const updates: AlertUpdate[] = [];
      let failures: { detectionId: string; error: unknown }[] | undefined;
      try {
        t.watermark = Math.max(t.watermark, time);
        t.ctx = learnFromEvent(t.ctx, event, time);
        const routes = byKind.get(event.kind) ?? noRoutes;
        for (let r = 0; r < routes.length; r++) {
          const { detection: d, index, target } = routes[r]!;
          const state = (t.states[index] ??= new DetectionState(maxStateKeys));
          state.advance(time);
          let candidates;
          try {
            candidates = target.evaluate(event, state, t.ctx);
          } catch (error) {
            (failures ??= []).push({ detectionId: d.id, error });
            continue;
          }
          for (let c = 0; c < candidates.length; c++) {
            if (!isExcluded(t.ctx, d.id, candidates[c]!)) updates.push(aggregate(event.tenantId, t, d, candidates[c]!));
          }
        }
      } catch (error) {
        t.seen.dropNewest();
        throw error;
      }
      prune(t);
      if (failures === undefined) return updates;
      for (const f of failures) {
        if (options.onDetectionError)
          options.onDetectionError(f.error, { detectionId: f.detectionId, eventId: event.id, tenantId: event.tenantId });
      }
      if (!options.onDetectionError) throw new DetectionFailedError(event.id, failures, updates);
      return updates;
    },

    raise(tenantId, detectionId, key, time, candidates) {
      const index = indexOf.get(detectionId);
      if (index === undefined) throw new Error(`unknown detection ${detectionId}`);
      const t = tenantOf(tenantId);
      if (!t.seen.add(key, time)) return [];
      const d = detections[index]!;
      const updates = candidates.filter((c) => !isExcluded(t.ctx, d.id, c)).map((c) => aggregate(tenantId, t, d, c));
      prune(t);
      return updates;
    },

    context: (tenantId) => tenants.get(tenantId)?.ctx ?? emptyContext(),

    updateContext(tenantId, update) {
      const t = tenantOf(tenantId);
      t.ctx = update(t.ctx);
    },

    snapshot() {
      const out: EngineSnapshot = { v: 1, tenants: {} };
      for (const [id, t] of tenants) {
        const states: Record<string, StateSnapshot> = {};
        t.states.forEach((s, index) => {
          if (s) states[detections[index]!.id] = s.snapshot();
        });
        out.tenants[id] = {
          watermark: Number.isFinite(t.watermark) ? t.watermark : null,
          context: structuredClone(t.ctx),
          states,
          alerts: [...t.alerts.values()].map((o) => ({ alert: structuredClone(o.alert), windowMs: o.windowMs, recent: [...o.recent] })),
          seen: [...t.seen],
        };
      }
      return out;
    },

    restore(snapshot) {
      if (snapshot.v !== 1) throw new Error(`unsupported engine snapshot version ${String(snapshot.v)}`);
      tenants = new Map();
      lastTenant = undefined;
      for (const [id, s] of Object.entries(snapshot.tenants)) {
        const states: (DetectionState | undefined)[] = [];
        for (const [d, st] of Object.entries(s.states)) {
          const index = indexOf.get(d);
          if (index !== undefined) states[index] = DetectionState.restore(st, maxStateKeys);
        }
        const alerts = new OrderedMap<string, OpenAlert>();
        for (const a of s.alerts) {
          if (!indexOf.has(a.alert.detectionId)) continue;
          alerts.set(`${a.alert.detectionId}\u0000${a.alert.primaryEntity}`, {
            alert: structuredClone(a.alert),
            windowMs: a.windowMs,
            recent: new Set(a.recent),
          });
        }
        tenants.set(id, {
          watermark: s.watermark ?? Number.NEGATIVE_INFINITY,
          ctx: structuredClone(s.context),
          states,
          alerts,
          seen: seenFrom(s.seen),
        });
      }
    },

    stats() {
      let stateKeys = 0;
      let openAlerts = 0;
      let seenEvents = 0;
      for (const t of tenants.values()) {
        for (const s of t.states) stateKeys += s?.size ?? 0;
        openAlerts += t.alerts.size;
        seenEvents += t.seen.size;
      }
      return { tenants: tenants.size, stateKeys, openAlerts, seenEvents };
    },
  };
}
