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
