/**
 * Turns a bus message into a trusted event, or says precisely why it is poison. Authentication runs
 * before the payload is even decoded: the sensor is looked up in the tenant of the SUBJECT (never the
 * payload's claim) and the signature, over subject + msg id + payload bytes, must verify with that
 * sensor's key hash. Only then is the payload parsed, and its tenant and sensor must match what was
 * authenticated. (DESIGN.md §6: the processor rejects events whose sensor does not belong to the
 * subject's tenant.)
 */
import {
  InvalidEventError,
  parseEvent,
  SENSOR_HEADER,
  SIGNATURE_HEADER,
  tenantOfSubject,
  verifyEventSignature,
  type VigilEvent,
} from "@vigil/sensor/contract";
import type { BusMessage } from "@vigil/sensor/bus";
import { InvalidTenantError, type SensorDirectory } from "./sensor-directory.ts";

/** An authenticated event, or the dead-letter reason of a poison message. */
export type Verdict = { event: VigilEvent } | { poison: string };

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Authenticates and decodes one message; rejects only on store failures (transient: nak and retry). */
export async function authenticate(msg: BusMessage, sensors: SensorDirectory): Promise<Verdict> {
  const tenant = tenantOfSubject(msg.subject);
  if (!tenant) return { poison: `subject ${msg.subject} is not a tenant event subject` };
  const sensorId = msg.headers[SENSOR_HEADER];
  if (!sensorId) return { poison: `missing ${SENSOR_HEADER} header` };
  const signature = msg.headers[SIGNATURE_HEADER];
  if (!signature) return { poison: `missing ${SIGNATURE_HEADER} header` };
  if (!msg.msgId) return { poison: "missing Nats-Msg-Id header (the signature covers it)" };

  let sensor;
  try {
    sensor = await sensors.find(tenant, sensorId);
  } catch (err) {
    if (err instanceof InvalidTenantError) return { poison: `subject tenant ${tenant} is not a valid tenant id` };
    throw err;
  }
  if (!sensor) return { poison: `sensor ${sensorId} is not registered in tenant ${tenant}` };
  if (sensor.revokedAt) return { poison: `sensor ${sensorId} of tenant ${tenant} was revoked at ${sensor.revokedAt.toISOString()}` };
  if (!verifyEventSignature(sensor.keyHash, msg.subject, msg.msgId, msg.data, signature)) {
    return { poison: `bad signature: event not signed by sensor ${sensorId}'s key for subject ${msg.subject} and msg id ${msg.msgId}` };
  }

  let decoded: unknown;
  try {
    decoded = JSON.parse(utf8.decode(msg.data));
  } catch (err) {
    return { poison: `undecodable payload: ${(err as Error).message}` };
  }
  let event: VigilEvent;
  try {
    event = parseEvent(decoded);
  } catch (err) {
    if (err instanceof InvalidEventError) return { poison: err.message };
    throw err;
  }
  if (event.tenantId !== tenant) return { poison: `subject tenant ${tenant} does not match event tenantId ${event.tenantId}` };
  if (event.sensorId !== sensorId) {
    return { poison: `${SENSOR_HEADER} header ${sensorId} does not match event sensorId ${event.sensorId}` };
  }
  return { event };
}
