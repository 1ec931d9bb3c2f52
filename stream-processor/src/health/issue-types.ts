/**
 * The health issues Vigil raises, after MDI's list (mdi-catalog §6). The `type` strings are stable:
 * they are stored, returned by the API and sent to SIEMs, so never rename one. `externalId` is the
 * CEF externalId: MDI publishes no ids for health alerts, so Vigil numbers them in the 10xx range its
 * predecessor ATA used, keeping ATA's 1011 for the disconnected sensor.
 */
import type { Severity } from "../engine/detection.ts";
import { INGEST_QUOTA_EXCEEDED } from "./ingest-quota-issue.ts";

/** Whether an issue concerns one sensor or the whole tenant (MDI's "sensor" and "global" issues). */
export type HealthScope = "sensor" | "tenant";

/** What a health issue type is. */
export interface HealthIssueType {
  type: string;
  title: string;
  severity: Severity;
  scope: HealthScope;
  /** CEF class name (MDI/ATA style: `…MonitoringAlert`). */
  className: string;
  externalId: string;
  /** What to do about it, appended to descriptions. */
  remedy: string;
}

const issue = (t: HealthIssueType) => t;

/** Every health issue type, keyed by `type`. */
export const HEALTH_ISSUE_TYPES = {
  sensorStopped: issue({
    type: "sensor-stopped-communicating",
    title: "Sensor stopped communicating",
    severity: "medium",
    scope: "sensor",
    className: "SensorStoppedCommunicatingMonitoringAlert",
    externalId: "1011",
    remedy: "Check that the sensor process runs and can reach NATS.",
  }),
  eventsDropped: issue({
    type: "sensor-events-dropped",
    title: "Some events are not being analyzed",
    severity: "medium",
    scope: "sensor",
    className: "SensorEventsDroppedMonitoringAlert",
    externalId: "1012",
    remedy: "The sensor dropped events (spool full or refused); give the spool more room or the bus more capacity.",
  }),
  spoolGrowing: issue({
    type: "sensor-spool-growing",
    title: "Sensor spool is growing",
    severity: "medium",
    scope: "sensor",
    className: "SensorSpoolGrowingMonitoringAlert",
    externalId: "1013",
    remedy: "The sensor cannot publish as fast as it reads; check its NATS connection.",
  }),
  parseErrors: issue({
    type: "sensor-parse-errors",
    title: "High rate of unreadable records",
    severity: "low",
    scope: "sensor",
    className: "SensorParseErrorsMonitoringAlert",
    externalId: "1014",
    remedy: "Check the sensor log for the records it could not read.",
  }),
  captureDrops: issue({
    type: "sensor-capture-drops",
    title: "Some network traffic could not be analyzed",
    severity: "medium",
    scope: "sensor",
    className: "SensorCaptureDropsMonitoringAlert",
    externalId: "1015",
    remedy: "The capture dropped packets; give the sensor more CPU or narrow the capture filter.",
  }),
  credentialFailing: issue({
    type: "directory-credential-failing",
    title: "Directory services user credentials are incorrect",
    severity: "medium",
    scope: "tenant",
    className: "DirectoryServicesCredentialsMonitoringAlert",
    externalId: "1016",
    remedy: "Check the directory-service account's user name, password and ___domain.",
  }),
  dcNoTraffic: issue({
    type: "dc-no-traffic",
    title: "No traffic received from ___domain controller",
    severity: "medium",
    scope: "sensor",
    className: "DomainControllerNoTrafficMonitoringAlert",
    externalId: "1017",
    remedy: "Check event forwarding / port mirroring from the ___domain controller to its sensor.",
  }),
  dcWithoutSensor: issue({
    type: "dc-without-sensor",
    title: "Domain controller has no sensor",
    severity: "medium",
    scope: "tenant",
    className: "DomainControllerWithoutSensorMonitoringAlert",
    externalId: "1018",
    remedy: "Install a sensor on (or forward events from) this ___domain controller.",
  }),
  ntlmAuditing: issue({
    type: "ntlm-auditing-not-enabled",
    title: "NTLM auditing is not enabled",
    severity: "medium",
    scope: "sensor",
    className: "NtlmAuditingMonitoringAlert",
    externalId: "1019",
    remedy: "Enable NTLM auditing (event 8004) on the ___domain controller.",
  }),
  credentialValidationAuditing: issue({
    type: "credential-validation-auditing-not-enabled",
    title: "Credential Validation auditing is not enabled",
    severity: "medium",
    scope: "sensor",
    className: "CredentialValidationAuditingMonitoringAlert",
    externalId: "1020",
    remedy: "Enable Advanced Audit Policy: Account Logon / Credential Validation (event 4776).",
  }),
  dsAccessAuditing: issue({
    type: "directory-service-access-auditing-not-enabled",
    title: "Directory Services Object Auditing is not enabled as required",
    severity: "medium",
    scope: "sensor",
    className: "DirectoryServicesObjectAuditingMonitoringAlert",
    externalId: "1021",
    remedy: "Enable DS Access / Directory Service Access auditing (event 4662) and the required SACLs.",
  }),
  dsChangesAuditing: issue({
    type: "directory-service-changes-auditing-not-enabled",
    title: "Directory Services Advanced Auditing is not enabled as required",
    severity: "medium",
    scope: "sensor",
    className: "DirectoryServicesAdvancedAuditingMonitoringAlert",
    externalId: "1022",
    remedy: "Enable DS Access / Directory Service Changes auditing (event 5136).",
  }),
  radiusSecret: issue({
    type: "radius-shared-secret-mismatch",
    title: "RADIUS accounting data ingestion failures",
    severity: "low",
    scope: "sensor",
    className: "RadiusAccountingMonitoringAlert",
    externalId: "1023",
    remedy: "The RADIUS shared secret of the VPN server and the sensor differ; set the same secret on both.",
  }),
  siemOverflow: issue({
    type: "siem-queue-overflow",
    title: "SIEM notifications were dropped",
    severity: "medium",
    scope: "tenant",
    className: "SiemQueueOverflowMonitoringAlert",
    externalId: "1024",
    remedy: "The syslog receiver was unreachable or too slow for too long; check it and its address.",
  }),
  ingestQuotaExceeded: INGEST_QUOTA_EXCEEDED,
} as const;

/** Windows event ids whose absence from a DC means an audit policy is off, and the issue it raises. */
export const REQUIRED_AUDIT_EVENTS: ReadonlyArray<{ eventId: number; issue: HealthIssueType }> = [
  { eventId: 8004, issue: HEALTH_ISSUE_TYPES.ntlmAuditing },
  { eventId: 4776, issue: HEALTH_ISSUE_TYPES.credentialValidationAuditing },
  { eventId: 4662, issue: HEALTH_ISSUE_TYPES.dsAccessAuditing },
  { eventId: 5136, issue: HEALTH_ISSUE_TYPES.dsChangesAuditing },
];

const BY_TYPE = new Map<string, HealthIssueType>(Object.values(HEALTH_ISSUE_TYPES).map((t) => [t.type, t]));

/** The issue type for a stored `type` string, or undefined for one this version does not know. */
export const healthIssueType = (type: string): HealthIssueType | undefined => BY_TYPE.get(type);

/**
 * Heartbeat counter names the rules read. The sensor's publisher supplies `dropped`, `spoolBytes`
 * and `spooling`; the sensor command supplies `records` and `problems`; capture and RADIUS sources
 * add theirs when present (absent counters never raise anything).
 */
export const HEALTH_COUNTERS = {
  dropped: "dropped",
  spoolBytes: "spoolBytes",
  records: "records",
  problems: "problems",
  captureDropped: "captureDropped",
  radiusBadAuthenticator: "radiusBadAuthenticator",
} as const;
