/**
 * Sink work of events the engine has already processed but whose writes have not all succeeded.
 *
 * The engine marks an event seen the moment it processes it, so a redelivered event yields no alert
 * updates the second time. When a sink fails transiently the message is nak'ed, and its updates wait
 * here, with how far each got, until the redelivery finishes them. The outbox is part of the processor
 * snapshot (it must travel with the engine state that marked those events seen).
 */
import type { VigilEvent } from "@vigil/sensor/contract";
import type { Alert } from "../engine/alerts.ts";
import type { AlertPayload, AlertWriteOutcome } from "../sinks/alert-writer.ts";

/** One alert update on its way to the store and the alert subject. */
export interface PendingUpdate {
  alert: Alert;
  /** Set once the store write committed. */
  stored?: AlertWriteOutcome;
  /** The stored row to announce (absent when unchanged). */
  payload?: AlertPayload;
  announced?: boolean;
}

/** Everything still to be written for one event. */
export interface SinkWork {
  key: string;
  event: VigilEvent;
  graphDone: boolean;
  updates: PendingUpdate[];
}

/** The outbox key of an event: event ids are only unique per tenant. */
export function workKey(event: Pick<VigilEvent, "tenantId" | "id">): string {
  return `${event.tenantId}\u0000${event.id}`;
}

/** Pending sink work, bounded (when full, new events wait at the bus instead of entering the engine). */
export class Outbox {
  readonly #entries = new Map<string, SinkWork>();

  constructor(readonly max = 10_000) {}

  get size(): number {
    return this.#entries.size;
  }

  get full(): boolean {
    return this.#entries.size >= this.max;
  }

  get(event: Pick<VigilEvent, "tenantId" | "id">): SinkWork | undefined {
    return this.#entries.get(workKey(event));
  }

  add(work: SinkWork): void {
    this.#entries.set(work.key, work);
  }

  delete(work: SinkWork): void {
    this.#entries.delete(work.key);
  }

  /** A deep copy for the snapshot. */
  snapshot(): SinkWork[] {
    return structuredClone([...this.#entries.values()]);
  }

  /**
   * Replaces the contents with a snapshot's. A `created` that was stored but not yet announced is
   * downgraded to `updated`: the process that stored it may have announced it after this snapshot
   * was taken, and an alert must never be announced as created twice.
   */
  restore(entries: SinkWork[]): void {
    this.#entries.clear();
    for (const work of entries) {
      for (const u of work.updates) {
        if (u.stored === "created" && !u.announced) u.stored = "updated";
      }
      this.#entries.set(work.key, work);
    }
  }
}
