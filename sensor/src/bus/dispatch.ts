/**
 * Delivery semantics shared by both adapters, so they cannot drift: settle-once, throw → nak, and
 * max deliveries → dead letter.
 *
 * Why max-deliver is counted here and not by the server: on nats-server 2.9 a consumer's `max_deliver`
 * only emits the `$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES` advisory, a core-NATS message that is lost
 * when no listener is connected at that instant (restart, deploy, network blip), and the message then
 * sits in the stream undelivered forever — a silent drop. Instead the adapters run the consumer with
 * unlimited server-side deliveries and this module decides:
 *   - a nak / throw on delivery N (N = maxDeliver) dead-letters immediately (with the nak reason);
 *   - delivery N+1 only happens when delivery N timed out (or its process died); it is dead-lettered
 *     without running the handler ("max deliveries exceeded (N)").
 * The raw message is terminated only after the dead-letter publish is stored; if that publish fails the
 * message is nak'ed and comes back to try again, and the dead letter's msg id (consumer + seq) dedupes
 * the retry. So every poison message ends up in the dead-letter stream, at least once, even across crashes.
 */
import type { BusHeaders, BusMessage, MessageHandler } from "./port.ts";
import { busEvent, MSG_ID_HEADER } from "./subjects.ts";

const DEADLETTER_RETRY_MS = 1000;

/** One delivery as an adapter sees it, before the shared semantics are applied. */
export interface RawDelivery {
  subject: string;
  data: Uint8Array;
  headers: BusHeaders;
  seq: number;
  deliveryCount: number;
  /** From the stored subject's partition token (the subject itself is already the logical one). */
  partition?: number;
  ack(): Promise<void>;
  nak(delayMs: number): Promise<void>;
  /** Stop delivering this message (no dead letter: `dispatch` writes that first). */
  term(): Promise<void>;
  working(): void;
}

/** Per-consume state the dispatcher needs from its adapter. */
export interface DispatchContext {
  durable: string;
  maxDeliver: number;
  errorDelayMs: number;
  handler: MessageHandler;
  /** Store a dead letter for `raw` (resolves once stored). */
  deadLetter(raw: RawDelivery, reason: string): Promise<void>;
  onError(err: unknown): void;
  /** Last nak reason per seq, so a later "max deliveries exceeded" can say what went wrong. */
  reasons: ReasonMemo;
}

/** A bounded map seq → last nak reason (oldest entries evicted), per consumer. */
export class ReasonMemo {
  readonly #map = new Map<number, string>();
  constructor(private readonly max = 10_000) {}
  set(seq: number, reason: string): void {
    this.#map.delete(seq);
    this.#map.set(seq, reason);
    if (this.#map.size > this.max) this.#map.delete(this.#map.keys().next().value as number);
  }
  take(seq: number): string | undefined {
    const r = this.#map.get(seq);
    this.#map.delete(seq);
    return r;
  }
  delete(seq: number): void {
    this.#map.delete(seq);
  }
}

/** The reason recorded when deliveries ran out. */
export function maxDeliveriesReason(maxDeliver: number, lastReason: string | undefined): string {
  return `max deliveries exceeded (${maxDeliver})${lastReason ? `: ${lastReason}` : ""}`;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Dead-letter then terminate; on failure nak so the message returns and the dead letter is retried. */
async function deadLetterAndTerm(raw: RawDelivery, reason: string, ctx: DispatchContext): Promise<void> {
  try {
    await ctx.deadLetter(raw, reason);
  } catch (err) {
    ctx.onError(err);
    // The dead-letter stream is unavailable; retry later rather than spin on an immediate redelivery.
    await raw.nak(Math.max(ctx.errorDelayMs, DEADLETTER_RETRY_MS)).catch(ctx.onError);
    return;
  }
  ctx.reasons.delete(raw.seq);
  await raw.term().catch(ctx.onError);
}

/** Run one delivery through the handler with the shared semantics; never rejects. */
export async function dispatch(raw: RawDelivery, ctx: DispatchContext): Promise<void> {
  if (raw.deliveryCount > ctx.maxDeliver) {
    await deadLetterAndTerm(raw, maxDeliveriesReason(ctx.maxDeliver, ctx.reasons.take(raw.seq)), ctx);
    return;
  }
  let settled: Promise<void> | undefined;
  const once = (fn: () => Promise<void>): Promise<void> => (settled ??= fn().catch(ctx.onError));
  const nak = (delayMs: number, reason: string | undefined): Promise<void> =>
    once(async () => {
      if (raw.deliveryCount >= ctx.maxDeliver) {
        await deadLetterAndTerm(raw, maxDeliveriesReason(ctx.maxDeliver, reason), ctx);
        return;
      }
      if (reason) ctx.reasons.set(raw.seq, reason);
      await raw.nak(Math.max(0, delayMs));
    });
  const msgId = raw.headers[MSG_ID_HEADER];
  const msg: BusMessage = {
    ...busEvent(raw.subject, raw.data, raw.headers),
    ...(msgId !== undefined ? { msgId } : {}),
    ...(raw.partition !== undefined ? { partition: raw.partition } : {}),
    seq: raw.seq,
    deliveryCount: raw.deliveryCount,
    ack: () =>
      once(async () => {
        ctx.reasons.delete(raw.seq);
        await raw.ack();
      }),
    nak: (delayMs = 0, reason) => nak(delayMs, reason),
    term: (reason) => once(() => deadLetterAndTerm(raw, reason, ctx)),
    working: () => {
      if (!settled) raw.working();
    },
  };
  try {
    await ctx.handler(msg);
  } catch (err) {
    await nak(ctx.errorDelayMs, `handler error: ${errorText(err)}`);
  }
  // A handler that returned without settling leaves the message to its ack-wait timer (redelivery).
  await settled;
}
