/**
 * Durable pull consumer on nats-server: creates/updates the consumer, then pulls only as many messages
 * as there are free handler slots. (`consume()` from the client library prefetches a buffer whose
 * ack-wait clocks run while the messages wait locally; with ack waits of seconds that turns slow
 * handlers into spurious redeliveries.)
 */
import { AckPolicy, DeliverPolicy, JetStreamApiCodes, JetStreamApiError } from "@nats-io/jetstream";
import type { Consumer, ConsumerConfig, ConsumerMessages, JetStreamManager, JsMsg } from "@nats-io/jetstream";
import { headers as natsHeaders, nanos } from "@nats-io/transport-node";
import type { MsgHdrs } from "@nats-io/transport-node";
import { dispatch, type DispatchContext, type RawDelivery } from "./dispatch.ts";
import { BusError } from "./errors.ts";
import type { StreamLayout } from "./jetstream-streams.ts";
import { partitionFilter, unpartition } from "./partitions.ts";
import type { BusHeaders, ConsumeOptions, ConsumerHandle } from "./port.ts";

/** NATS headers → plain record (first value of each name). */
export function fromMsgHdrs(h: MsgHdrs | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!h) return out;
  for (const k of h.keys()) out[k] = h.get(k);
  return out;
}

/** Plain record → NATS headers (undefined when empty, so no header block is sent). */
export function toMsgHdrs(h: BusHeaders | undefined): MsgHdrs | undefined {
  const entries = Object.entries(h ?? {});
  if (entries.length === 0) return undefined;
  const out = natsHeaders();
  for (const [k, v] of entries) out.set(k, v);
  return out;
}

/** Create the durable, or update what 2.9 lets us update; a changed filter is a conflict. */
export async function ensureConsumer(jsm: JetStreamManager, layout: StreamLayout, o: ConsumeOptions): Promise<void> {
  const stream = layout.eventsStream;
  // max_deliver stays unlimited on the server: dispatch.ts counts deliveries and dead-letters (see there).
  const tuning = { ack_wait: nanos(o.ackWaitMs), max_deliver: -1, max_ack_pending: Math.max(1000, o.maxInFlight * 10) };
  const logical = o.partition !== undefined ? partitionFilter(o.filterSubject, o.partition) : o.filterSubject;
  const filter = layout.wire(logical);
  try {
    let info = await jsm.consumers.info(stream, o.durable).catch((err: unknown) => {
      if (err instanceof JetStreamApiError && err.code === JetStreamApiCodes.ConsumerNotFound) return undefined;
      throw err;
    });
    let startSeq: number | undefined;
    if (info && o.fromAckFloor && info.config.filter_subject === filter) {
      // 2.9 cannot rewind a durable in place; deleting it and starting a new one at the ack floor keeps
      // every unacked event (acked ones above the floor come again and are dropped by event id).
      startSeq = info.ack_floor.stream_seq + 1;
      await jsm.consumers.delete(stream, o.durable);
      info = undefined;
    }
    if (!info) {
      const cfg: Partial<ConsumerConfig> = {
        durable_name: o.durable,
        ack_policy: AckPolicy.Explicit,
        ...(startSeq !== undefined && startSeq > 1
          ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: startSeq }
          : { deliver_policy: DeliverPolicy.All }),
        filter_subject: filter,
        ...tuning,
      };
      await jsm.consumers.add(stream, cfg);
      return;
    }
    if (info.config.filter_subject !== filter) {
      throw new BusError(
        "BUS_CONSUMER_CONFIG",
        `consumer "${o.durable}" already filters "${layout.logical(info.config.filter_subject ?? "")}", not "${logical}"`,
      );
    }
    const c = info.config;
    if (c.ack_wait !== tuning.ack_wait || c.max_deliver !== tuning.max_deliver || c.max_ack_pending !== tuning.max_ack_pending) {
      await jsm.consumers.update(stream, o.durable, tuning);
    }
  } catch (err) {
    if (err instanceof BusError) throw err;
    throw new BusError("BUS_CONSUMER_CONFIG", `cannot create consumer "${o.durable}" on ${stream}: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

/** A running pull loop; `stop()` ends the outstanding pull and waits for in-flight handlers. */
export class JetStreamConsumer implements ConsumerHandle {
  readonly #inflight = new Set<Promise<void>>();
  #stopped = false;
  #batch: ConsumerMessages | undefined;
  #wakeSleep: (() => void) | undefined;
  #loop: Promise<void> = Promise.resolve();

  constructor(
    private readonly consumer: Consumer,
    private readonly options: ConsumeOptions,
    private readonly ctx: DispatchContext,
    private readonly layout: StreamLayout,
    private readonly pullExpiresMs: number,
    private readonly ackTimeoutMs: number,
  ) {}

  get durable(): string {
    return this.options.durable;
  }

  start(): this {
    this.#loop = this.#run();
    return this;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#batch?.stop();
    this.#wakeSleep?.();
    await this.#loop;
    while (this.#inflight.size > 0) await Promise.all(this.#inflight);
  }

  async #run(): Promise<void> {
    let failures = 0;
    while (!this.#stopped) {
      const free = this.options.maxInFlight - this.#inflight.size;
      if (free <= 0) {
        await Promise.race(this.#inflight);
        continue;
      }
      try {
        const batch = await this.consumer.fetch({ max_messages: free, expires: this.pullExpiresMs });
        this.#batch = batch;
        if (this.#stopped) batch.stop();
        for await (const m of batch) this.#start(m);
        failures = 0;
      } catch (err) {
        if (this.#stopped) break;
        this.ctx.onError(err);
        // Server restarts and leader moves show up here; back off and pull again, never give up.
        await this.#sleep(Math.min(250 * 2 ** failures++, 5000));
      } finally {
        this.#batch = undefined;
      }
    }
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      this.#wakeSleep = () => {
        clearTimeout(t);
        resolve();
      };
    });
  }

  #start(m: JsMsg): void {
    // Pulled after stop() was called: hand it straight back instead of holding it for a full ack wait.
    if (this.#stopped) return m.nak();
    const run: Promise<void> = dispatch(this.#raw(m), this.ctx).finally(() => this.#inflight.delete(run));
    this.#inflight.add(run);
  }

  #raw(m: JsMsg): RawDelivery {
    const { subject, partition } = unpartition(this.layout.logical(m.subject));
    return {
      subject,
      ...(partition !== undefined ? { partition } : {}),
      data: m.data,
      headers: fromMsgHdrs(m.headers),
      seq: m.seq,
      deliveryCount: m.info.deliveryCount,
      // Double ack: the handler's "committed, acked" only counts once the server has recorded it.
      ack: async () => {
        if (!(await m.ackAck({ timeout: this.ackTimeoutMs }))) throw new Error(`ack of seq ${m.seq} not confirmed`);
      },
      nak: async (delayMs) => m.nak(delayMs > 0 ? delayMs : undefined),
      // Plain +TERM: nats-server 2.9 does not parse "+TERM <reason>" and would ignore the term entirely;
      // the reason travels in the dead letter instead.
      term: async () => m.term(),
      working: () => m.working(),
    };
  }
}
