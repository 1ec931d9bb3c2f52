/** Detection engine and detections of the stream processor (DESIGN.md §5). */

/** The engine: routing, exclusions, aggregation, snapshots. */
export {
  createEngine,
  type Engine,
  type EngineOptions,
  type EngineSnapshot,
  type TenantSnapshot,
  type EngineStats,
} from "./engine/engine.ts";
/** Aggregated alerts and the updates the engine emits. */
export { alertId, entityKey, type Alert, type AlertUpdate, type KeyedAlertEntity } from "./engine/alerts.ts";
/** What a detection is and emits. */
export {
  defineDetection,
  SEVERITY_RANK,
  type Detection,
  type TypedDetection,
  type DetectionMeta,
  type AlertCandidate,
  type AlertEntity,
  type AlertEntityKind,
  type EntityRole,
  type Severity,
  type SourceCode,
} from "./engine/detection.ts";
/** Per-tenant, per-detection bounded state. */
export { DetectionState, type StateSnapshot, type WindowEntry, type WindowOptions, type Json } from "./engine/state.ts";
/** Entity context (DCs, sensitive groups, honeytokens, exclusions) and its pure updates and queries. */
export {
  emptyContext,
  addDc,
  tagSensitive,
  tagHoneytoken,
  addExclusion,
  removeExclusion,
  learnFromEvent,
  isDcHost,
  isDcEndpoint,
  isDcAccount,
  isSensitiveGroup,
  isHoneytoken,
  isExcluded,
  isEntityExcluded,
  type EntityContext,
} from "./engine/context.ts";
/** MDI's default sensitive groups plus Vigil's additions. */
export { DEFAULT_SENSITIVE_GROUPS, type SensitiveGroupDefault } from "./engine/sensitive-groups.ts";
/** A detection threw while evaluating an event. */
export { DetectionFailedError } from "./engine/errors.ts";
/** The detections. */
export * from "./detections/index.ts";
/** The processor runtime: consume, authenticate, detect, write, announce, ack after the covering snapshot. */
export { createProcessor, type Processor, type ProcessorOptions, type ProcessorStats } from "./runtime/processor.ts";
/** Partitioned processing: several instances share partitions through leases (docs/scaling.md). */
export { PartitionError, type PartitionErrorCode } from "./runtime/partitions/errors.ts";
export type { PartitionedConsumption } from "./runtime/partitions/runtime.ts";
/** Ingest quotas on the processor (grants, metering) and the per-tenant fairness gate a consumer loop asks before each message. */
export {
  createIngestQuotaControl,
  type IngestQuotaControl,
  type IngestQuotaOptions,
  type IngestQuotaSettings,
  type QuotaReading,
} from "./runtime/ingest-quotas.ts";
export { TenantFairness, type FairnessOptions, type GateMessage, type Deferral, type TenantBudget } from "./runtime/tenant-fairness.ts";
/** The processor's snapshot file (engine state plus sink work still to retry). */
export { readSnapshot, type ProcessorSnapshot } from "./runtime/checkpoint.ts";
/** What `vigil.alerts.<tenantId>` carries. */
export type { AlertAnnouncement } from "./sinks/alert-publisher.ts";
/** The alert as stored and announced. */
export type { AlertPayload } from "./sinks/alert-writer.ts";
/** Which graph nodes and edges an event writes (pure; see graph-writer.ts for the rules). */
export { planGraphWrites, type GraphPlan } from "./sinks/graph-writer.ts";
/** Health issues: pure rules, their types, and the monitor that raises and closes HealthIssue rows. */
export {
  evaluateHealth,
  DEFAULT_THRESHOLDS,
  type HealthInput,
  type HealthDecisions,
  type HealthThresholds,
  type Finding,
  type IssueKey,
} from "./health/rules.ts";
export { HEALTH_ISSUE_TYPES, HEALTH_COUNTERS, REQUIRED_AUDIT_EVENTS, healthIssueType, type HealthIssueType } from "./health/issue-types.ts";
export {
  createHealthMonitor,
  toHealthPayload,
  type HealthMonitor,
  type HealthMonitorOptions,
  type HealthMonitorSettings,
  type HealthIssueChange,
  type HealthIssuePayload,
} from "./health/monitor.ts";
/** SIEM export: CEF in MDI's layout over syslog (UDP, TCP, TLS; RFC 5424 / 3164). */
export { formatCef, parseCef, escapeHeader, escapeExtension, CEF_SEVERITY, type CefRecord, type ParsedCef } from "./siem/cef.ts";
export { createSiemForwarder, type SiemForwarder, type SiemForwarderOptions, type SiemForwarderStats } from "./siem/forwarder.ts";
export { storeSiemTargets, listenForSiemTests } from "./siem/targets.ts";
export type { SiemTargetConfig } from "./siem/transport.ts";
export type { CefSource } from "./siem/records.ts";
