import { BusError, type BusHealth, type EventBus } from "../bus/index.ts";
import { pause } from "./drain-loop.ts";

/** How to connect, and how often to try again. */
export interface BackgroundBusOptions {
  /** One connection attempt, e.g. `() => connectJetStreamBus({ servers })`. */
  connect: () => Promise<EventBus>;
  /** Wait between attempts (default 2000 ms). */
  retryMs?: number;
  /** Connected, and each new reason a connect failed (repeats are not logged again). */
  onLog?: (line: string) => void;
}

/** An EventBus that connects in the background; until it has, every call fails with BUS_UNREACHABLE. */
export interface BackgroundBus extends EventBus {
  readonly connected: boolean;
  /** True once connected; false when `ms` pass first. */
  waitConnected(ms: number): Promise<boolean>;
}

/**
 * A sensor must start (and spool) while NATS is down, yet `connectJetStreamBus` fails fast on the
 * first connect by design. This keeps trying in the background; the publisher sees BUS_UNREACHABLE
 * meanwhile, spools, and drains once the connection exists. After that, reconnects are the nats
 * client's own job.
 */
export function connectInBackground(options: BackgroundBusOptions): BackgroundBus {
  return new BackgroundConnectingBus(options);
}

class BackgroundConnectingBus implements BackgroundBus {
  #bus: EventBus | undefined;
  #why = "not connected yet";
  readonly #stop = new AbortController();
  readonly #waiters = new Set<() => void>();
  readonly #loop: Promise<void>;

  constructor(private readonly options: BackgroundBusOptions) {
    this.#loop = this.#connectLoop();
  }

  get connected(): boolean {
    return this.#bus !== undefined;
  }

  async #connectLoop(): Promise<void> {
    const log = this.options.onLog ?? (() => undefined);
    while (!this.#stop.signal.aborted) {
      try {
        const bus = await this.options.connect();
        if (this.#stop.signal.aborted) return void (await bus.close());
        this.#bus = bus;
        log("connected to the event bus");
        for (const wake of this.#waiters) wake();
        return;
      } catch (error) {
        const why = error instanceof Error ? error.message : String(error);
        if (why !== this.#why) log(`event bus not reachable (${why}); retrying every ${this.options.retryMs ?? 2000} ms`);
        this.#why = why;
      }
      await pause(this.options.retryMs ?? 2000, this.#stop.signal);
    }
  }

  async waitConnected(ms: number): Promise<boolean> {
    if (this.#bus) return true;
    let wake = () => {};
    const connected = new Promise<void>((resolve) => {
      wake = resolve;
      this.#waiters.add(resolve);
    });
    await Promise.race([connected, pause(ms, this.#stop.signal)]);
    this.#waiters.delete(wake);
    return this.#bus !== undefined;
  }

  #require(): EventBus {
    if (this.#bus) return this.#bus;
    throw new BusError(
      this.#stop.signal.aborted ? "BUS_CLOSED" : "BUS_UNREACHABLE",
      this.#stop.signal.aborted ? "event bus is closed" : this.#why,
    );
  }

  publish: EventBus["publish"] = async (...args) => this.#require().publish(...args);
  consume: EventBus["consume"] = async (options) => this.#require().consume(options);
  subscribe: EventBus["subscribe"] = async (subject) => this.#require().subscribe(subject);
  readDeadLetters: EventBus["readDeadLetters"] = async (filter) => this.#require().readDeadLetters(filter);

  async health(): Promise<BusHealth> {
    return this.#bus ? this.#bus.health() : { ok: false, adapter: "jetstream", detail: this.#why };
  }

  async close(): Promise<void> {
    this.#stop.abort();
    await this.#loop;
    await this.#bus?.close();
  }
}
