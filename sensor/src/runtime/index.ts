/** The sensor runtime: the signing publisher with its disk spool, heartbeats, the read-and-publish loop. */
export { createPublisher, type Publisher, type PublisherOptions, type PublisherStats, type PublishOutcome } from "./publisher.ts";
export type { SpoolDamage } from "./spool.ts";
export type { RetryOptions } from "./drain-loop.ts";
export type { PublishingBus } from "./publish-one.ts";
export { startHeartbeat, SENSOR_VERSION, HEARTBEAT_INTERVAL_MS, type Heartbeat, type HeartbeatOptions } from "./heartbeat.ts";
export { runSensor, createRunSummary, type RunSensorOptions, type RunSummary } from "./run-sensor.ts";
export { connectInBackground, type BackgroundBus, type BackgroundBusOptions } from "./background-bus.ts";
export { SensorError, isSensorError, type SensorErrorCode } from "./errors.ts";
export { IngestThrottle, watchIngestQuota, type QuotaWatch, type QuotaWatchOptions, type SensorRateLimit } from "./ingest-quota.ts";
