import { hostname } from "node:os";
import { finalizeEvent, type VigilEvent } from "../contract/index.ts";
import type { Publisher, PublishOutcome } from "./publisher.ts";

/** Version reported in heartbeats; kept equal to sensor/package.json by a test. */
export const SENSOR_VERSION = "0.1.0";

/** Default time between heartbeats. */
export const HEARTBEAT_INTERVAL_MS = 30_000;

/** What a heartbeat reports and how often. */
export interface HeartbeatOptions {
  publisher: Pick<Publisher, "publish" | "stats">;
  tenantId: string;
  sensorId: string;
  /** Default HEARTBEAT_INTERVAL_MS. */
  intervalMs?: number;
  /** Default SENSOR_VERSION. */
  version?: string;
  /** Counters beside the publisher's own, e.g. records read and reader problems. */
  counters?: () => Record<string, number>;
  /** `origin.computer` of the beat (default this host's name). */
  host?: string;
  now?: () => Date;
  /** A beat that could not be built or handed to the publisher. */
  onError?: (error: unknown) => void;
}

/** A running heartbeat. */
export interface Heartbeat {
  /** Sends one beat now (also used for the first beat at start). */
  beat(): Promise<PublishOutcome>;
  /** Stops the timer and waits for a beat in progress. */
  stop(): Promise<void>;
}

/**
 * Publishes `sensor.heartbeat` events through the sensor's own publisher, so beats queue behind the
 * spool like any event and the processor sees both liveness and the backlog (spool bytes, drops).
 * The first beat goes out at once.
 */
export function startHeartbeat(options: HeartbeatOptions): Heartbeat {
  const now = options.now ?? (() => new Date());
  const host = options.host ?? (hostname() || "unknown-host");
  let last = 0;
  let inFlight: Promise<unknown> = Promise.resolve();

  const beat = (): Promise<PublishOutcome> => {
    // The beat's time is its record id; distinct times give distinct event ids, so the bus's dedupe
    // never swallows a beat that follows another within the same millisecond.
    const at = Math.max(now().getTime(), last + 1);
    last = at;
    const event = heartbeatEvent(options, host, new Date(at));
    const sent = options.publisher.publish(event);
    inFlight = sent.catch(() => undefined);
    return sent;
  };
  const tick = () => {
    try {
      beat().catch((error: unknown) => options.onError?.(error));
    } catch (error) {
      options.onError?.(error);
    }
  };
  tick();
  const timer = setInterval(tick, options.intervalMs ?? HEARTBEAT_INTERVAL_MS);
  // Beats alone must not keep a finished sensor process alive.
  timer.unref();
  return {
    beat,
    stop: async () => {
      clearInterval(timer);
      await inFlight;
    },
  };
}

function heartbeatEvent(options: HeartbeatOptions, host: string, at: Date): VigilEvent {
  const stats = options.publisher.stats();
  const counters: Record<string, number> = {
    published: stats.published,
    spooled: stats.spooled,
    drained: stats.drained,
    dropped: stats.dropped,
    failed: stats.failed,
    duplicates: stats.duplicates,
    spoolDamaged: stats.damaged,
    spoolBytes: stats.spoolBytes,
    spooling: stats.spooling ? 1 : 0,
    throttled: stats.throttled,
    throttling: stats.throttling ? 1 : 0,
    ...options.counters?.(),
  };
  const time = at.toISOString();
  return finalizeEvent({
    kind: "sensor.heartbeat",
    tenantId: options.tenantId,
    sensorId: options.sensorId,
    time,
    origin: { format: "sensor", recordId: time, computer: host },
    version: options.version ?? SENSOR_VERSION,
    counters,
  });
}
