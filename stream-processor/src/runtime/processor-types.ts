// The processor's options, counters and handle, apart from its behaviour (processor.ts).
import type { RelationalStore } from "@vigil/db";
import type { IdentityGraph } from "@vigil/graph-model";
import type { EventBus } from "@vigil/sensor/bus";
import type { Detection } from "../engine/detection.ts";
import type { EngineOptions, EngineStats } from "../engine/engine.ts";
import type { HealthMonitor, HealthMonitorSettings } from "../health/monitor.ts";
import type { SiemForwarder } from "../siem/forwarder.ts";
import type { IngestQuotaSettings } from "./ingest-quotas.ts";
import type { LmpRefreshOptions } from "./lmp-refresh.ts";
import type { PartitionedConsumption } from "./partitions/runtime.ts";
import type { PersonalDataJobOptions } from "./personal-data.ts";
import type { PostureRunnerOptions } from "./posture-runner.ts";
import type { RetentionPolicy } from "./retention.ts";
import type { SessionExpiryOptions } from "./session-expiry.ts";

/** What a processor is built from. */
export interface ProcessorOptions {
  bus: EventBus;
  store: RelationalStore;
  graph: IdentityGraph;
  /** Default: every detection Vigil ships. */
  detections?: readonly Detection[];
  /** Engine bounds (state keys, open alerts, seen ids, lateness…). */
  engine?: Omit<EngineOptions, "detections" | "onDetectionError">;
  /** Durable consumer name; processors with the same name share the stream. */
  consumerName: string;
  /** Default `vigil.events.>` (every tenant). */
  filterSubject?: string;
  snapshotFile: string;
  maxDeliver: number;
  ackWaitMs: number;
  log: (line: string) => void;
  /** Default min(1000, ackWaitMs / 3): deferred acks must land well inside the ack wait. */
  snapshotIntervalMs?: number;
  /** Default 500 (JetStream stops delivering at 1000 unacked messages per consumer). */
  snapshotEveryEvents?: number;
  /** Back-off of transient failures: base × 2^(delivery − 1), capped. Defaults 500 ms and 30 s. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  sensorCacheTtlMs?: number;
  sensorCacheSize?: number;
  /** How often entity tags of the tenants seen so far are re-read from the store. Default 60 s. */
  contextRefreshMs?: number;
  /** Events whose sink work may wait for a retry at once. Default 10 000. */
  maxOutbox?: number;
  /** HAS_SESSION expiry (TTL, sweep interval, clock); defaults in session-expiry.ts. */
  sessionExpiry?: Omit<SessionExpiryOptions, "graph" | "log">;
  /** Lateral-movement precompute per written tenant (first write, then hourly); defaults in lmp-refresh.ts. */
  lmpRefresh?: Omit<LmpRefreshOptions, "graph" | "log">;
  /** Posture assessments after each sync and daily (posture-runner.ts); state in `<snapshotFile>.posture/` by default; false: none. */
  posture?: (Omit<PostureRunnerOptions, "store" | "graph" | "log" | "dir"> & { dir?: string }) | false;
  /** Audit-entry retention purge (retention.ts); default DEFAULT_RETENTION, false: none. */
  retention?: Partial<RetentionPolicy> | false;
  /** Deletion of people removed from AD and 180-day activity retention (personal-data.ts); false: none. */
  personalData?: Omit<PersonalDataJobOptions, "store" | "graph" | "log"> | false;
  /** Health issues from heartbeats and DC event sightings (health/monitor.ts); undefined: none. */
  health?: HealthMonitorSettings;
  /** CEF-over-syslog export of stored alerts and new health issues; only enqueues, never blocks. */
  siem?: SiemForwarder;
  /** Ingest quotas: grants announced to sensors, arrivals metered, over-quota tenants deferred (ingest-quotas.ts); undefined: none. */
  ingestQuota?: IngestQuotaSettings;
  /** Partitioned consumption through leases and shared snapshots (several instances); undefined: one durable, `snapshotFile`. */
  partitions?: PartitionedConsumption;
}

/** Counters since start. */
export interface ProcessorStats {
  running: boolean;
  /** Messages handed to the processor. */
  received: number;
  /** Authenticated events run through the engine. */
  processed: number;
  deadLettered: number;
  /** Transient failures (nak with back-off). */
  retried: number;
  alertsCreated: number;
  alertsUpdated: number;
  announced: number;
  pendingAcks: number;
  acked: number;
  outbox: number;
  snapshots: number;
  lastSnapshotAt: string | undefined;
  detectionErrors: number;
  /** Messages naked for later because their tenant was over its ingest budget while others waited. */
  deferred: number;
  engine: EngineStats;
  /** Partitions this instance holds (partitioned mode only). */
  partitions?: number[];
}

/** A running (or startable) processor. */
export interface Processor {
  /** Restores the snapshot and starts consuming (entity tags load per tenant before its first event). */
  start(): Promise<void>;
  /** Drains: stops fetching, finishes the message in hand, writes a final snapshot and acks what it covers. */
  stop(): Promise<void>;
  stats(): ProcessorStats;
  /** The health monitor, when `health` was configured. */
  readonly health?: HealthMonitor;
}
