import { createHash, createHmac, timingSafeEqual } from "node:crypto";

/** Header naming the sensor that published an event. */
export const SENSOR_HEADER = "Vigil-Sensor";
/** Header carrying the event's signature by that sensor. */
export const SIGNATURE_HEADER = "Vigil-Signature";

/**
 * The stored form of a sensor key (sha256 hex of the whole key, as the API stores it). Sensors sign
 * with this value rather than the raw key so the processor, which only ever sees the hash, can
 * verify; the raw key itself never crosses the bus.
 */
export function sensorKeyHash(key: string): string {
  return createHash("sha256").update(key, "utf8").digest("hex");
}

/**
 * HMAC over subject, message id and payload: a signed event cannot be replayed onto another
 * tenant's subject, re-labelled with another id, or altered in flight.
 */
export function signEvent(keyHash: string, subject: string, msgId: string, payload: Uint8Array | string): string {
  const digest = createHash("sha256").update(payload).digest("hex");
  return createHmac("sha256", keyHash).update(`${subject}\n${msgId}\n${digest}`).digest("hex");
}

/** Constant-time check of a signature made by `signEvent`. */
export function verifyEventSignature(
  keyHash: string,
  subject: string,
  msgId: string,
  payload: Uint8Array | string,
  signature: string,
): boolean {
  const expected = Buffer.from(signEvent(keyHash, subject, msgId, payload), "hex");
  const given = Buffer.from(signature, "hex");
  return given.length === expected.length && timingSafeEqual(given, expected);
}
