/**
 * The stream processor runtime (DESIGN.md §1 item 2, STYLE.md convention 12). One durable pull
 * consumer on `vigil.events.>`, one message at a time (partitioning comes later), each one:
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
import type { RelationalStore } from "@vigil/db";
import type { IdentityGraph } from "@vigil/graph-model";
import type { BusMessage, ConsumerHandle, EventBus } from "@vigil/sensor/bus";
import { EVENTS_ROOT } from "@vigil/sensor/contract";
import { allDetections } from "../detections/index.ts";
import type { Detection } from "../engine/detection.ts";
import { createEngine, type EngineOptions, type EngineStats } from "../engine/engine.ts";
import { Checkpointer, readSnapshot, type ProcessorSnapshot } from "./checkpoint.ts";
import { EntityContextLoader } from "./entity-context.ts";
import { authenticate } from "./message-auth.ts";
import { Outbox, workKey } from "./outbox.ts";
import { SensorDirectory } from "./sensor-directory.ts";
import { RecentEvents, runSinks } from "./sink-runner.ts";
import { createRetentionJob, type RetentionPolicy } from "./retention.ts";
import { createPersonalDataJob, type PersonalDataJobOptions } from "./personal-data.ts";
import { hasGraphWrites } from "../sinks/graph-writer.ts";
import { withLmpExposure } from "../sinks/alert-writer.ts";
import { createSessionExpiry, type SessionExpiryOptions } from "./session-expiry.ts";
import { createLmpRefresh, type LmpRefreshOptions } from "./lmp-refresh.ts";
import { createPostureRunner, type PostureRunnerOptions } from "./posture-runner.ts";
import { createHealthMonitor, type HealthMonitor, type HealthMonitorSettings } from "../health/monitor.ts";
import type { SiemForwarder } from "../siem/forwarder.ts";

/** What a processor is built from. */
export interface ProcessorOptions {
  bus: EventBus;
  store: RelationalStore;
  graph: IdentityGraph;
  /** Default: every detection Vigil ships. */
  detections?: readonly Detection[];
  /** Engine bounds (state keys, open alerts, seen ids, lateness…). */
  engine?: Omit<EngineOptions, "detections" | "onDetectionError">;
  /** Durable consumer name; processors with the same name share the stream. */
  consumerName: string;
  /** Default `vigil.events.>` (every tenant). */
  filterSubject?: string;
  snapshotFile: string;
  maxDeliver: number;
  ackWaitMs: number;
  log: (line: string) => void;
  /** Default min(1000, ackWaitMs / 3): deferred acks must land well inside the ack wait. */
  snapshotIntervalMs?: number;
  /** Default 500 (JetStream stops delivering at 1000 unacked messages per consumer). */
  snapshotEveryEvents?: number;
  /** Back-off of transient failures: base × 2^(delivery − 1), capped. Defaults 500 ms and 30 s. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  sensorCacheTtlMs?: number;
  sensorCacheSize?: number;
  /** How often entity tags of the tenants seen so far are re-read from the store. Default 60 s. */
  contextRefreshMs?: number;
  /** Events whose sink work may wait for a retry at once. Default 10 000. */
  maxOutbox?: number;
  /** HAS_SESSION expiry (TTL, sweep interval, clock); defaults in session-expiry.ts. */
  sessionExpiry?: Omit<SessionExpiryOptions, "graph" | "log">;
  /** Lateral-movement precompute per written tenant (first write, then hourly); defaults in lmp-refresh.ts. */
  lmpRefresh?: Omit<LmpRefreshOptions, "graph" | "log">;
  /** Posture assessments after each sync and daily (posture-runner.ts); state in `<snapshotFile>.posture/` by default; false: none. */
  posture?: (Omit<PostureRunnerOptions, "store" | "graph" | "log" | "dir"> & { dir?: string }) | false;
  /** Audit-entry retention purge (retention.ts); default DEFAULT_RETENTION, false: none. */
  retention?: Partial<RetentionPolicy> | false;
  /** Deletion of people removed from AD and 180-day activity retention (personal-data.ts); false: none. */
  personalData?: Omit<PersonalDataJobOptions, "store" | "graph" | "log"> | false;
  /** Health issues from heartbeats and DC event sightings (health/monitor.ts); undefined: none. */
  health?: HealthMonitorSettings;
  /** CEF-over-syslog export of stored alerts and new health issues; only enqueues, never blocks. */
  siem?: SiemForwarder;
}

/** Counters since start. */
export interface ProcessorStats {
  running: boolean;
  /** Messages handed to the processor. */
  received: number;
  /** Authenticated events run through the engine. */
  processed: number;
  deadLettered: number;
  /** Transient failures (nak with back-off). */
  retried: number;
  alertsCreated: number;
  alertsUpdated: number;
  announced: number;
  pendingAcks: number;
  acked: number;
  outbox: number;
  snapshots: number;
  lastSnapshotAt: string | undefined;
  detectionErrors: number;
  engine: EngineStats;
}

/** A running (or startable) processor. */
export interface Processor {
  /** Restores the snapshot and starts consuming (entity tags load per tenant before its first event). */
  start(): Promise<void>;
  /** Drains: stops fetching, finishes the message in hand, writes a final snapshot and acks what it covers. */
  stop(): Promise<void>;
  stats(): ProcessorStats;
  /** The health monitor, when `health` was configured. */
  readonly health?: HealthMonitor;
}

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
  };
  const engine = createEngine({
    ...options.engine,
    detections: options.detections ?? allDetections,
    onDetectionError: (err, info) => {
      counters.detectionErrors++;
      log(`detection ${info.detectionId} failed on event ${info.eventId} (tenant ${info.tenantId}): ${errorText(err)}`);
    },
  });
  const interval = options.snapshotIntervalMs ?? Math.min(1000, Math.floor(options.ackWaitMs / 3));
  const every = options.snapshotEveryEvents ?? 500;
  const retryBase = options.retryBaseMs ?? 500;
  const retryMax = options.retryMaxMs ?? 30_000;
  const sensors = new SensorDirectory(store, { ttlMs: options.sensorCacheTtlMs, maxEntries: options.sensorCacheSize });
  const contexts = new EntityContextLoader(store, engine);
  const outbox = new Outbox(options.maxOutbox);
  const recent = new RecentEvents();
  const checkpoints = new Checkpointer(options.snapshotFile, log);
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
  const health: HealthMonitor | undefined = options.health
    ? createHealthMonitor({
        ...options.health,
        store,
        bus,
        log,
        knownDcs: (tenantId) => engine.context(tenantId).dcHosts,
        ...(siem ? { onChange: (change) => siem.healthChanged(change) } : {}),
      })
    : undefined;
  let consumer: ConsumerHandle | undefined;
  let timers: NodeJS.Timeout[] = [];
  let inHandler = false;
  let lastCheckpoint = Date.now();

  const capture = (): ProcessorSnapshot => ({
    v: 1,
    consumer: options.consumerName,
    writtenAt: new Date().toISOString(),
    engine: engine.snapshot(),
    outbox: outbox.snapshot(),
  });

  /** Snapshots only between messages: mid-message, the engine is ahead of the sinks. */
  function maybeCheckpoint(force = false): Promise<void> | undefined {
    if (inHandler || checkpoints.busy) return undefined;
    const due = checkpoints.pending >= every || (checkpoints.pending > 0 && Date.now() - lastCheckpoint >= interval);
    if (!force && !due) return undefined;
    lastCheckpoint = Date.now();
    return checkpoints.checkpoint(capture);
  }

  const backoff = (deliveryCount: number) => Math.min(retryMax, retryBase * 2 ** Math.max(0, deliveryCount - 1));

  async function handle(msg: BusMessage): Promise<void> {
    counters.received++;
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
    const result = await runSinks(work, {
      store,
      graph,
      bus,
      log,
      keepAlive,
      evidence: (tenantId) => recent.lookup(tenantId),
      hosts: (tenantId) => engine.context(tenantId).hosts,
    });
    if (graphPending && work.graphDone) lmpRefresh.written(event.tenantId, Date.parse(event.time));
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
      if (consumer) throw new Error("processor already started");
      const snapshot = await readSnapshot(options.snapshotFile);
      if (snapshot) {
        engine.restore(snapshot.engine);
        outbox.restore(snapshot.outbox);
        log(
          `restored engine state from ${options.snapshotFile} (written ${snapshot.writtenAt}, ${snapshot.outbox.length} events awaiting sinks)`,
        );
      }
      lastCheckpoint = Date.now();
      await posture?.start();
      consumer = await bus.consume({
        durable: options.consumerName,
        filterSubject: options.filterSubject ?? `${EVENTS_ROOT}.>`,
        maxDeliver: options.maxDeliver,
        ackWaitMs: options.ackWaitMs,
        maxInFlight: 1,
        errorDelayMs: retryBase,
        onError: (err) => log(`bus: ${errorText(err)}`),
        handler: async (msg) => {
          inHandler = true;
          try {
            await handle(msg);
          } finally {
            inHandler = false;
          }
          void maybeCheckpoint();
        },
      });
      const tick = setInterval(() => void maybeCheckpoint(), Math.max(10, Math.floor(interval / 2)));
      const refresh = setInterval(
        () => void contexts.refresh((tenant, err) => log(`refreshing entity tags of tenant ${tenant} failed: ${errorText(err)}`)),
        options.contextRefreshMs ?? 60_000,
      );
      timers = [tick, refresh];
      sessionExpiry.start();
      lmpRefresh.start();
      for (const t of timers) t.unref();
      retention?.start();
      personalData?.start();
      health?.start();
    },

    async stop() {
      const running = consumer;
      consumer = undefined;
      for (const t of timers) clearInterval(t);
      await sessionExpiry.stop();
      await lmpRefresh.stop();
      await retention?.stop();
      await personalData?.stop();
      await health?.stop();
      timers = [];
      if (!running) return;
      await running.stop();
      await checkpoints.idle();
      await maybeCheckpoint(true);
      await posture?.stop();
    },

    stats() {
      return {
        running: consumer !== undefined,
        ...counters,
        pendingAcks: checkpoints.pending,
        outbox: outbox.size,
        ...checkpoints.stats,
        engine: engine.stats(),
      };
    },
  };
}
