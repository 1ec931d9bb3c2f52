/**
 * The event-bus port. Business code (sensor publisher, stream processor, API fan-out) depends only on
 * these types; `jetstream.ts` and `memory.ts` implement them with identical delivery semantics, which
 * `event-bus.contract.ts` pins down. Subjects are always the logical ones (`vigil.events.<tenantId>.<kind>`,
 * `vigil.alerts.<tenantId>`): the tenant lives in the subject, and a namespace is never visible here.
 */

import type { PartitionMapping } from "./partitions.ts";

/** Message headers as plain strings (names are case-sensitive on the wire). */
export type BusHeaders = Readonly<Record<string, string>>;

/** Options for one publish. */
export interface PublishOptions {
  /** Deterministic id; a second publish with the same id inside the stream's duplicate window is dropped. */
  msgId?: string;
  headers?: Record<string, string>;
}

/** What the store said about a publish; `seq` is 0 for subjects no stream persists (fan-out only). */
export interface PublishResult {
  seq: number;
  /** True when `msgId` was already stored; `seq` is then the original message's sequence. */
  duplicate: boolean;
}

/** A fan-out message: no acknowledgement, no redelivery. */
export interface BusEvent {
  readonly subject: string;
  readonly data: Uint8Array;
  readonly headers: BusHeaders;
  json<T = unknown>(): T;
  string(): string;
}

/**
 * A persisted message handed to a consumer. Settle it exactly once; later settle calls are ignored.
 * The settle methods never reject: failures go to the consumer's `onError`, and the message then
 * falls back to redelivery (at-least-once, never silently dropped).
 */
export interface BusMessage extends BusEvent {
  readonly msgId?: string;
  /** Sequence in the events stream. */
  readonly seq: number;
  /** 1 on first delivery. */
  readonly deliveryCount: number;
  /** The partition the server's subject mapping put the event in; undefined on an unpartitioned server. */
  readonly partition?: number;
  ack(): Promise<void>;
  /** Redeliver after `delayMs` (default 0); `reason` is kept for the dead letter if deliveries run out. */
  nak(delayMs?: number, reason?: string): Promise<void>;
  /** Poison: copy to `vigil.deadletter.<subject>` with `reason`, then never deliver again. */
  term(reason: string): Promise<void>;
  /** Still busy: restart the ack-wait timer. */
  working(): void;
}

/** A consumer callback; a throw (or rejection) is a `nak` with the error message as reason. */
export type MessageHandler = (msg: BusMessage) => void | Promise<void>;

/** A durable pull consumer on the events stream. */
export interface ConsumeOptions {
  /** Durable name (letters, digits, `-`, `_`); a new `consume` with the same name resumes where it left off. */
  durable: string;
  /**
   * Logical subject filter under `vigil.events.>`, wildcards allowed. On a partitioned server the stored
   * subjects carry a partition token after the tenant, so filter with `>` after the tenant token.
   */
  filterSubject: string;
  /** Only this partition's events (`vigil.events.*.<p>.>` on the wire); needs a partition mapping. */
  partition?: number;
  /**
   * Restart delivery in stream order from the first unacked event (recreates the durable at its ack
   * floor), so a taken-over partition sees redeliveries before newer events instead of after the ack wait.
   */
  fromAckFloor?: boolean;
  /** Deliveries before the message is dead-lettered ("max deliveries exceeded (N)"). */
  maxDeliver: number;
  /** Unacked messages are redelivered this long after delivery. */
  ackWaitMs: number;
  /** Handlers running at once; only this many messages are pulled, so ack wait never runs in a local queue. */
  maxInFlight: number;
  handler: MessageHandler;
  /** Redelivery delay after a thrown handler error (default 0). */
  errorDelayMs?: number;
  /** Failures that have no caller to throw to (settle, fetch, dead-letter publish). */
  onError?: (err: unknown) => void;
}

/** A running consumer. */
export interface ConsumerHandle {
  readonly durable: string;
  /** Stop pulling, wait for in-flight handlers (and their settles) to finish. */
  stop(): Promise<void>;
}

/** An ephemeral fan-out subscription (every subscriber gets every message). */
export interface BusSubscription extends AsyncIterable<BusEvent> {
  /** End the subscription; the iterator finishes. */
  unsubscribe(): void;
}

/** A message that reached the dead-letter stream, with why. */
export interface DeadLetter extends BusEvent {
  /** Sequence in the dead-letter stream (pass `fromSeq: seq + 1` to page on). */
  readonly seq: number;
  /** The original (logical) subject; `subject` is the dead-letter one. */
  readonly originalSubject: string;
  readonly reason: string;
  readonly originalSeq: number;
  readonly deliveryCount: number;
  readonly consumer: string;
  readonly originalMsgId?: string;
}

/** Which dead letters to read. */
export interface DeadLetterFilter {
  /** Pattern over original subjects, e.g. `vigil.events.<tenantId>.>` (default: all). */
  subject?: string;
  /** First dead-letter sequence to read (default 1). */
  fromSeq?: number;
  /** Default 100. */
  limit?: number;
}

/** Liveness of the bus connection. */
export interface BusHealth {
  ok: boolean;
  adapter: "jetstream" | "memory";
  detail: string;
}

/** The event bus port. */
export interface EventBus {
  /** Persisted (and deduped by `msgId`) under `vigil.events.>`; plain fan-out for any other subject. */
  publish(subject: string, payload: Uint8Array | string, options?: PublishOptions): Promise<PublishResult>;
  /** Start a durable consumer; resolves once it is registered and pulling. */
  consume(options: ConsumeOptions): Promise<ConsumerHandle>;
  /** Ephemeral fan-out; resolves once the interest is registered, so a following publish is seen. */
  subscribe(subject: string): Promise<BusSubscription>;
  /** Dead letters with their reasons, oldest first. */
  readDeadLetters(filter?: DeadLetterFilter): Promise<DeadLetter[]>;
  health(): Promise<BusHealth>;
  /** The partition mapping in force (server config or memory bus option); undefined when there is none. */
  partitionMapping?(): Promise<PartitionMapping | undefined>;
  /** Stop consumers (draining in-flight handlers), end subscriptions, release the connection. */
  close(): Promise<void>;
}
