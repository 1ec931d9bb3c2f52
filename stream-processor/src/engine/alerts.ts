import { createHash } from "node:crypto";
import type { AlertCandidate, AlertEntity, DetectionMeta, Severity } from "./detection.ts";
import { SEVERITY_RANK } from "./detection.ts";
import { parseTime } from "./time.ts";

/** An aggregated alert: one per detection, primary entity and activity burst. */
export interface Alert {
  /** Deterministic: hash of tenant, detection, primary entity and the window its first event fell in. */
  id: string;
  tenantId: string;
  detectionId: string;
  title: string;
  description: string;
  severity: Severity;
  mitre: string[];
  primaryEntity: string;
  /** Entities with their `key` (`<kind>:<id>`), the id the API's `entity(id)` and entity filter use. */
  entities: KeyedAlertEntity[];
  /** The first evidence event ids (bounded); `evidenceCount` counts them all. */
  evidenceEventIds: string[];
  evidenceCount: number;
  /** Candidates merged into this alert. */
  count: number;
  firstSeen: string;
  lastSeen: string;
  recommendedActions: string[];
}

/** What the engine returns per candidate: a new alert or a new version of an open one. */
export interface AlertUpdate {
  type: "created" | "updated";
  alert: Alert;
}

/** Bounds on one alert's lists. */
export interface AlertLimits {
  maxEvidence: number;
  maxEntities: number;
  /** Evidence ids remembered per alert to skip re-sent evidence (detections may repeat a window). */
  maxRecentEvidence: number;
}

/** An alert still accepting updates, with the evidence ids it has recently taken. */
export interface OpenAlert {
  alert: Alert;
  windowMs: number;
  recent: Set<string>;
}

/** The alert id: same tenant, detection, entity and first window → same id, so replays upsert. */
export function alertId(tenantId: string, detectionId: string, primaryEntity: string, firstSeenMs: number, windowMs: number): string {
  const windowStart = Math.floor(firstSeenMs / windowMs) * windowMs;
  return createHash("sha256")
    .update([tenantId, detectionId, primaryEntity, String(windowStart)].join("\u0000"))
    .digest("hex")
    .slice(0, 32);
}

/** Opens an alert from its first candidate. */
export function openAlert(tenantId: string, meta: DetectionMeta, c: AlertCandidate, limits: AlertLimits): OpenAlert {
  const first = c.firstTime ?? c.time;
  const open: OpenAlert = {
    alert: {
      id: alertId(tenantId, meta.id, c.primaryEntity, parseTime(first), meta.windowMs),
      tenantId,
      detectionId: meta.id,
      title: c.title,
      description: c.description,
      severity: c.severity,
      mitre: [...meta.mitre],
      primaryEntity: c.primaryEntity,
      entities: [],
      evidenceEventIds: [],
      evidenceCount: 0,
      count: 1,
      firstSeen: first,
      lastSeen: c.time,
      recommendedActions: [...meta.recommendedActions],
    },
    windowMs: meta.windowMs,
    recent: new Set(),
  };
  addEntities(open.alert, c.entities, limits);
  addEvidence(open, c.evidenceEventIds, limits);
  return open;
}

/** True when a candidate at time t still belongs to the open alert (within its window, span not exceeded). */
export function accepts(open: OpenAlert, t: number, maxSpanMs: number): boolean {
  const first = parseTime(open.alert.firstSeen);
  const last = parseTime(open.alert.lastSeen);
  return t <= last + open.windowMs && t >= first - open.windowMs && t <= first + Math.max(maxSpanMs, open.windowMs);
}

/** Merges a candidate into an open alert; the text follows the latest candidate of the highest severity. */
export function mergeCandidate(open: OpenAlert, c: AlertCandidate, limits: AlertLimits): void {
  const a = open.alert;
  a.count += 1;
  if (SEVERITY_RANK[c.severity] >= SEVERITY_RANK[a.severity]) {
    a.severity = c.severity;
    a.title = c.title;
    a.description = c.description;
  }
  const first = c.firstTime ?? c.time;
  if (parseTime(first) < parseTime(a.firstSeen)) a.firstSeen = first;
  if (parseTime(c.time) > parseTime(a.lastSeen)) a.lastSeen = c.time;
  addEntities(a, c.entities, limits);
  addEvidence(open, c.evidenceEventIds, limits);
}

/** An alert entity as stored: the detection's entity plus its entity key. */
export type KeyedAlertEntity = AlertEntity & { key: string };

/** The entity key shared by alerts, tags and the API: `user:S-1-5-…`, `computer:wks01`, `ip:10.0.0.66`. */
export const entityKey = (e: Pick<AlertEntity, "kind" | "id">) => `${e.kind}:${e.id}`;

function addEntities(a: Alert, entities: AlertEntity[], limits: AlertLimits): void {
  for (const e of entities) {
    if (a.entities.length >= limits.maxEntities) return;
    if (!a.entities.some((x) => x.role === e.role && x.kind === e.kind && x.id === e.id)) a.entities.push({ key: entityKey(e), ...e });
  }
}

function addEvidence(open: OpenAlert, ids: string[], limits: AlertLimits): void {
  const a = open.alert;
  for (const id of ids) {
    if (open.recent.has(id) || a.evidenceEventIds.includes(id)) continue;
    open.recent.add(id);
    if (open.recent.size > limits.maxRecentEvidence) open.recent.delete(open.recent.values().next().value!);
    a.evidenceCount += 1;
    if (a.evidenceEventIds.length < limits.maxEvidence) a.evidenceEventIds.push(id);
  }
}
