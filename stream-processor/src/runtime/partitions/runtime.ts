/**
 * Partitioned consumption for one processor instance: checks the server's partition mapping, then lets
 * the PartitionManager take leases and opens a lane per owned partition: the partition's snapshot is
 * claimed (fencing the previous owner) and restored, and its durable `<name>-p<n>` is restarted at its
 * ack floor, so what the previous owner processed but no snapshot covered comes back first, in order,
 * and the restored seen-event ids drop what the snapshot already holds.
 */
import { partitionOf, type ConsumeOptions, type ConsumerHandle, type EventBus, type PartitionStore } from "@vigil/sensor/bus";
import type { SnapshotSink } from "../checkpoint.ts";
import type { Lane } from "../lane.ts";
import { PartitionError } from "./errors.ts";
import { PartitionManager, type OwnedPartition } from "./manager.ts";
import { decodeSnapshot, partitionSnapshotSink } from "./partition-sink.ts";
import { FairScheduler } from "./scheduler.ts";

/** How a processor shares partitions with other instances. */
export interface PartitionedConsumption {
  /** P: must equal the count in the NATS server's mapping (checked at start). */
  count: number;
  store: PartitionStore;
  /** Unique per running instance (letters, digits, - and _); a restart under the same id gets its leases back at once. */
  instanceId: string;
  /** Lease renewal interval; default a third of the store's lease TTL. */
  heartbeatMs?: number;
  /** Handlers running at once across this instance's partitions (default 4). */
  maxConcurrent?: number;
}

/** The running partitioned side of a processor. */
export interface PartitionRuntime {
  laneOf(tenantId: string): Lane | undefined;
  lanes(): Lane[];
  owned(): number[];
  readonly running: boolean;
  /** Hands every partition over: final snapshots, then the leases are released. */
  stop(): Promise<void>;
}

/** What `startPartitions` needs from the processor. */
export interface StartPartitionsOptions extends PartitionedConsumption {
  bus: EventBus;
  consumerName: string;
  consume: Omit<ConsumeOptions, "durable" | "handler" | "partition" | "fromAckFloor">;
  log: (line: string) => void;
  createLane(consumerName: string, sink: SnapshotSink): Lane;
  /** A lane is done (handed over or lost), for totals that outlive it. */
  retired?(lane: Lane): void;
}

/** Verify the mapping, take a share of the partitions and start consuming them. */
export async function startPartitions(o: StartPartitionsOptions): Promise<PartitionRuntime> {
  const mapping = await o.bus.partitionMapping?.();
  if (!mapping) {
    throw new PartitionError(
      "PARTITION_MAPPING_MISSING",
      `the event bus does not map events to partitions: add the block \`scripts/nats/mappings.sh ${o.count}\` prints to every NATS server's config (scripts/services.sh and scripts/nats/cluster.sh write it)`,
    );
  }
  if (mapping.count !== o.count) {
    throw new PartitionError(
      "PARTITION_COUNT_MISMATCH",
      `the NATS server maps events to ${mapping.count} partitions but VIGIL_PARTITIONS is ${o.count}; every processor and server must agree`,
    );
  }
  const lanes = new Map<number, Lane>();
  const scheduler = new FairScheduler(o.maxConcurrent ?? 4);
  let active = true;

  const open = async (p: number, current: () => boolean): Promise<OwnedPartition> => {
    const durable = `${o.consumerName}-p${p}`;
    // A claim fences whoever holds the partition now: never claim for an opening the manager gave up on.
    const given = () => new Error(`partition ${p}: opening abandoned`);
    if (!current()) throw given();
    const claim = await o.store.claimSnapshot(p, o.instanceId);
    if (!current()) throw given();
    // Set once consuming; stop/abandon may come earlier (a fenced save never does, but a timeout can).
    const running: { consumer?: ConsumerHandle } = {};
    const owned: OwnedPartition = {
      async stop() {
        await running.consumer?.stop();
        await lane.checkpoints.idle();
        await lane.maybeCheckpoint(true);
        if (lanes.get(p) === lane) lanes.delete(p);
        o.retired?.(lane);
      },
      async abandon() {
        if (lanes.get(p) === lane) lanes.delete(p);
        await running.consumer?.stop();
        o.retired?.(lane);
      },
    };
    const lane = o.createLane(
      durable,
      partitionSnapshotSink(o.store, p, o.instanceId, claim.token, () => manager.lost(p, owned)),
    );
    if (claim.data) {
      const snapshot = await decodeSnapshot(p, claim.data);
      lane.restore(snapshot);
      o.log(`partition ${p}: restored state written ${snapshot.writtenAt} (${snapshot.outbox.length} events awaiting sinks)`);
    }
    running.consumer = await o.bus.consume({
      ...o.consume,
      durable,
      partition: p,
      fromAckFloor: true,
      handler: (msg) => scheduler.run(p, () => lane.handle(msg)),
    });
    if (!current()) {
      await running.consumer.stop();
      throw given();
    }
    lanes.set(p, lane);
    return owned;
  };

  const manager = new PartitionManager({
    store: o.store,
    count: o.count,
    instanceId: o.instanceId,
    heartbeatMs: o.heartbeatMs ?? Math.max(100, Math.floor(o.store.leaseTtlMs / 3)),
    log: o.log,
    open,
  });
  await manager.start();
  return {
    laneOf: (tenantId) => lanes.get(partitionOf(tenantId, o.count)),
    lanes: () => [...lanes.values()],
    owned: () => manager.owned(),
    get running() {
      return active;
    },
    async stop() {
      active = false;
      await manager.stop();
    },
  };
}
