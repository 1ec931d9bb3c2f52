/** `@vigil/sensor/bus`: the event-bus port, its JetStream and in-memory adapters, and coded errors. */
export type {
  BusEvent,
  BusHeaders,
  BusHealth,
  BusMessage,
  BusSubscription,
  ConsumeOptions,
  ConsumerHandle,
  DeadLetter,
  DeadLetterFilter,
  EventBus,
  MessageHandler,
  PublishOptions,
  PublishResult,
} from "./port.ts";
export { BusError, isBusError, type BusErrorCode } from "./errors.ts";
export { systemClock, type Clock } from "./clock.ts";
export { createMemoryBus, MemoryEventBus, type MemoryBusOptions } from "./memory.ts";
export { connectJetStreamBus, JetStreamEventBus, type JetStreamBusOptions } from "./jetstream.ts";
export type { EventsStreamOptions, StreamLayoutOptions, StreamOptions } from "./jetstream-streams.ts";
export { assertPartitionCount, DEFAULT_PARTITIONS, MAX_PARTITIONS, partitionOf, type PartitionMapping } from "./partitions.ts";
export type { Lease, PartitionStore, SnapshotClaim } from "./partition-store.ts";
export { createMemoryPartitionStore, type MemoryPartitionStoreOptions } from "./memory-partition-store.ts";
export { openJetStreamPartitionStore, type JetStreamPartitionStoreOptions } from "./jetstream-partition-store.ts";
export {
  DEADLETTER_PREFIX,
  DEADLETTER_STREAM,
  DeadLetterHeader,
  deadLetterSubject,
  DEFAULT_DUPLICATE_WINDOW_MS,
  EVENTS_PREFIX,
  EVENTS_STREAM,
  subjectMatches,
} from "./subjects.ts";
export {
  SENSOR_INBOX_ROOT,
  sensorInboxPrefix,
  sensorPermissions,
  type SensorIdentity,
  type SensorPermissions,
} from "./auth-permissions.ts";
export {
  issueSensorCreds,
  issueServiceCreds,
  parseNatsIssuer,
  sensorUserPublicKey,
  type IssuedCreds,
  type NatsIssuer,
  type SensorKeyRef,
} from "./auth-issuer.ts";
export {
  accountPartitionMappings,
  createOperatorSetup,
  initialResolverFiles,
  natsServerConfig,
  type OperatorSetup,
  type OperatorSetupOptions,
  type ServerConfigOptions,
} from "./auth-operator.ts";
export { readNatsRevocations, revokeNatsUsers, type RevokeOptions } from "./auth-revoke.ts";
