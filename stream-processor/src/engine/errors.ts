import type { AlertUpdate } from "./alerts.ts";

/** One or more detections threw on an event; the others still ran and their alerts were kept. */
export class DetectionFailedError extends Error {
  readonly code = "DETECTION_FAILED";
  constructor(
    readonly eventId: string,
    readonly failures: { detectionId: string; error: unknown }[],
    /** Alerts the detections that did not throw produced for the event; still to be written. */
    readonly updates: AlertUpdate[] = [],
  ) {
    super(`detections failed on event ${eventId}: ${failures.map((f) => `${f.detectionId}: ${String(f.error)}`).join("; ")}`);
    this.name = "DetectionFailedError";
  }
}
