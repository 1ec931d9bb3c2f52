/**
 * What a sensor may do on NATS in operator (JWT) mode, as subject permissions its user JWT carries.
 *
 * A sensor publishes its tenant's events (heartbeats are `sensor.heartbeat` events, so they are
 * covered) through JetStream: a request to the event subject whose PubAck comes back on the
 * client's reply inbox. It also listens to its tenant's ingest-quota grants (`vigil.quota.<tenant>`,
 * plain fan-out from the processor): without them a throttled sensor would never hear its share.
 * It needs nothing else: no `$JS.API.>` (stream and consumer management, and reading other tenants'
 * messages with STREAM.MSG.GET), no alerts, no KV.
 *
 * The inbox is the subtle part. By default every client's inbox is `_INBOX.<random>`, and pull
 * consumers deliver messages to the processor's inbox; a sensor allowed `_INBOX.>` could subscribe
 * there and read every tenant's events. So each sensor gets an inbox of its own
 * (`_INBOX_VIGIL.<tenant>.<sensor>`) and may subscribe to that only.
 */
import { quotaSubject } from "../contract/ingest-quota.ts";
import { assertName, EVENTS_PREFIX } from "./subjects.ts";

/** Root of the per-sensor reply inboxes; not under `_INBOX` so no default inbox can collide. */
export const SENSOR_INBOX_ROOT = "_INBOX_VIGIL";

/** Who a sensor is on the bus. */
export interface SensorIdentity {
  tenantId: string;
  sensorId: string;
  /** The bus namespace (VIGIL_BUS_NAMESPACE), which prefixes every wire subject. */
  namespace?: string;
}

/** Publish / subscribe allow-lists of a sensor user (NATS denies everything not listed). */
export interface SensorPermissions {
  pub: { allow: string[] };
  sub: { allow: string[] };
}

function check(who: SensorIdentity): void {
  // Each id becomes one subject token: a dot or wildcard in it would widen the permission.
  assertName("tenant id", who.tenantId);
  assertName("sensor id", who.sensorId);
  if (who.namespace !== undefined && who.namespace !== "") assertName("namespace", who.namespace);
}

/** The reply-inbox prefix the sensor's client must use (`inboxPrefix` of the connection). */
export function sensorInboxPrefix(who: SensorIdentity): string {
  check(who);
  return `${SENSOR_INBOX_ROOT}.${who.tenantId}.${who.sensorId}`;
}

/** The permissions written into a sensor's user JWT. */
export function sensorPermissions(who: SensorIdentity): SensorPermissions {
  check(who);
  const wire = (subject: string) => (who.namespace ? `${who.namespace}.${subject}` : subject);
  return {
    pub: { allow: [wire(`${EVENTS_PREFIX}.${who.tenantId}.>`)] },
    sub: { allow: [`${sensorInboxPrefix(who)}.>`, wire(quotaSubject(who.tenantId))] },
  };
}
