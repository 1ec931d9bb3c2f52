/**
 * A processing lane: one engine with its outbox and its checkpointer. The single-durable processor has
 * one; a partitioned processor has one per partition it owns, so a partition's state can be
 * snapshotted, handed over and dropped on its own (partitions/runtime.ts).
 */
import type { BusMessage } from "@vigil/sensor/bus";
import type { RelationalStore } from "@vigil/db";
import { createEngine, type Engine, type EngineOptions, type EngineStats } from "../engine/engine.ts";
import { Checkpointer, type ProcessorSnapshot, type SnapshotSink } from "./checkpoint.ts";
import { EntityContextLoader } from "./entity-context.ts";
import { Outbox } from "./outbox.ts";

/** An engine with its outbox and snapshots. */
export interface Lane {
  readonly engine: Engine;
  readonly contexts: EntityContextLoader;
  readonly outbox: Outbox;
  readonly checkpoints: Checkpointer;
  inHandler: boolean;
  restore(snapshot: ProcessorSnapshot): void;
  /** Snapshot now if one is due (or `force`), never mid-message. */
  maybeCheckpoint(force?: boolean): Promise<void> | undefined;
  /** The consumer handler: one message, then a checkpoint if one is due. */
  handle(msg: BusMessage): Promise<void>;
}

/** What a lane is built from; `handle` is the processor's per-message work. */
export interface LaneOptions {
  consumerName: string;
  sink: SnapshotSink;
  engine: EngineOptions;
  store: RelationalStore;
  maxOutbox: number | undefined;
  /** Snapshot after this many committed messages… */
  every: number;
  /** …or this long after the last snapshot when any are pending. */
  interval: number;
  log: (line: string) => void;
  handle(msg: BusMessage, lane: Lane): Promise<void>;
}

/** Builds a lane. */
export function buildLane(o: LaneOptions): Lane {
  const engine = createEngine(o.engine);
  const checkpoints = new Checkpointer(o.sink, o.log);
  let lastCheckpoint = Date.now();
  const lane: Lane = {
    engine,
    contexts: new EntityContextLoader(o.store, engine),
    outbox: new Outbox(o.maxOutbox),
    checkpoints,
    inHandler: false,
    restore(snapshot) {
      engine.restore(snapshot.engine);
      lane.outbox.restore(snapshot.outbox);
    },
    // Mid-message the engine is ahead of the sinks, so snapshots are taken only between messages.
    maybeCheckpoint(force = false) {
      if (lane.inHandler || checkpoints.busy) return undefined;
      const due = checkpoints.pending >= o.every || (checkpoints.pending > 0 && Date.now() - lastCheckpoint >= o.interval);
      if (!force && !due) return undefined;
      lastCheckpoint = Date.now();
      const capture = (): ProcessorSnapshot => ({
        v: 1,
        consumer: o.consumerName,
        writtenAt: new Date().toISOString(),
        engine: engine.snapshot(),
        outbox: lane.outbox.snapshot(),
      });
      return checkpoints.checkpoint(capture);
    },
    async handle(msg) {
      lane.inHandler = true;
      try {
        await o.handle(msg, lane);
      } finally {
        lane.inHandler = false;
      }
      void lane.maybeCheckpoint();
    },
  };
  return lane;
}

/** The snapshot and engine figures of several lanes, summed. */
export function laneStats(lanes: readonly Lane[]): {
  pendingAcks: number;
  outbox: number;
  snapshots: number;
  acked: number;
  lastSnapshotAt: string | undefined;
  engine: EngineStats;
} {
  const sum = (f: (lane: Lane) => number) => lanes.reduce((n, lane) => n + f(lane), 0);
  const engines = lanes.map((lane) => lane.engine.stats());
  const total = (k: keyof EngineStats) => engines.reduce((n, e) => n + e[k], 0);
  const last = lanes.map((lane) => lane.checkpoints.stats.lastSnapshotAt).filter((at) => at !== undefined);
  return {
    pendingAcks: sum((lane) => lane.checkpoints.pending),
    outbox: sum((lane) => lane.outbox.size),
    snapshots: sum((lane) => lane.checkpoints.stats.snapshots),
    acked: sum((lane) => lane.checkpoints.stats.acked),
    lastSnapshotAt: last.sort().at(-1),
    engine: { tenants: total("tenants"), stateKeys: total("stateKeys"), openAlerts: total("openAlerts"), seenEvents: total("seenEvents") },
  };
}
