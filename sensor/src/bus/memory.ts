/**
 * The embedded event bus used by `vigil start`: one process, no server, but the JetStream semantics the
 * rest of Vigil relies on (dedupe window, ack wait, nak delay, max deliveries → dead letter, durable
 * resume, fan-out). Memory stays bounded: messages every durable has acked are trimmed, and both
 * streams keep at most `maxMessages`, dropping the oldest first like JetStream's discard-old.
 */
import { systemClock, type Clock } from "./clock.ts";
import { ReasonMemo, type RawDelivery } from "./dispatch.ts";
import { BusError } from "./errors.ts";
import { MemoryDurable, MemorySession } from "./memory-consumer.ts";
import { MemorySubscription } from "./memory-fanout.ts";
import { MemoryStream } from "./memory-stream.ts";
import { assertPartitionCount, partitionedSubject, partitionFilter, type PartitionMapping } from "./partitions.ts";
import type {
  BusHealth,
  BusSubscription,
  ConsumeOptions,
  ConsumerHandle,
  DeadLetter,
  DeadLetterFilter,
  EventBus,
  PublishOptions,
  PublishResult,
} from "./port.ts";
import {
  assertSubject,
  busEvent,
  DEADLETTER_DUPLICATE_WINDOW_MS,
  DEADLETTER_PREFIX,
  deadLetterHeaders,
  deadLetterMsgId,
  deadLetterSubject,
  DEFAULT_DUPLICATE_WINDOW_MS,
  EVENTS_PREFIX,
  isUnder,
  toBytes,
  toDeadLetter,
} from "./subjects.ts";
import { validateConsume } from "./validate.ts";

/** Options of the in-memory bus. */
export interface MemoryBusOptions {
  /** Defaults to wall-clock time and Node timers. */
  clock?: Clock;
  /** Default 2 h, as for the JetStream events stream. */
  duplicateWindowMs?: number;
  /** Cap on stored events (default 100 000). */
  maxMessages?: number;
  /** Cap on stored dead letters (default 10 000). */
  maxDeadLetters?: number;
  /**
   * Apply the server's partition mapping in-process: events are stored as `vigil.events.<t>.<p>.<kind>`
   * with nats-server's hash, so partitioned consumers work as they do on a configured server.
   */
  partitions?: number;
}

/** Create the in-process event bus. */
export function createMemoryBus(options: MemoryBusOptions = {}): MemoryEventBus {
  return new MemoryEventBus(options);
}

/** In-process EventBus adapter. */
export class MemoryEventBus implements EventBus {
  readonly #clock: Clock;
  readonly #events: MemoryStream;
  readonly #deadLetters: MemoryStream;
  readonly #durables = new Map<string, MemoryDurable>();
  readonly #sessions = new Set<MemorySession>();
  readonly #subs = new Set<MemorySubscription>();
  readonly #partitions: number | undefined;
  #closed = false;

  constructor(options: MemoryBusOptions = {}) {
    this.#clock = options.clock ?? systemClock;
    if (options.partitions !== undefined) assertPartitionCount(options.partitions);
    this.#partitions = options.partitions;
    this.#events = new MemoryStream(
      {
        duplicateWindowMs: options.duplicateWindowMs ?? DEFAULT_DUPLICATE_WINDOW_MS,
        maxMessages: options.maxMessages ?? 100_000,
        maxAgeMs: 0,
      },
      this.#clock,
    );
    this.#deadLetters = new MemoryStream(
      { duplicateWindowMs: DEADLETTER_DUPLICATE_WINDOW_MS, maxMessages: options.maxDeadLetters ?? 10_000, maxAgeMs: 0 },
      this.#clock,
    );
  }

  /** Stored counts, for tests and health. */
  stats(): { events: number; deadLetters: number; lastSeq: number } {
    return { events: this.#events.size, deadLetters: this.#deadLetters.size, lastSeq: this.#events.lastSeq };
  }

  async publish(subject: string, payload: Uint8Array | string, options: PublishOptions = {}): Promise<PublishResult> {
    this.#assertOpen();
    assertSubject(subject, false);
    if (isUnder(DEADLETTER_PREFIX, subject)) {
      throw new BusError("BUS_INVALID_SUBJECT", `"${subject}" is reserved for dead letters`);
    }
    const data = toBytes(payload);
    const headers = { ...options.headers };
    if (!isUnder(EVENTS_PREFIX, subject)) {
      this.#fanOut(subject, data, headers);
      return { seq: 0, duplicate: false };
    }
    const stored = this.#partitions === undefined ? subject : partitionedSubject(subject, this.#partitions);
    const res = this.#events.append(stored, data, headers, options.msgId);
    if (!res.duplicate) {
      this.#fanOut(subject, data, this.#events.get(res.seq)?.headers ?? headers);
      for (const d of this.#durables.values()) d.wake();
    }
    return res;
  }

  async consume(options: ConsumeOptions): Promise<ConsumerHandle> {
    this.#assertOpen();
    validateConsume(options);
    const filter = options.partition !== undefined ? partitionFilter(options.filterSubject, options.partition) : options.filterSubject;
    let durable = this.#durables.get(options.durable);
    if (durable && durable.filter !== filter) {
      throw new BusError("BUS_CONSUMER_CONFIG", `consumer "${options.durable}" already filters "${durable.filter}", not "${filter}"`);
    }
    if (!durable) {
      durable = new MemoryDurable(options.durable, filter, options.ackWaitMs, this.#events, this.#clock, () => this.#trim());
      this.#durables.set(options.durable, durable);
    } else if (options.fromAckFloor) {
      durable.rewind();
    }
    durable.ackWaitMs = options.ackWaitMs;
    const onError = options.onError ?? (() => {});
    const session = new MemorySession(durable, options.maxInFlight, {
      durable: options.durable,
      maxDeliver: options.maxDeliver,
      errorDelayMs: options.errorDelayMs ?? 0,
      handler: options.handler,
      onError,
      reasons: new ReasonMemo(),
      deadLetter: async (raw, reason) => this.#storeDeadLetter(raw, reason, options.durable),
    });
    this.#sessions.add(session);
    return {
      durable: options.durable,
      stop: async () => {
        this.#sessions.delete(session);
        await session.stop();
      },
    };
  }

  async subscribe(subject: string): Promise<BusSubscription> {
    this.#assertOpen();
    assertSubject(subject, true);
    const sub = new MemorySubscription(subject, (s) => this.#subs.delete(s));
    this.#subs.add(sub);
    return sub;
  }

  async readDeadLetters(filter: DeadLetterFilter = {}): Promise<DeadLetter[]> {
    this.#assertOpen();
    const pattern = deadLetterSubject(filter.subject ?? ">");
    assertSubject(pattern, true);
    const out: DeadLetter[] = [];
    let seq = filter.fromSeq ?? 1;
    while (out.length < (filter.limit ?? 100)) {
      const m = this.#deadLetters.next(seq, pattern);
      if (!m) break;
      out.push(toDeadLetter(m.seq, m.subject, m.data, m.headers));
      seq = m.seq + 1;
    }
    return out;
  }

  async health(): Promise<BusHealth> {
    const s = this.stats();
    return {
      ok: !this.#closed,
      adapter: "memory",
      detail: this.#closed ? "closed" : `${s.events} events held, ${s.deadLetters} dead letters`,
    };
  }

  async partitionMapping(): Promise<PartitionMapping | undefined> {
    return this.#partitions === undefined ? undefined : { count: this.#partitions };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    await Promise.all([...this.#sessions].map((s) => s.stop()));
    this.#closed = true;
    this.#sessions.clear();
    for (const d of this.#durables.values()) d.dispose();
    for (const s of [...this.#subs]) s.unsubscribe();
  }

  #storeDeadLetter(raw: RawDelivery, reason: string, durable: string): void {
    const subject = deadLetterSubject(raw.subject);
    const headers = deadLetterHeaders(raw, reason, durable);
    const res = this.#deadLetters.append(subject, raw.data, headers, deadLetterMsgId(durable, raw.seq));
    if (!res.duplicate) this.#fanOut(subject, raw.data, headers);
  }

  #fanOut(subject: string, data: Uint8Array, headers: Record<string, string> | Readonly<Record<string, string>>): void {
    if (this.#subs.size === 0) return;
    const event = busEvent(subject, data, headers);
    for (const s of this.#subs) s.offer(event);
  }

  /** Drop events below the lowest seq any durable still needs; with no durables, only limits apply. */
  #trim(): void {
    if (this.#durables.size === 0) return;
    let floor = Infinity;
    for (const d of this.#durables.values()) floor = Math.min(floor, d.floor);
    this.#events.trimBelow(floor);
  }

  #assertOpen(): void {
    if (this.#closed) throw new BusError("BUS_CLOSED", "event bus is closed");
  }
}
