/**
 * Stream layout on a real nats-server: names, wire subjects, and the idempotent create-or-update that
 * runs at connect time. A `namespace` prefixes every wire subject (`<ns>.vigil.events.>`) and suffixes
 * the stream names, because JetStream refuses two streams with overlapping subjects: without it, two
 * test suites (or two Vigil deployments) could not share one server/account.
 */
import { DiscardPolicy, JetStreamApiCodes, JetStreamApiError, RetentionPolicy, StorageType } from "@nats-io/jetstream";
import type { JetStreamManager, StreamConfig } from "@nats-io/jetstream";
import { nanos } from "@nats-io/transport-node";
import { BusError } from "./errors.ts";
import {
  assertName,
  DEADLETTER_DUPLICATE_WINDOW_MS,
  DEADLETTER_PREFIX,
  DEADLETTER_STREAM,
  DEFAULT_DUPLICATE_WINDOW_MS,
  EVENTS_PREFIX,
  EVENTS_STREAM,
} from "./subjects.ts";

/** Per-stream settings (all optional). */
export interface StreamOptions {
  /** Overrides the default name (and its namespace suffix). */
  name?: string;
  /** 0 = keep forever (default). */
  maxAgeMs?: number;
  /** -1 = unlimited (default). */
  maxBytes?: number;
  /** Replicas in a clustered server (default: the layout's `replicas`). */
  replicas?: number;
}

/** Settings of the events stream. */
export interface EventsStreamOptions extends StreamOptions {
  /** Msg-id dedupe window (default 2 h). */
  duplicateWindowMs?: number;
}

/** Where the bus lives on the server. */
export interface StreamLayoutOptions {
  /** Prefix for wire subjects and suffix for stream names; letters, digits, - and _. */
  namespace?: string;
  /**
   * Copies of each stream in a NATS cluster (1-5); 3 survives the loss of one node. A per-stream
   * `replicas` wins. Unset: a new stream gets 1 and an existing one keeps its count, so a sensor that
   * was not told the cluster's setting never scales the streams down; set, it scales them at connect.
   */
  replicas?: number;
  events?: EventsStreamOptions;
  deadLetter?: StreamOptions;
}

/** Resolved names and subject mapping. */
export class StreamLayout {
  readonly namespace: string;
  readonly eventsStream: string;
  readonly deadLetterStream: string;

  constructor(readonly options: StreamLayoutOptions = {}) {
    this.namespace = options.namespace ?? "";
    if (this.namespace) assertName("namespace", this.namespace);
    const suffix = this.namespace ? `_${this.namespace}` : "";
    this.eventsStream = options.events?.name ?? `${EVENTS_STREAM}${suffix}`;
    this.deadLetterStream = options.deadLetter?.name ?? `${DEADLETTER_STREAM}${suffix}`;
    assertName("stream name", this.eventsStream);
    assertName("stream name", this.deadLetterStream);
    for (const [what, n] of [
      ["replicas", options.replicas],
      ["events.replicas", options.events?.replicas],
      ["deadLetter.replicas", options.deadLetter?.replicas],
    ] as const) {
      // JetStream caps replicas at 5; saying so here beats the server's terse "replicas > 5 not supported".
      if (n !== undefined && !(Number.isInteger(n) && n >= 1 && n <= 5)) {
        throw new BusError("BUS_INVALID_OPTIONS", `${what} must be an integer from 1 to 5, got ${String(n)}`);
      }
    }
  }

  /** Logical subject → subject on the wire. */
  wire(subject: string): string {
    return this.namespace ? `${this.namespace}.${subject}` : subject;
  }

  /** Subject on the wire → logical subject. */
  logical(wire: string): string {
    return this.namespace && wire.startsWith(`${this.namespace}.`) ? wire.slice(this.namespace.length + 1) : wire;
  }

  /** Desired configuration of both streams. */
  configs(): Array<Partial<StreamConfig> & { name: string; subjects: string[] }> {
    const ev = this.options.events ?? {};
    const dl = this.options.deadLetter ?? {};
    const replicas = (o: StreamOptions) => o.replicas ?? this.options.replicas;
    const common = (o: StreamOptions) => ({
      storage: StorageType.File,
      retention: RetentionPolicy.Limits,
      discard: DiscardPolicy.Old,
      max_age: nanos(o.maxAgeMs ?? 0),
      max_bytes: o.maxBytes ?? -1,
      ...(replicas(o) !== undefined ? { num_replicas: replicas(o) } : {}),
    });
    return [
      {
        ...common(ev),
        name: this.eventsStream,
        subjects: [this.wire(`${EVENTS_PREFIX}.>`)],
        duplicate_window: nanos(ev.duplicateWindowMs ?? DEFAULT_DUPLICATE_WINDOW_MS),
      },
      {
        ...common(dl),
        name: this.deadLetterStream,
        subjects: [this.wire(`${DEADLETTER_PREFIX}.>`)],
        duplicate_window: nanos(DEADLETTER_DUPLICATE_WINDOW_MS),
      },
    ];
  }
}

function isApiError(err: unknown, code: number): boolean {
  return err instanceof JetStreamApiError && err.code === code;
}

const UPDATABLE = ["subjects", "duplicate_window", "max_age", "max_bytes", "num_replicas"] as const;

async function ensureStream(jsm: JetStreamManager, want: Partial<StreamConfig> & { name: string; subjects: string[] }): Promise<void> {
  // Two attempts: a concurrent starter may create the stream between our info and add.
  for (let attempt = 0; ; attempt++) {
    try {
      const info = await jsm.streams.info(want.name).catch((err: unknown) => {
        if (isApiError(err, JetStreamApiCodes.StreamNotFound)) return undefined;
        throw err;
      });
      if (!info) {
        await jsm.streams.add({ num_replicas: 1, ...want });
        return;
      }
      if (info.config.storage !== want.storage) {
        throw new BusError(
          "BUS_STREAM_CONFIG",
          `stream ${want.name} uses ${info.config.storage} storage, not ${want.storage}; recreate it`,
        );
      }
      const drift = UPDATABLE.some((k) => k in want && JSON.stringify(info.config[k]) !== JSON.stringify(want[k]));
      if (drift) await jsm.streams.update(want.name, { ...info.config, ...want });
      return;
    } catch (err) {
      if (err instanceof BusError) throw err;
      if (attempt === 0 && err instanceof JetStreamApiError) continue;
      throw new BusError("BUS_STREAM_CONFIG", `cannot create or update stream ${want.name}: ${(err as Error).message}`, { cause: err });
    }
  }
}

/** Create or update both streams so they match `layout` (safe to run from every process at start). */
export async function ensureStreams(jsm: JetStreamManager, layout: StreamLayout): Promise<void> {
  for (const cfg of layout.configs()) await ensureStream(jsm, cfg);
}
