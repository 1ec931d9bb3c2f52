/**
 * In-process durable pull consumer: the same state a JetStream consumer keeps server-side (next seq,
 * pending deliveries with ack-wait timers, nak delays), so it outlives any one `consume` session.
 */
import type { Clock } from "./clock.ts";
import { dispatch, type DispatchContext, type RawDelivery } from "./dispatch.ts";
import type { MemoryStream, StoredMessage } from "./memory-stream.ts";
import { unpartition } from "./partitions.ts";
import type { ConsumerHandle } from "./port.ts";

interface Pending {
  deliveries: number;
  /** Ack-wait or nak-delay timer; when it fires the message becomes ready for redelivery. */
  timer?: unknown;
  ready: boolean;
}

/** Durable consumer state, kept by the bus across sessions. */
export class MemoryDurable {
  #nextSeq = 1;
  readonly #pending = new Map<number, Pending>();
  readonly #sessions = new Set<MemorySession>();

  constructor(
    readonly name: string,
    readonly filter: string,
    public ackWaitMs: number,
    private readonly stream: MemoryStream,
    private readonly clock: Clock,
    /** Called after an ack or term, so the bus can trim what every durable has finished with. */
    private readonly settled: () => void,
  ) {}

  /** Lowest seq this durable may still deliver. */
  get floor(): number {
    let min = this.#nextSeq;
    for (const seq of this.#pending.keys()) if (seq < min) min = seq;
    return min;
  }

  attach(session: MemorySession): void {
    this.#sessions.add(session);
  }

  detach(session: MemorySession): void {
    this.#sessions.delete(session);
  }

  /** The next delivery: due redeliveries first (lowest seq, as JetStream does), then new messages. */
  take(): RawDelivery | undefined {
    for (;;) {
      let due: number | undefined;
      for (const [seq, p] of this.#pending) if (p.ready && (due === undefined || seq < due)) due = seq;
      if (due === undefined) break;
      const m = this.stream.get(due);
      if (m) return this.#deliver(m, this.#pending.get(due)!);
      this.#pending.delete(due); // dropped by the stream's limits meanwhile
    }
    const m = this.stream.next(this.#nextSeq, this.filter);
    if (!m) return undefined;
    this.#nextSeq = m.seq + 1;
    const p: Pending = { deliveries: 0, ready: false };
    this.#pending.set(m.seq, p);
    return this.#deliver(m, p);
  }

  /** Wake every session: something became deliverable. */
  wake(): void {
    for (const s of this.#sessions) s.wake();
  }

  /** Back to the first unacked message: pending deliveries are forgotten and come again in seq order. */
  rewind(): void {
    const floor = this.floor;
    this.dispose();
    this.#pending.clear();
    this.#nextSeq = floor;
    this.wake();
  }

  /** Stop all timers (bus closing). */
  dispose(): void {
    for (const p of this.#pending.values()) this.clock.clearTimer(p.timer);
  }

  #arm(seq: number, p: Pending, ms: number): void {
    this.clock.clearTimer(p.timer);
    p.ready = false;
    p.timer = this.clock.setTimer(() => {
      p.timer = undefined;
      p.ready = true;
      this.wake();
    }, ms);
  }

  #finish(seq: number): void {
    const p = this.#pending.get(seq);
    if (!p) return;
    this.clock.clearTimer(p.timer);
    this.#pending.delete(seq);
    this.settled();
  }

  #deliver(m: StoredMessage, p: Pending): RawDelivery {
    p.deliveries++;
    this.#arm(m.seq, p, this.ackWaitMs);
    const current = () => this.#pending.get(m.seq) === p;
    const { subject, partition } = unpartition(m.subject);
    return {
      subject,
      ...(partition !== undefined ? { partition } : {}),
      data: m.data,
      headers: m.headers,
      seq: m.seq,
      deliveryCount: p.deliveries,
      ack: async () => this.#finish(m.seq),
      term: async () => this.#finish(m.seq),
      nak: async (delayMs) => {
        if (!current()) return;
        if (delayMs > 0) return this.#arm(m.seq, p, delayMs);
        this.clock.clearTimer(p.timer);
        p.ready = true;
        this.wake();
      },
      working: () => {
        if (current() && !p.ready) this.#arm(m.seq, p, this.ackWaitMs);
      },
    };
  }
}

/** One `consume` call on a durable: pulls while it has free handler slots. */
export class MemorySession implements ConsumerHandle {
  readonly #inflight = new Set<Promise<void>>();
  #stopped = false;
  #scheduled = false;

  constructor(
    private readonly durableState: MemoryDurable,
    private readonly maxInFlight: number,
    private readonly ctx: DispatchContext,
  ) {
    durableState.attach(this);
    this.wake();
  }

  get durable(): string {
    return this.durableState.name;
  }

  /** Pump on a microtask, so a publish never runs handlers inside its own call. */
  wake(): void {
    if (this.#scheduled || this.#stopped) return;
    this.#scheduled = true;
    queueMicrotask(() => {
      this.#scheduled = false;
      this.#pump();
    });
  }

  #pump(): void {
    while (!this.#stopped && this.#inflight.size < this.maxInFlight) {
      const raw = this.durableState.take();
      if (!raw) return;
      const run: Promise<void> = dispatch(raw, this.ctx).finally(() => {
        this.#inflight.delete(run);
        this.wake();
      });
      this.#inflight.add(run);
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.durableState.detach(this);
    await Promise.all(this.#inflight);
  }
}
