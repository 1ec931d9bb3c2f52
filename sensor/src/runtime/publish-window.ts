import { finalizeEvent, InvalidEventError, type EventDraft, type VigilEvent } from "../contract/index.ts";
import type { Publisher, PublishOutcome } from "./publisher.ts";
import type { RunSummary } from "./run-sensor.ts";

/** Publishes a source's events, up to `size` awaited together, counting outcomes in a run summary. */
export interface PublishWindow {
  /** A publish has failed (the spool is unusable): the source should stop reading. */
  readonly failed: boolean;
  /** Counts the event and publishes it; waits for the window when it is full. */
  publish(event: VigilEvent): Promise<void>;
  /** Waits for every publish still in flight. */
  settle(): Promise<void>;
  /** Throws the first publish failure, if any (after `settle`). */
  throwIfFailed(): void;
}

/** One window per source, shared by the Windows, Samba and network readers of `vigil sensor`. */
export function createPublishWindow(publisher: Pick<Publisher, "publish">, summary: RunSummary, size = 256): PublishWindow {
  let pending: Promise<void>[] = [];
  // Caught at once so a rejection never goes unhandled while the window fills; rethrown by throwIfFailed.
  let failure: { error: unknown } | undefined;
  const count = (outcome: PublishOutcome) => void summary[outcome]++;
  const fail = (error: unknown) => void (failure ??= { error });
  const settle = async () => {
    const inFlight = pending;
    pending = [];
    await Promise.all(inFlight);
  };
  return {
    get failed() {
      return failure !== undefined;
    },
    async publish(event) {
      summary.events++;
      pending.push(publisher.publish(event).then(count, fail));
      if (pending.length >= size) await settle();
    },
    settle,
    throwIfFailed() {
      if (failure) throw failure.error;
    },
  };
}

/** The finalized event, or undefined after reporting why the contract refused the draft. */
export function finalizeOrReport(draft: EventDraft, report: (reason: string) => void): VigilEvent | undefined {
  try {
    return finalizeEvent(draft);
  } catch (error) {
    if (!(error instanceof InvalidEventError)) throw error;
    report(error.message);
    return undefined;
  }
}
