import type { Clock } from "./clock.ts";
import type { BusHeaders, PublishResult } from "./port.ts";
import { MSG_ID_HEADER, subjectMatches } from "./subjects.ts";

/** One message held by an in-memory stream. */
export interface StoredMessage {
  seq: number;
  subject: string;
  data: Uint8Array;
  headers: BusHeaders;
  time: number;
}

/** Retention limits of an in-memory stream (JetStream's limits retention, discard old). */
export interface MemoryStreamLimits {
  duplicateWindowMs: number;
  maxMessages: number;
  /** 0 = no age limit. */
  maxAgeMs: number;
}

/** An in-process stream: sequence numbers, msg-id dedupe inside a window, bounded size. */
export class MemoryStream {
  // Both maps are in insertion order, which is seq order and (with a monotonic clock) time order,
  // so expiry and trimming only ever look at the front.
  readonly #messages = new Map<number, StoredMessage>();
  readonly #dedupe = new Map<string, { seq: number; at: number }>();
  #lastSeq = 0;

  constructor(
    private readonly limits: MemoryStreamLimits,
    private readonly clock: Clock,
  ) {}

  get lastSeq(): number {
    return this.#lastSeq;
  }

  /** Lowest stored seq (lastSeq + 1 when empty). */
  get firstSeq(): number {
    for (const seq of this.#messages.keys()) return seq;
    return this.#lastSeq + 1;
  }

  get size(): number {
    return this.#messages.size;
  }

  /** Store a message unless `msgId` was seen inside the duplicate window. */
  append(subject: string, data: Uint8Array, headers: BusHeaders, msgId: string | undefined): PublishResult {
    const now = this.clock.now();
    this.#expire(now);
    if (msgId !== undefined) {
      const seen = this.#dedupe.get(msgId);
      if (seen) return { seq: seen.seq, duplicate: true };
    }
    const seq = ++this.#lastSeq;
    const stored = msgId === undefined ? headers : { ...headers, [MSG_ID_HEADER]: msgId };
    this.#messages.set(seq, { seq, subject, data, headers: stored, time: now });
    if (msgId !== undefined) this.#dedupe.set(msgId, { seq, at: now });
    while (this.#messages.size > this.limits.maxMessages) this.#dropFirst();
    return { seq, duplicate: false };
  }

  get(seq: number): StoredMessage | undefined {
    return this.#messages.get(seq);
  }

  /** First stored message with seq >= `fromSeq` whose subject matches `pattern`. */
  next(fromSeq: number, pattern: string): StoredMessage | undefined {
    this.#expire(this.clock.now());
    for (let seq = Math.max(fromSeq, this.firstSeq); seq <= this.#lastSeq; seq++) {
      const m = this.#messages.get(seq);
      if (m && subjectMatches(pattern, m.subject)) return m;
    }
    return undefined;
  }

  /** Forget messages below `floor` (every consumer has acked them). */
  trimBelow(floor: number): void {
    for (const seq of this.#messages.keys()) {
      if (seq >= floor) break;
      this.#messages.delete(seq);
    }
  }

  #dropFirst(): void {
    for (const seq of this.#messages.keys()) {
      this.#messages.delete(seq);
      return;
    }
  }

  #expire(now: number): void {
    for (const [id, entry] of this.#dedupe) {
      if (now - entry.at < this.limits.duplicateWindowMs) break;
      this.#dedupe.delete(id);
    }
    if (this.limits.maxAgeMs > 0) {
      for (const m of this.#messages.values()) {
        if (now - m.time < this.limits.maxAgeMs) break;
        this.#messages.delete(m.seq);
      }
    }
  }
}
