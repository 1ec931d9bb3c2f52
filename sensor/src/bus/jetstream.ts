/**
 * EventBus on a real nats-server with JetStream (@nats-io v3 clients). Events are persisted with
 * `Nats-Msg-Id` dedupe, consumed by durable pull consumers, and dead-lettered into their own stream;
 * any other subject (alerts) is plain core-NATS fan-out to every subscriber.
 */
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { JetStreamClient, JetStreamManager } from "@nats-io/jetstream";
import { connect, credsAuthenticator } from "@nats-io/transport-node";
import type { NatsConnection } from "@nats-io/transport-node";
import { ReasonMemo, type RawDelivery } from "./dispatch.ts";
import { BusError, describeServer } from "./errors.ts";
import { ensureConsumer, fromMsgHdrs, JetStreamConsumer, toMsgHdrs } from "./jetstream-consumer.ts";
import { ensureStreams, StreamLayout, type StreamLayoutOptions } from "./jetstream-streams.ts";
import { probePartitionMapping } from "./jetstream-probe.ts";
import type { PartitionMapping } from "./partitions.ts";
import { unpartition } from "./partitions.ts";
import type {
  BusHealth,
  BusSubscription,
  ConsumeOptions,
  ConsumerHandle,
  DeadLetter,
  DeadLetterFilter,
  EventBus,
  PublishOptions,
  PublishResult,
} from "./port.ts";
import {
  assertSubject,
  busEvent,
  DEADLETTER_PREFIX,
  deadLetterHeaders,
  deadLetterMsgId,
  deadLetterSubject,
  EVENTS_PREFIX,
  isUnder,
  toBytes,
  toDeadLetter,
} from "./subjects.ts";
import { validateConsume } from "./validate.ts";

/** Connection and layout options of the JetStream adapter (never read from env here). */
export interface JetStreamBusOptions extends StreamLayoutOptions {
  /** e.g. "nats://127.0.0.1:4222" or a list for a cluster. */
  servers: string | string[];
  /** Connection name shown by the server's monitoring. */
  name?: string;
  user?: string;
  pass?: string;
  token?: string;
  /** Text of a NATS `.creds` file (operator/JWT mode; docs/nats-auth.md). */
  creds?: string;
  /** Reply-inbox prefix; a sensor in operator mode may only subscribe to its own (auth-permissions.ts). */
  inboxPrefix?: string;
  /**
   * A sensor in operator mode: it may publish events but not call the JetStream API, so the bus
   * neither checks nor creates streams at connect and `health()` is a round trip only.
   */
  publishOnly?: boolean;
  /** Give up on the first connect after this long (default 2000 ms), so `vigil` can say why quickly. */
  connectTimeoutMs?: number;
  /** Wait for a publish ack this long (default 5000 ms); the sensor spools on failure. */
  publishTimeoutMs?: number;
  /** Lifetime of one pull request (default 5000 ms, min 1000). */
  pullExpiresMs?: number;
}

/** Connect, check JetStream, ensure both streams; throws BusError (BUS_UNREACHABLE, ...) on failure. */
export async function connectJetStreamBus(options: JetStreamBusOptions): Promise<JetStreamEventBus> {
  const layout = new StreamLayout(options);
  const where = describeServer(options.servers);
  const timeout = options.connectTimeoutMs ?? 2000;
  let nc: NatsConnection;
  try {
    nc = await connect({
      servers: options.servers,
      timeout,
      // Once connected, ride out server restarts indefinitely; only the first connect fails fast.
      maxReconnectAttempts: -1,
      ...(options.name ? { name: options.name } : {}),
      ...(options.user ? { user: options.user, pass: options.pass ?? "" } : {}),
      ...(options.token ? { token: options.token } : {}),
      ...(options.creds ? { authenticator: credsAuthenticator(new TextEncoder().encode(options.creds)) } : {}),
      ...(options.inboxPrefix ? { inboxPrefix: options.inboxPrefix } : {}),
    });
  } catch (err) {
    const why = (err as Error).name === "TimeoutError" ? `no answer within ${timeout} ms` : (err as Error).message;
    throw new BusError("BUS_UNREACHABLE", `NATS at ${where} is unreachable (${why})`, { cause: err });
  }
  try {
    const jsm = await jetstreamManager(nc, { timeout, ...(options.publishOnly ? { checkAPI: false } : {}) });
    if (!options.publishOnly) await ensureStreams(jsm, layout);
    return new JetStreamEventBus(nc, jsm, jetstream(nc, { timeout: options.publishTimeoutMs ?? 5000 }), layout, options, where);
  } catch (err) {
    await nc.close().catch(() => {});
    if (err instanceof BusError) throw err;
    // The class is not on the public entry; its name is stable ("JetStreamNotEnabled").
    if ((err as Error).name === "JetStreamNotEnabled") {
      throw new BusError("BUS_JETSTREAM_UNAVAILABLE", `NATS at ${where} does not have JetStream enabled (start nats-server with -js)`, {
        cause: err,
      });
    }
    throw new BusError("BUS_JETSTREAM_UNAVAILABLE", `NATS at ${where}: JetStream is not usable (${(err as Error).message})`, {
      cause: err,
    });
  }
}

/** JetStream EventBus adapter; build it with `connectJetStreamBus`. */
export class JetStreamEventBus implements EventBus {
  readonly #consumers = new Set<JetStreamConsumer>();
  #closed = false;

  constructor(
    private readonly nc: NatsConnection,
    private readonly jsm: JetStreamManager,
    private readonly js: JetStreamClient,
    /** Stream names and namespace in use. */
    readonly layout: StreamLayout,
    private readonly options: JetStreamBusOptions,
    private readonly where: string,
  ) {}

  async publish(subject: string, payload: Uint8Array | string, options: PublishOptions = {}): Promise<PublishResult> {
    this.#assertOpen();
    assertSubject(subject, false);
    if (isUnder(DEADLETTER_PREFIX, subject)) throw new BusError("BUS_INVALID_SUBJECT", `"${subject}" is reserved for dead letters`);
    const data = toBytes(payload);
    const headers = toMsgHdrs(options.headers);
    const wire = this.layout.wire(subject);
    try {
      if (!isUnder(EVENTS_PREFIX, subject)) {
        this.nc.publish(wire, data, headers ? { headers } : undefined);
        return { seq: 0, duplicate: false };
      }
      const ack = await this.js.publish(wire, data, {
        ...(options.msgId !== undefined ? { msgID: options.msgId } : {}),
        ...(headers ? { headers } : {}),
      });
      return { seq: ack.seq, duplicate: ack.duplicate };
    } catch (err) {
      throw new BusError("BUS_PUBLISH_FAILED", `publish to ${subject} via NATS at ${this.where} failed: ${(err as Error).message}`, {
        cause: err,
      });
    }
  }

  async consume(options: ConsumeOptions): Promise<ConsumerHandle> {
    this.#assertOpen();
    validateConsume(options);
    await ensureConsumer(this.jsm, this.layout, options);
    const consumer = await this.js.consumers.get(this.layout.eventsStream, options.durable);
    const runner = new JetStreamConsumer(
      consumer,
      options,
      {
        durable: options.durable,
        maxDeliver: options.maxDeliver,
        errorDelayMs: options.errorDelayMs ?? 0,
        handler: options.handler,
        onError: options.onError ?? (() => {}),
        reasons: new ReasonMemo(),
        deadLetter: (raw, reason) => this.#deadLetter(raw, reason, options.durable),
      },
      this.layout,
      Math.max(1000, this.options.pullExpiresMs ?? 5000),
      this.options.publishTimeoutMs ?? 5000,
    ).start();
    this.#consumers.add(runner);
    return {
      durable: options.durable,
      stop: async () => {
        this.#consumers.delete(runner);
        await runner.stop();
      },
    };
  }

  async subscribe(subject: string): Promise<BusSubscription> {
    this.#assertOpen();
    assertSubject(subject, true);
    const sub = this.nc.subscribe(this.layout.wire(subject));
    await this.nc.flush(); // interest is registered on the server before we return
    const layout = this.layout;
    async function* events() {
      try {
        for await (const m of sub) yield busEvent(unpartition(layout.logical(m.subject)).subject, m.data, fromMsgHdrs(m.headers));
      } finally {
        sub.unsubscribe();
      }
    }
    const iterator = events();
    return { unsubscribe: () => sub.unsubscribe(), [Symbol.asyncIterator]: () => iterator };
  }

  async readDeadLetters(filter: DeadLetterFilter = {}): Promise<DeadLetter[]> {
    this.#assertOpen();
    const pattern = deadLetterSubject(filter.subject ?? ">");
    assertSubject(pattern, true);
    const out: DeadLetter[] = [];
    // STREAM.MSG.GET with next_by_subj (server >= 2.9) walks matching messages without a consumer.
    const query = { seq: filter.fromSeq ?? 1, next_by_subj: this.layout.wire(pattern) };
    while (out.length < (filter.limit ?? 100)) {
      const sm = await this.jsm.streams.getMessage(this.layout.deadLetterStream, query);
      if (!sm) break;
      out.push(toDeadLetter(sm.seq, this.layout.logical(sm.subject), sm.data, fromMsgHdrs(sm.header)));
      query.seq = sm.seq + 1;
    }
    return out;
  }

  async health(): Promise<BusHealth> {
    if (this.#closed || this.nc.isClosed())
      return { ok: false, adapter: "jetstream", detail: `connection to NATS at ${this.where} closed` };
    try {
      const rtt = await this.nc.rtt();
      if (this.options.publishOnly)
        return { ok: true, adapter: "jetstream", detail: `NATS at ${this.where}, rtt ${rtt} ms (publish only)` };
      const info = await this.jsm.streams.info(this.layout.eventsStream);
      return {
        ok: true,
        adapter: "jetstream",
        detail: `NATS at ${this.where}, rtt ${rtt} ms, ${info.state.messages} events in ${this.layout.eventsStream}`,
      };
    } catch (err) {
      return { ok: false, adapter: "jetstream", detail: `NATS at ${this.where}: ${(err as Error).message}` };
    }
  }

  /** Asks the server which partition mapping it applies (one probe round trip). */
  async partitionMapping(): Promise<PartitionMapping | undefined> {
    this.#assertOpen();
    return probePartitionMapping(this.nc, this.where);
  }

  /** The connection, for the partition store (same servers, credentials and reconnect policy). */
  get connection(): NatsConnection {
    return this.nc;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all([...this.#consumers].map((c) => c.stop()));
    this.#consumers.clear();
    if (!this.nc.isClosed()) await this.nc.drain().catch(() => this.nc.close());
  }

  /** Delete both streams (tests, uninstall); the bus is unusable for persisted subjects afterwards. */
  async dropStreams(): Promise<void> {
    for (const name of [this.layout.eventsStream, this.layout.deadLetterStream]) {
      await this.jsm.streams.delete(name).catch(() => false);
    }
  }

  /** Delete the partition lease and state buckets of this namespace (tests, uninstall). */
  async dropPartitionBuckets(): Promise<void> {
    const suffix = this.layout.namespace ? `_${this.layout.namespace}` : "";
    for (const name of [`KV_vigil-partitions${suffix}`, `KV_vigil-partition-state${suffix}`]) {
      await this.jsm.streams.delete(name).catch(() => false);
    }
  }

  async #deadLetter(raw: RawDelivery, reason: string, durable: string): Promise<void> {
    const subject = this.layout.wire(deadLetterSubject(raw.subject));
    const headers = toMsgHdrs(deadLetterHeaders(raw, reason, durable));
    await this.js.publish(subject, raw.data, { msgID: deadLetterMsgId(durable, raw.seq), ...(headers ? { headers } : {}) });
  }

  #assertOpen(): void {
    if (this.#closed) throw new BusError("BUS_CLOSED", "event bus is closed");
  }
}
