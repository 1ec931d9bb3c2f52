/** The wire contract between sensors, the processor and the API: event schema and subject names. */
export { EVENT_SCHEMA_VERSION, tokenId, type Principal, type Endpoint, type Origin } from "./common.ts";
export {
  vigilEvent,
  parseEvent,
  eventId,
  finalizeEvent,
  InvalidEventError,
  EVENT_KINDS,
  type VigilEvent,
  type EventKind,
  type EventOf,
  type EventDraft,
} from "./event.ts";
export { EVENTS_ROOT, ALERTS_ROOT, eventSubject, tenantEventsFilter, alertSubject, tenantOfSubject } from "./subjects.ts";
/** Health-issue and SIEM-test fan-out subjects. */
export { HEALTH_ROOT, SIEM_TEST_ROOT, healthSubject, siemTestSubject } from "./subjects.ts";
export { SENSOR_HEADER, SIGNATURE_HEADER, sensorKeyHash, signEvent, verifyEventSignature } from "./sensor-auth.ts";
/** Ingest quotas: the tenant quota, its per-sensor grant and the `vigil.quota.<tenantId>` announcements. */
export {
  QUOTA_ROOT,
  quotaSubject,
  quotaGrant,
  parseQuotaGrant,
  ingestQuotaProblems,
  DEFAULT_INGEST_QUOTA,
  MAX_INGEST_RATE_PER_SECOND,
  MAX_INGEST_BURST,
  type IngestQuota,
  type QuotaGrant,
} from "./ingest-quota.ts";
