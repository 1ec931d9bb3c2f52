// Helpers for the processor tests (unit and integration): tenants and sensors created the way the API
// does, events signed and published the way a sensor does, and readers for what the processor wrote.
// Not exported from the package.
import { randomBytes } from "node:crypto";
import type { RelationalStore } from "@vigil/db";
import type { EventBus } from "@vigil/sensor/bus";
import {
  alertSubject,
  eventSubject,
  finalizeEvent,
  SENSOR_HEADER,
  SIGNATURE_HEADER,
  sensorKeyHash,
  signEvent,
  type EventDraft,
  type VigilEvent,
} from "@vigil/sensor/contract";
import { allDetections } from "../detections/index.ts";
import { acct, group, kdcEvent, membership, replay, replication, success, DOMAIN_SID } from "../detections/test-events.ts";
import type { AlertAnnouncement } from "../sinks/alert-publisher.ts";

/** A registered sensor and the key it signs with. */
export interface TestSensor {
  tenantId: string;
  id: string;
  name: string;
  keyHash: string;
}

/** Creates the tenant row (platform level). */
export async function createTenant(store: RelationalStore, tenantId: string): Promise<void> {
  await store.prisma.tenant.create({ data: { id: tenantId, name: `Tenant ${tenantId}` } });
}

/** Registers a sensor in a tenant as the admin mutation does (only the key hash is stored). */
export async function createSensor(store: RelationalStore, tenantId: string, name = "dc01", revokedAt?: Date): Promise<TestSensor> {
  const key = `vgl_${randomBytes(32).toString("base64url")}`;
  const keyHash = sensorKeyHash(key);
  const row = await store.forTenant(tenantId).sensor.create({
    data: { tenantId, name, kind: "dc", keyHash, keyPrefix: key.slice(0, 12), ...(revokedAt ? { revokedAt } : {}) },
  });
  return { tenantId, id: row.id, name, keyHash };
}

/** The same event as published by another tenant / sensor (a new id, as the sensor would derive it). */
export function reissue(event: VigilEvent, over: { tenantId?: string; sensorId?: string }): VigilEvent {
  const { id: _id, v: _v, ...draft } = event;
  return finalizeEvent({ ...draft, ...over } as EventDraft);
}

/** How to tamper with a publication (each field replaces what a real sensor would send). */
export interface PublishOverrides {
  subject?: string;
  msgId?: string;
  payload?: string;
  sensorHeader?: string;
  signature?: string;
  /** Sign with this key hash instead of the sensor's. */
  signWith?: string;
}

/** Publishes an event signed like `vigil sensor` does: subject of its tenant and kind, msg id = event id. */
export async function publishSigned(bus: EventBus, sensor: TestSensor, event: VigilEvent, o: PublishOverrides = {}): Promise<void> {
  const subject = o.subject ?? eventSubject(sensor.tenantId, event.kind);
  const msgId = o.msgId ?? event.id;
  const payload = o.payload ?? JSON.stringify(event);
  const signature = o.signature ?? signEvent(o.signWith ?? sensor.keyHash, subject, msgId, payload);
  await bus.publish(subject, payload, {
    msgId,
    headers: { [SENSOR_HEADER]: o.sensorHeader ?? sensor.id, [SIGNATURE_HEADER]: signature },
  });
}

/** Collects every announcement on a tenant's alert subject until `stop()`. */
export async function listenAlerts(bus: EventBus, tenantId: string): Promise<{ items: AlertAnnouncement[]; stop(): void }> {
  const sub = await bus.subscribe(alertSubject(tenantId));
  const items: AlertAnnouncement[] = [];
  void (async () => {
    for await (const m of sub) items.push(m.json<AlertAnnouncement>());
  })();
  return { items, stop: () => sub.unsubscribe() };
}

/** Polls until `condition` holds (or fails with `what` after `timeoutMs`). */
export async function waitFor(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A tenant's alerts with their evidence ids, in a stable order, for comparing runs. */
export async function storedAlerts(store: RelationalStore, tenantId: string) {
  const db = store.forTenant(tenantId);
  const alerts = await db.alert.findMany({ orderBy: { id: "asc" } });
  const evidence = await db.alertEvidence.findMany({ orderBy: [{ alertId: "asc" }, { eventId: "asc" }] });
  return alerts.map((a) => ({
    id: a.id,
    detectionId: a.detectionId,
    primaryEntity: a.primaryEntity,
    count: a.count,
    firstSeen: a.firstSeen.toISOString(),
    lastSeen: a.lastSeen.toISOString(),
    evidence: evidence.filter((e) => e.alertId === a.id).map((e) => e.eventId),
  }));
}

/** How many times each alert id was announced as created. */
export function createdCounts(announcements: AlertAnnouncement[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const a of announcements) if (a.type === "created") counts.set(a.alert.id, (counts.get(a.alert.id) ?? 0) + 1);
  return counts;
}

/**
 * `n` events inside one hour of event time (spacing × n ≤ 1 h): DCSync by mallory and by eve and
 * additions to Domain Admins by admin (three alerts, each under 50 events so every evidence id is
 * kept whatever the order), among logons and service tickets that only write sessions.
 */
export function scenario(tenantId: string, sensorId: string, n = 40, spacingMs = 60_000): VigilEvent[] {
  const events: VigilEvent[] = [];
  for (let i = 0; i < n; i++) {
    const t = i * spacingMs;
    if (i % 8 === 0) events.push(replication(acct("mallory", 1105), { t, ip: "10.0.0.66" }));
    else if (i % 13 === 0) events.push(replication(acct("eve", 1106), { t, ip: "10.0.0.67" }));
    else if (i % 11 === 0)
      events.push(membership(acct("admin", 500), acct(`u${i}`, 3000 + i), group("Domain Admins", `${DOMAIN_SID}-512`), { t }));
    else if (i % 2 === 0) events.push(success("logon", `user${i % 5}`, { t, host: `WS${i % 7}` }));
    else events.push(kdcEvent("DC01", { t, host: `WS${i % 3}` }));
  }
  return events.map((e) => reissue(e, { tenantId, sensorId }));
}

/** What one clean pass of the engine over the events yields, in storedAlerts' shape. */
export function expectedAlerts(events: VigilEvent[]) {
  const { alerts } = replay(allDetections, events);
  return alerts
    .map((a) => ({
      id: a.id,
      detectionId: a.detectionId,
      primaryEntity: a.primaryEntity,
      count: a.count,
      firstSeen: a.firstSeen,
      lastSeen: a.lastSeen,
      evidence: [...a.evidenceEventIds].sort(),
    }))
    .sort((x, y) => (x.id < y.id ? -1 : 1));
}
