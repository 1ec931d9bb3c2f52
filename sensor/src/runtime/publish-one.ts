import { isBusError, type EventBus, type PublishResult } from "../bus/index.ts";
import { eventSubject, SENSOR_HEADER, SIGNATURE_HEADER, signEvent, type EventKind } from "../contract/index.ts";

/** What publishing needs from the bus: only `publish`, so a bus that is still connecting can stand in. */
export type PublishingBus = Pick<EventBus, "publish">;

/** Who signs: the tenant and sensor the events must belong to, and the stored form of the sensor key. */
export interface SensorIdentity {
  tenantId: string;
  sensorId: string;
  keyHash: string;
}

/**
 * Publishes one serialized event to `vigil.events.<tenantId>.<kind>` with its id as `Nats-Msg-Id` and
 * the sensor's signature over exactly the bytes sent, so a spooled event drains byte-identical.
 */
export function publishSigned(
  bus: PublishingBus,
  who: SensorIdentity,
  kind: EventKind,
  id: string,
  payload: Buffer,
): Promise<PublishResult> {
  const subject = eventSubject(who.tenantId, kind);
  return bus.publish(subject, payload, {
    msgId: id,
    headers: { [SENSOR_HEADER]: who.sensorId, [SIGNATURE_HEADER]: signEvent(who.keyHash, subject, id, payload) },
  });
}

// The nats.js client raises these before anything is sent: the message itself is unacceptable.
const REFUSED_BY_CLIENT = new Set(["InvalidArgumentError", "InvalidSubjectError"]);

/**
 * True unless the bus said this message can never be accepted (bad subject, payload over the server's
 * max_payload). Anything else, unknown errors included, is worth spooling and retrying: losing an
 * event is worse than retrying one the msgId dedupe will drop.
 */
export function isTransientPublishError(error: unknown): boolean {
  if (!isBusError(error)) return true;
  if (error.code === "BUS_INVALID_SUBJECT" || error.code === "BUS_INVALID_OPTIONS") return false;
  const cause = error.cause as { name?: string } | undefined;
  return !(error.code === "BUS_PUBLISH_FAILED" && cause?.name !== undefined && REFUSED_BY_CLIENT.has(cause.name));
}

/** The kind and id of a spooled event body, checked against who is draining it. */
export function spooledIdentity(body: Buffer, who: SensorIdentity): { kind: EventKind; id: string } | string {
  let value: { kind?: unknown; id?: unknown; tenantId?: unknown; sensorId?: unknown };
  try {
    value = JSON.parse(body.toString("utf8")) as typeof value;
  } catch (error) {
    return `spooled record is not JSON: ${(error as Error).message}`;
  }
  if (typeof value.kind !== "string" || typeof value.id !== "string") return "spooled record has no kind or id";
  if (value.tenantId !== who.tenantId || value.sensorId !== who.sensorId) {
    return `spooled event ${value.id} belongs to tenant ${String(value.tenantId)} / sensor ${String(value.sensorId)}, not ${who.tenantId} / ${who.sensorId}`;
  }
  return { kind: value.kind as EventKind, id: value.id };
}
