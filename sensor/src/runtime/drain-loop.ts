import { setTimeout as sleep } from "node:timers/promises";
import type { Spool, SpoolRecord } from "./spool.ts";

/** Backoff between attempts while the bus does not answer. */
export interface RetryOptions {
  /** First wait after a failure (default 250 ms). */
  minMs: number;
  /** Waits double up to this (default 5000 ms). */
  maxMs: number;
}

/** What the drain loop needs from the publisher that owns it. */
export interface DrainLoopOptions {
  spool: Spool;
  /** Records read (and checkpointed) at a time. */
  batch: number;
  retry: RetryOptions;
  signal: AbortSignal;
  /** Republishes one record; throws when the bus did not take it. */
  send(record: SpoolRecord): Promise<void>;
  isTransient(error: unknown): boolean;
  /** The bus refused an attempt; the same record is tried again after a backoff. */
  onRetry(error: unknown): void;
  /** The record can never be published; it is skipped. */
  onGiveUp(error: unknown): void;
  /**
   * Runs in the publisher's order when the spool looks drained; true once the publisher has switched
   * back to publishing directly, false when events were appended meanwhile (keep draining).
   */
  finish(): Promise<boolean>;
}

/**
 * Republishes the spool strictly in order: one record in flight, the head retried until the bus takes
 * it, and the checkpoint advanced after each batch. Only one record is ever outstanding, so even a
 * publish that timed out but was stored cannot be overtaken; its retry is dropped by msgId dedupe.
 */
export async function drainSpool(o: DrainLoopOptions, initialDelayMs: number): Promise<void> {
  let failures = 0;
  if (initialDelayMs > 0) await pause(initialDelayMs, o.signal);
  try {
    while (!o.signal.aborted) {
      const batch = await o.spool.readBatch(o.batch);
      if (batch.length === 0) {
        await o.spool.written();
        if (await o.finish()) return;
        continue;
      }
      for (const record of batch) {
        for (;;) {
          if (o.signal.aborted) return;
          try {
            await o.send(record);
            failures = 0;
            break;
          } catch (error) {
            if (!o.isTransient(error)) {
              o.onGiveUp(error);
              break;
            }
            const delay = Math.min(o.retry.maxMs, o.retry.minMs * 2 ** Math.min(failures++, 20));
            o.onRetry(error);
            await pause(delay, o.signal);
          }
        }
        o.spool.ack(record);
      }
      await o.spool.checkpoint();
    }
  } finally {
    await o.spool.checkpoint();
  }
}

/** Waits `ms`, ending early (without throwing) when `signal` aborts. */
export async function pause(ms: number, signal: AbortSignal): Promise<void> {
  await sleep(ms, undefined, { signal }).catch(() => undefined);
}
