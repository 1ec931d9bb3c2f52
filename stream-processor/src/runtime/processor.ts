/**
 * The stream processor runtime (DESIGN.md §1 item 2, STYLE.md convention 12). Either one durable pull
 * consumer on `vigil.events.>`, or (with `partitions`) one per partition this instance holds a lease
 * on (partitions/manager.ts), each partition a "lane" with its own engine, outbox and snapshot, the
 * lanes taking turns (partitions/scheduler.ts). Per lane one message at a time, each one:
 *
 *   authenticate (sensor of the subject's tenant, signature) ─ poison → term + dead letter with reason
 *   engine.process(event)          → alert updates (the engine skips event ids it has already seen)
 *   sinks: graph, alert rows + evidence, `vigil.alerts.<tenant>` announcements
 *          transient failure       → nak(back-off); the updates wait in the outbox for the redelivery
 *   committed                      → ack deferred until a snapshot covering the message is on disk
 *
 * Snapshots (engine state + outbox) are written every `snapshotIntervalMs` or `snapshotEveryEvents`
 * committed messages, and at stop, always between two messages. See checkpoint.ts for why acks wait.
 */
import type { BusMessage, ConsumerHandle } from "@vigil/sensor/bus";
import { EVENTS_ROOT, tenantOfSubject } from "@vigil/sensor/contract";
import { allDetections } from "../detections/index.ts";
import { fileSnapshotSink, readSnapshot, type SnapshotSink } from "./checkpoint.ts";
import { buildLane, laneStats, type Lane } from "./lane.ts";
import { authenticate } from "./message-auth.ts";
import { workKey } from "./outbox.ts";
import { SensorDirectory } from "./sensor-directory.ts";
import { RecentEvents, runSinks } from "./sink-runner.ts";
import { createRetentionJob } from "./retention.ts";
import { createPersonalDataJob } from "./personal-data.ts";
import { hasGraphWrites } from "../sinks/graph-writer.ts";
import { withLmpExposure } from "../sinks/alert-writer.ts";
import { sinkLmpOpenings } from "./lmp-openings-sink.ts";
import { createSessionExpiry } from "./session-expiry.ts";
import { createLmpRefresh } from "./lmp-refresh.ts";
import { createPostureRunner } from "./posture-runner.ts";
import { createHealthMonitor, type HealthMonitor } from "../health/monitor.ts";
import { createIngestQuotaControl } from "./ingest-quotas.ts";
import { startPartitions, type PartitionRuntime } from "./partitions/runtime.ts";
import type { Processor, ProcessorOptions } from "./processor-types.ts";

export type { Processor, ProcessorOptions, ProcessorStats } from "./processor-types.ts";

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** Builds a processor; nothing runs until `start()`. */
export function createProcessor(options: ProcessorOptions): Processor {
  const { bus, store, graph, log } = options;
  const counters = {
    received: 0,
    processed: 0,
    deadLettered: 0,
    retried: 0,
    alertsCreated: 0,
    alertsUpdated: 0,
    announced: 0,
    detectionErrors: 0,
    deferred: 0,
  };
  const interval = options.snapshotIntervalMs ?? Math.min(1000, Math.floor(options.ackWaitMs / 3));
  const every = options.snapshotEveryEvents ?? 500;
  const retryBase = options.retryBaseMs ?? 500;
  const retryMax = options.retryMaxMs ?? 30_000;
  const sensors = new SensorDirectory(store, { ttlMs: options.sensorCacheTtlMs, maxEntries: options.sensorCacheSize });
  const recent = new RecentEvents();
  // Sessions expire through sessionExpiry; the retention job purges the relational audit trail.
  const retention = options.retention === false ? undefined : createRetentionJob({ store, policy: options.retention, log });
  const personalData = options.personalData === false ? undefined : createPersonalDataJob({ ...options.personalData, store, graph, log });
  const sessionExpiry = createSessionExpiry({ ...options.sessionExpiry, graph, log });
  const lmpRefresh = createLmpRefresh({ ...options.lmpRefresh, graph, log });
  const posture =
    options.posture === false
      ? undefined
      : createPostureRunner({ dir: `${options.snapshotFile}.posture`, ...options.posture, store, graph, log });
  const siem = options.siem;
  const openingsDeps = { graph, log, forwardsToSiem: siem !== undefined };
  const health: HealthMonitor | undefined = options.health
    ? createHealthMonitor({
        ...options.health,
        store,
        bus,
        log,
        knownDcs: (tenantId) => laneOf(tenantId)?.engine.context(tenantId).dcHosts ?? [],
        owns: (tenantId) => laneOf(tenantId) !== undefined,
        ...(siem ? { onChange: (change) => siem.healthChanged(change) } : {}),
      })
    : undefined;
  const quotas = options.ingestQuota
    ? createIngestQuotaControl({
        ...options.ingestQuota,
        store,
        bus,
        maxDeliver: options.maxDeliver,
        log,
        ...(health ? { onReading: (r) => health.ingestQuota(r) } : {}),
      })
    : undefined;
  let consumer: ConsumerHandle | undefined;
  let single: Lane | undefined;
  let partitioned: PartitionRuntime | undefined;
  const retired = { acked: 0, snapshots: 0 };
  let timers: NodeJS.Timeout[] = [];

  /** The lane holding a tenant's state; undefined when this instance does not own its partition. */
  const laneOf = (tenantId: string): Lane | undefined => single ?? partitioned?.laneOf(tenantId);
  const lanes = (): Lane[] => (single ? [single] : (partitioned?.lanes() ?? []));

  /** One engine with its outbox and snapshots: the whole processor, or one partition of it. */
  function createLane(consumerName: string, sink: SnapshotSink): Lane {
    return buildLane({
      consumerName,
      sink,
      engine: {
        ...options.engine,
        detections: options.detections ?? allDetections,
        onDetectionError: (err, info) => {
          counters.detectionErrors++;
          log(`detection ${info.detectionId} failed on event ${info.eventId} (tenant ${info.tenantId}): ${errorText(err)}`);
        },
      },
      store,
      maxOutbox: options.maxOutbox,
      every,
      interval,
      log,
      handle,
    });
  }

  const backoff = (deliveryCount: number) => Math.min(retryMax, retryBase * 2 ** Math.max(0, deliveryCount - 1));

  async function handle(msg: BusMessage, lane: Lane): Promise<void> {
    const { engine, contexts, outbox, checkpoints } = lane;
    counters.received++;
    const subjectTenant = tenantOfSubject(msg.subject);
    const deferral = subjectTenant ? quotas?.admit({ tenantId: subjectTenant, seq: msg.seq, deliveryCount: msg.deliveryCount }) : undefined;
    if (deferral) {
      counters.deferred++;
      return msg.nak(deferral.delayMs, deferral.reason);
    }
    let since = Date.now();
    const keepAlive = () => {
      if (Date.now() - since < options.ackWaitMs / 3) return;
      msg.working();
      since = Date.now();
    };
    const retry = async (reason: string) => {
      counters.retried++;
      const delay = backoff(msg.deliveryCount);
      log(`retrying message ${msg.seq} (${msg.subject}) in ${delay} ms: ${reason}`);
      await msg.nak(delay, reason);
    };

    let verdict;
    try {
      verdict = await authenticate(msg, sensors);
    } catch (err) {
      return retry(`sensor lookup failed: ${errorText(err)}`);
    }
    if ("poison" in verdict) {
      counters.deadLettered++;
      log(`dead-lettering message ${msg.seq} (${msg.subject}): ${verdict.poison}`);
      return msg.term(verdict.poison);
    }
    const event = verdict.event;
    sessionExpiry.observe(event.tenantId, Date.parse(event.time));
    personalData?.observe(event);
    health?.observe(event);
    quotas?.observe(event.tenantId, event.sensorId);
    let work = outbox.get(event);
    if (!work) {
      if (outbox.full) return retry(`${outbox.size} earlier events still wait for their sinks`);
      try {
        await contexts.ensure(event.tenantId);
      } catch (err) {
        return retry(`loading entity tags of tenant ${event.tenantId} failed: ${errorText(err)}`);
      }
      let updates;
      try {
        updates = engine.process(event);
      } catch (err) {
        counters.deadLettered++;
        return msg.term(`engine failed on the event: ${errorText(err)}`);
      }
      counters.processed++;
      posture?.observe(event);
      recent.add(event);
      // The host table as the engine left it after this event: IP-only sources resolve through it.
      const hosts = engine.context(event.tenantId).hosts;
      if (updates.length === 0 && !hasGraphWrites(event, hosts)) {
        checkpoints.defer(msg);
        return;
      }
      work = { key: workKey(event), event, graphDone: !hasGraphWrites(event, hosts), updates: updates.map((u) => ({ alert: u.alert })) };
      // The LMP exposure of the accounts involved, as the graph holds it before this event's writes.
      for (const u of work.updates) u.alert = await withLmpExposure(graph, u.alert);
      outbox.add(work);
    }
    // Forwarded once each, when first announced (a retried attempt skips what was announced before).
    const unannounced = siem ? work.updates.filter((u) => !u.announced) : [];
    const graphPending = !work.graphDone;
    const sinkDeps = {
      store,
      graph,
      bus,
      log,
      keepAlive,
      evidence: (tenantId: string) => recent.lookup(tenantId),
      hosts: (tenantId: string) => engine.context(tenantId).hosts,
    };
    let result = await runSinks(work, sinkDeps);
    if (graphPending && work.graphDone) {
      lmpRefresh.written(event.tenantId, Date.parse(event.time));
      // Paths this write (or an import since the last one) opened: alerts stored like the event's own.
      if (!result.failure)
        result = await sinkLmpOpenings(openingsDeps, engine, work, event, result, () => runSinks(work, sinkDeps), unannounced);
    }
    counters.alertsCreated += result.created;
    counters.alertsUpdated += result.updated;
    counters.announced += result.announced;
    for (const u of unannounced) if (u.announced && u.payload) siem!.alert(u.payload, u.stored === "created" ? "new" : "update");
    if (result.failure) return retry(result.failure);
    outbox.delete(work);
    checkpoints.defer(msg);
  }

  return {
    health,

    async start() {
      if (consumer || partitioned) throw new Error("processor already started");
      const consumeOptions = {
        filterSubject: options.filterSubject ?? `${EVENTS_ROOT}.>`,
        maxDeliver: options.maxDeliver,
        ackWaitMs: options.ackWaitMs,
        maxInFlight: 1,
        errorDelayMs: retryBase,
        onError: (err: unknown) => log(`bus: ${errorText(err)}`),
      };
      await posture?.start();
      if (options.partitions) {
        partitioned = await startPartitions({
          ...options.partitions,
          bus,
          consumerName: options.consumerName,
          consume: consumeOptions,
          log,
          createLane,
          retired: (lane) => {
            retired.acked += lane.checkpoints.stats.acked;
            retired.snapshots += lane.checkpoints.stats.snapshots;
          },
        });
      } else {
        const lane = createLane(options.consumerName, fileSnapshotSink(options.snapshotFile));
        const snapshot = await readSnapshot(options.snapshotFile);
        if (snapshot) {
          lane.restore(snapshot);
          log(
            `restored engine state from ${options.snapshotFile} (written ${snapshot.writtenAt}, ${snapshot.outbox.length} events awaiting sinks)`,
          );
        }
        single = lane;
        consumer = await bus.consume({ ...consumeOptions, durable: options.consumerName, handler: (msg) => lane.handle(msg) });
      }
      const tick = setInterval(
        () => {
          for (const lane of lanes()) void lane.maybeCheckpoint();
        },
        Math.max(10, Math.floor(interval / 2)),
      );
      const refresh = setInterval(() => {
        for (const lane of lanes()) {
          void lane.contexts.refresh((tenant, err) => log(`refreshing entity tags of tenant ${tenant} failed: ${errorText(err)}`));
        }
      }, options.contextRefreshMs ?? 60_000);
      timers = [tick, refresh];
      sessionExpiry.start();
      lmpRefresh.start();
      for (const t of timers) t.unref();
      retention?.start();
      personalData?.start();
      health?.start();
      quotas?.start();
    },

    async stop() {
      const running = consumer;
      const lane = single;
      const parts = partitioned;
      consumer = undefined;
      for (const t of timers) clearInterval(t);
      await sessionExpiry.stop();
      await lmpRefresh.stop();
      await retention?.stop();
      await personalData?.stop();
      await health?.stop();
      await quotas?.stop();
      timers = [];
      if (parts) {
        await parts.stop();
        partitioned = undefined;
        await posture?.stop();
        return;
      }
      if (!running || !lane) return;
      await running.stop();
      await lane.checkpoints.idle();
      await lane.maybeCheckpoint(true);
      await posture?.stop();
    },

    stats() {
      const live = laneStats(lanes());
      return {
        running: consumer !== undefined || (partitioned?.running ?? false),
        ...counters,
        ...live,
        // Partitions handed over or lost took their lanes along; their acks still happened here.
        acked: live.acked + retired.acked,
        snapshots: live.snapshots + retired.snapshots,
        ...(partitioned ? { partitions: partitioned.owned() } : {}),
      };
    },
  };
}
