/**
 * The sensor's side of ingest quotas: a token bucket the publisher consults before each publish, and
 * a watcher that sets it from the grants the processor announces on `vigil.quota.<tenantId>`.
 *
 * Over quota, the publisher does not drop and does not block its reader: the event goes to the disk
 * spool like during an outage, and the spool drains at the granted rate (publisher.ts). A sensor
 * that has heard no grant yet is not limited: the processor meters every tenant anyway, and a sensor
 * must never stall because the processor is down.
 */
import { parseQuotaGrant, quotaSubject, type QuotaGrant } from "../contract/index.ts";
import type { EventBus } from "../bus/index.ts";
import { pause } from "./drain-loop.ts";

/** A per-sensor limit: events per second sustained and the bucket size. */
export interface SensorRateLimit {
  ratePerSecond: number;
  burst: number;
}

/** Longest single sleep while waiting for a token, so a raised limit takes effect within it. */
const MAX_WAIT_SLICE_MS = 250;

/** A token bucket whose limit can change at any time (undefined: unlimited). */
export class IngestThrottle {
  #limit: SensorRateLimit | undefined;
  #tokens = 0;
  #at: number;

  constructor(private readonly now: () => number = () => performance.now()) {
    this.#at = now();
  }

  /** The limit in force, or undefined when unlimited. */
  get limit(): SensorRateLimit | undefined {
    return this.#limit;
  }

  /** Applies a new limit; tokens already saved are kept up to the new burst, so a change never grants a fresh burst. */
  setLimit(limit: SensorRateLimit | undefined): void {
    this.#refill();
    const first = this.#limit === undefined;
    this.#limit = limit;
    if (!limit) return;
    this.#tokens = first ? limit.burst : Math.min(this.#tokens, limit.burst);
  }

  /** Takes one token if there is one (always true when unlimited). */
  tryTake(): boolean {
    if (!this.#limit) return true;
    this.#refill();
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  /** Milliseconds until a token is available (0: now). */
  waitMs(): number {
    if (!this.#limit) return 0;
    this.#refill();
    return this.#tokens >= 1 ? 0 : Math.ceil(((1 - this.#tokens) / this.#limit.ratePerSecond) * 1000);
  }

  /** Waits for a token and takes it; false when `signal` aborted first. */
  async take(signal: AbortSignal): Promise<boolean> {
    while (!signal.aborted) {
      if (this.tryTake()) return true;
      await pause(Math.max(1, Math.min(MAX_WAIT_SLICE_MS, this.waitMs())), signal);
    }
    return false;
  }

  #refill(): void {
    const now = this.now();
    const limit = this.#limit;
    if (limit) this.#tokens = Math.min(limit.burst, this.#tokens + ((now - this.#at) / 1000) * limit.ratePerSecond);
    this.#at = now;
  }
}

/** Where the watcher listens and what it sets. */
export interface QuotaWatchOptions {
  bus: Pick<EventBus, "subscribe">;
  tenantId: string;
  throttle: IngestThrottle;
  /** A grant that changed the limit, and announcements refused (each reason once). */
  onLog?: (line: string) => void;
  /** Called with every accepted grant (tests, heartbeats). */
  onGrant?: (grant: QuotaGrant) => void;
  /** Wait before subscribing again while the bus is not connected (default 2000 ms). */
  retryMs?: number;
}

/** A running watcher. */
export interface QuotaWatch {
  /** Resolves once the subscription is registered (a grant published after this is heard). */
  ready(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Subscribes to the tenant's quota subject (again after a failure, e.g. while a background bus is
 * still connecting) and applies each valid grant's per-sensor share to the throttle.
 */
export function watchIngestQuota(options: QuotaWatchOptions): QuotaWatch {
  const log = options.onLog ?? (() => undefined);
  const stop = new AbortController();
  const subject = quotaSubject(options.tenantId);
  let unsubscribe = () => {};
  let markReady = () => {};
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  let lastProblem = "";
  const apply = (grant: QuotaGrant) => {
    const before = options.throttle.limit;
    const limit = { ratePerSecond: grant.sensorRatePerSecond, burst: grant.sensorBurst };
    options.throttle.setLimit(limit);
    if (before?.ratePerSecond !== limit.ratePerSecond || before.burst !== limit.burst) {
      log(
        `ingest quota of tenant ${grant.tenantId}: ${grant.ratePerSecond}/s (burst ${grant.burst}) over ${grant.sensors} sensor(s); ` +
          `this sensor may publish ${round(limit.ratePerSecond)}/s (burst ${round(limit.burst)})`,
      );
    }
    options.onGrant?.(grant);
  };
  const loop = (async () => {
    while (!stop.signal.aborted) {
      try {
        const sub = await options.bus.subscribe(subject);
        unsubscribe = () => sub.unsubscribe();
        markReady();
        if (stop.signal.aborted) sub.unsubscribe();
        for await (const m of sub) {
          const read = parseQuotaGrant(m.subject, m.string());
          if ("grant" in read) apply(read.grant);
          else if (read.problem !== lastProblem) log((lastProblem = read.problem));
        }
      } catch (error) {
        const why = `cannot watch ${subject} yet (${error instanceof Error ? error.message : String(error)}); retrying`;
        if (why !== lastProblem) log((lastProblem = why));
      }
      await pause(options.retryMs ?? 2000, stop.signal);
    }
  })();
  return {
    ready: () => ready,
    async stop() {
      stop.abort();
      unsubscribe();
      await loop;
    },
  };
}

const round = (n: number) => Math.round(n * 100) / 100;
