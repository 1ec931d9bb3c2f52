/**
 * The sensor publisher: signs each event and publishes it, and when the bus does not answer, spools
 * it (and everything after it) to disk and drains the spool in order once the bus is back. Every
 * event is published, spooled, or counted as dropped/failed with `lastError` set; none vanish.
 */
import { tokenId, sensorKeyHash, type VigilEvent } from "../contract/index.ts";
import { drainSpool, type RetryOptions } from "./drain-loop.ts";
import { SensorError } from "./errors.ts";
import { isTransientPublishError, publishSigned, spooledIdentity, type PublishingBus, type SensorIdentity } from "./publish-one.ts";
import { Spool, type SpoolDamage, type SpoolRecord } from "./spool.ts";
import type { IngestThrottle } from "./ingest-quota.ts";

/** Bus, identity, spool location and limits of a publisher. */
export interface PublisherOptions {
  /** Only `publish` is used; the caller owns (and closes) the bus. */
  bus: PublishingBus;
  tenantId: string;
  sensorId: string;
  /** The raw sensor key; events are signed with its hash (contract/sensor-auth.ts). */
  sensorKey: string;
  /** One directory per sensor; it holds segment files, a checkpoint and a lock. */
  spoolDir: string;
  /** Undrained spool bytes at most (default 1 GiB); events beyond it are counted as dropped. */
  maxSpoolBytes?: number;
  /** Size at which a new spool segment file is started (default 16 MiB). */
  segmentBytes?: number;
  retry?: Partial<RetryOptions>;
  /** Records republished per checkpoint (default 256). */
  drainBatch?: number;
  /** State changes an operator should see: outage, drain, spool full, damaged spool. */
  onLog?: (line: string) => void;
  /** The tenant's ingest quota share (ingest-quota.ts): over it, events wait in the spool and drain at the granted rate. */
  throttle?: IngestThrottle;
}

/** What became of one event. */
export type PublishOutcome = "published" | "spooled" | "dropped" | "failed";

/** Counters since the publisher was created, plus the spool's current size. */
export interface PublisherStats {
  /** Published directly. */
  published: number;
  /** Written to the spool (fsync'd). */
  spooled: number;
  /** Republished from the spool. */
  drained: number;
  /** Refused because the spool was full or could not be written. */
  dropped: number;
  /** Refused by the bus for good (e.g. over max_payload), or unreadable in the spool; never retried. */
  failed: number;
  /** Publishes the bus reported as already stored (a retry after an ambiguous timeout, a re-read file). */
  duplicates: number;
  /** Damaged spool regions skipped (torn tail after a crash, checksum mismatch). */
  damaged: number;
  /** Events that found the tenant's ingest quota spent and went to the spool instead (counted in `spooled` too). */
  throttled: number;
  /** True while the spool holds events because of the ingest quota (not because the bus is away). */
  throttling: boolean;
  spoolBytes: number;
  /** True while events go to the spool instead of the bus. */
  spooling: boolean;
  lastError?: string;
}

/** A running publisher; create it with `createPublisher`. */
export interface Publisher {
  /** Publishes or spools `event` after every earlier one; rejects only for a closed publisher or a foreign event. */
  publish(event: VigilEvent): Promise<PublishOutcome>;
  /** Resolves once every event handed over so far is on the bus or fsync'd in the spool. */
  flush(): Promise<void>;
  /** Resolves once the spool is empty and events go straight to the bus; rejects with `signal.reason` on abort. */
  drained(signal?: AbortSignal): Promise<void>;
  stats(): PublisherStats;
  /** Flushes, stops draining (the spool stays for the next start) and releases the spool. */
  close(): Promise<void>;
}

/** Opens the spool in `spoolDir` (resuming a drain left by a previous run) and returns the publisher. */
export async function createPublisher(options: PublisherOptions): Promise<Publisher> {
  const problems = [
    ...(tokenId.safeParse(options.tenantId).success ? [] : [`tenantId ${JSON.stringify(options.tenantId)} is not a valid tenant id`]),
    ...(tokenId.safeParse(options.sensorId).success ? [] : [`sensorId ${JSON.stringify(options.sensorId)} is not a valid sensor id`]),
    ...(options.sensorKey ? [] : ["sensorKey is empty"]),
  ];
  if (problems.length > 0) throw new SensorError("SENSOR_INVALID_OPTIONS", problems.join("; "));
  const log = options.onLog ?? (() => undefined);
  // An unreadable checkpoint is found while opening, before the publisher exists to count it.
  const early: SpoolDamage[] = [];
  const damage: { report: (d: SpoolDamage) => void } = { report: (d) => void early.push(d) };
  const spool = await Spool.open({
    dir: options.spoolDir,
    ...(options.maxSpoolBytes !== undefined ? { maxBytes: options.maxSpoolBytes } : {}),
    ...(options.segmentBytes !== undefined ? { segmentBytes: options.segmentBytes } : {}),
    onDamage: (d) => damage.report(d),
  });
  const publisher = new SensorPublisher(options, spool, log);
  damage.report = (d) => publisher.damaged(d);
  for (const d of early) publisher.damaged(d);
  publisher.resume();
  return publisher;
}

class SensorPublisher implements Publisher {
  readonly #who: SensorIdentity;
  readonly #retry: RetryOptions;
  readonly #stop = new AbortController();
  readonly #c = { published: 0, spooled: 0, drained: 0, dropped: 0, failed: 0, duplicates: 0, damaged: 0, throttled: 0 };
  #lastError: string | undefined;
  #mode: "direct" | "spooling" = "direct";
  /** Every publish and mode switch runs in this chain, so order is call order. */
  #chain: Promise<unknown> = Promise.resolve();
  #drainer: Promise<void> | undefined;
  #drainWaiters: (() => void)[] = [];
  #full = false;
  #retrying = false;
  #throttling = false;
  #closed = false;

  constructor(
    private readonly options: PublisherOptions,
    private readonly spool: Spool,
    private readonly log: (line: string) => void,
  ) {
    this.#who = { tenantId: options.tenantId, sensorId: options.sensorId, keyHash: sensorKeyHash(options.sensorKey) };
    this.#retry = { minMs: options.retry?.minMs ?? 250, maxMs: options.retry?.maxMs ?? 5000 };
  }

  /** A spool left non-empty by the previous run is drained before anything new is published. */
  resume(): void {
    if (this.spool.isEmpty) return;
    this.#mode = "spooling";
    this.log(`resuming: ${this.spool.bytes} bytes spooled in ${this.options.spoolDir} by an earlier run; draining them first`);
    this.#startDrainer(0);
  }

  damaged(d: SpoolDamage): void {
    this.#c.damaged++;
    this.#lastError = `spool damage skipped: ${d.bytes} bytes at ${d.file}:${d.offset} (${d.reason})`;
    this.log(this.#lastError);
  }

  async publish(event: VigilEvent): Promise<PublishOutcome> {
    if (this.#closed) throw new SensorError("SENSOR_CLOSED", "publisher is closed");
    if (event.tenantId !== this.#who.tenantId || event.sensorId !== this.#who.sensorId) {
      throw new SensorError(
        "SENSOR_IDENTITY_MISMATCH",
        `event ${event.id} is for tenant ${event.tenantId} / sensor ${event.sensorId}, but this publisher signs for ${this.#who.tenantId} / ${this.#who.sensorId}`,
      );
    }
    const payload = Buffer.from(JSON.stringify(event), "utf8");
    const { outcome } = await this.#run(() => this.#accept(event, payload));
    return outcome;
  }

  #run<T>(step: () => Promise<T>): Promise<T> {
    const result = this.#chain.then(step);
    this.#chain = result.catch(() => undefined);
    return result;
  }

  /** Returns as soon as the event's place in line is fixed; the outcome may still wait for an fsync. */
  async #accept(event: VigilEvent, payload: Buffer): Promise<{ outcome: Promise<PublishOutcome> }> {
    if (this.#mode === "direct" && this.options.throttle && !this.options.throttle.tryTake()) {
      // Same path as an outage: the reader is never blocked and nothing is dropped; the drainer
      // republishes in order at the granted rate (#republish waits for tokens).
      this.#mode = "spooling";
      this.#throttling = true;
      this.log(`ingest quota reached; spooling events to ${this.options.spoolDir} and publishing them at the granted rate`);
      this.#startDrainer(0);
    }
    if (this.#mode === "spooling" && this.#throttling) this.#c.throttled++;
    if (this.#mode === "direct") {
      try {
        const result = await publishSigned(this.options.bus, this.#who, event.kind, event.id, payload);
        this.#c.published++;
        if (result.duplicate) this.#c.duplicates++;
        return { outcome: Promise.resolve("published") };
      } catch (error) {
        if (!isTransientPublishError(error)) return { outcome: Promise.resolve(this.#failed(error)) };
        this.#mode = "spooling";
        this.#lastError = message(error);
        this.log(`bus not answering (${this.#lastError}); spooling events to ${this.options.spoolDir}`);
        this.#startDrainer(this.#retry.minMs);
      }
    }
    return { outcome: this.#append(payload) };
  }

  #append(payload: Buffer): Promise<PublishOutcome> {
    const written = this.spool.append(payload);
    if (!written) {
      this.#c.dropped++;
      this.#lastError = `spool full (${this.spool.bytes} bytes, max ${this.options.maxSpoolBytes ?? 1024 ** 3}): event dropped`;
      if (!this.#full) this.log(`${this.#lastError}; dropping new events until the spool drains`);
      this.#full = true;
      return Promise.resolve("dropped");
    }
    if (this.#full) this.log(`spool has room again after ${this.#c.dropped} dropped events`);
    this.#full = false;
    return written.then(
      () => (this.#c.spooled++, "spooled" as const),
      (error: unknown) => {
        this.#c.dropped++;
        this.#lastError = `spool write failed, event dropped: ${message(error)}`;
        this.log(this.#lastError);
        return "dropped" as const;
      },
    );
  }

  #failed(error: unknown): "failed" {
    this.#c.failed++;
    this.#lastError = `event refused for good: ${message(error)}`;
    this.log(this.#lastError);
    return "failed";
  }

  #startDrainer(initialDelayMs: number): void {
    if (this.#drainer || this.#closed) return;
    this.#drainer = drainSpool(
      {
        spool: this.spool,
        batch: this.options.drainBatch ?? 256,
        retry: this.#retry,
        signal: this.#stop.signal,
        send: (record) => this.#republish(record),
        isTransient: (error) => !(error instanceof UnpublishableRecord) && isTransientPublishError(error),
        onRetry: (error) => {
          if (this.#stop.signal.aborted) return;
          this.#lastError = message(error);
          if (!this.#retrying) this.log(`bus still not answering (${this.#lastError}); retrying every ≤${this.#retry.maxMs} ms`);
          this.#retrying = true;
        },
        onGiveUp: (error) => this.#failed(error),
        finish: () => this.#run(() => this.#finish()),
      },
      initialDelayMs,
    )
      .catch((error: unknown) => {
        this.#lastError = `draining the spool failed: ${message(error)}`;
        this.log(`${this.#lastError}; trying again`);
      })
      .finally(() => {
        this.#drainer = undefined;
        // A failure between the last drained record and this callback re-entered spooling mode.
        if (this.#mode === "spooling" && !this.#stop.signal.aborted) this.#startDrainer(this.#retry.minMs);
      });
  }

  async #republish(record: SpoolRecord): Promise<void> {
    const identity = spooledIdentity(record.body, this.#who);
    if (typeof identity === "string") throw new UnpublishableRecord(identity);
    if (this.options.throttle && !(await this.options.throttle.take(this.#stop.signal))) throw new Error("publisher closing");
    const result = await publishSigned(this.options.bus, this.#who, identity.kind, identity.id, record.body);
    if (this.#retrying) this.log(`bus answers again; draining ${this.spool.bytes} spooled bytes`);
    this.#retrying = false;
    this.#c.drained++;
    if (result.duplicate) this.#c.duplicates++;
  }

  async #finish(): Promise<boolean> {
    if (!this.spool.isEmpty) return false;
    await this.spool.compact();
    this.#mode = "direct";
    if (this.#throttling) this.log(`events over the ingest quota all published (${this.#c.throttled} so far); publishing directly again`);
    this.#throttling = false;
    this.log(`spool drained (${this.#c.drained} events republished so far); publishing directly again`);
    for (const wake of this.#drainWaiters.splice(0)) wake();
    return true;
  }

  async flush(): Promise<void> {
    await this.#run(async () => undefined);
    await this.spool.written();
  }

  async drained(signal?: AbortSignal): Promise<void> {
    for (;;) {
      signal?.throwIfAborted();
      if (this.#closed) throw new SensorError("SENSOR_CLOSED", "publisher closed before its spool drained");
      await this.flush();
      if (this.#mode === "direct") return;
      await new Promise<void>((resolve) => {
        this.#drainWaiters.push(resolve);
        // The signal may have fired during the flush above, when no listener was there to hear it.
        if (signal?.aborted) resolve();
        else signal?.addEventListener("abort", () => resolve(), { once: true });
      });
    }
  }

  stats(): PublisherStats {
    return {
      ...this.#c,
      spoolBytes: this.spool.bytes,
      spooling: this.#mode === "spooling",
      throttling: this.#mode === "spooling" && this.#throttling,
      ...(this.#lastError !== undefined ? { lastError: this.#lastError } : {}),
    };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.flush();
    this.#stop.abort();
    await this.#drainer;
    await this.spool.close();
    for (const wake of this.#drainWaiters.splice(0)) wake();
  }
}

/** A spooled record that can never be published (not JSON, another tenant's). */
class UnpublishableRecord extends Error {
  override readonly name = "UnpublishableRecord";
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));
