import { hostname } from "node:os";
import { join, resolve } from "node:path";
import { JetStreamEventBus, openJetStreamPartitionStore } from "@vigil/sensor/bus";
import { createProcessor, PartitionError, type PartitionedConsumption, type ProcessorStats } from "@vigil/stream-processor";
import { openAdapters, StartupError } from "../adapters.ts";
import { createHealthServer, listenAt } from "../health-server.ts";
import { openSiemExport } from "../siem-export.ts";
import { ingestQuotaSettings } from "../sensor-quota.ts";
import type { CommandContext, Running } from "./command.ts";

/** Redeliveries before an event is dead-lettered: with back-off capped at 30 s, ~25 minutes of sink outage. */
const MAX_DELIVER = 50;
const ACK_WAIT_MS = 30_000;
const PROGRESS_EVERY_MS = 5_000;
/** Leases lapse 6 s after the last renewal (renewed every 2 s): a dead instance's partitions move within ~8 s. */
const LEASE_TTL_MS = 6_000;

/** `<hostname>-<pid>`, cut to what an instance id may hold: unique per running process on a host. */
function defaultInstanceId(): string {
  const host =
    hostname()
      .replace(/[^A-Za-z0-9_-]/g, "-")
      .slice(0, 40) || "host";
  return `${host}-${process.pid}`;
}

/** One progress line: rates since the previous line, totals since start. */
function progress(now: ProcessorStats, before: ProcessorStats, seconds: number): string {
  const rate = (now.processed - before.processed) / seconds;
  return (
    `${rate.toFixed(1)} events/s; ${now.processed} events, ${now.alertsCreated} alerts created, ${now.alertsUpdated} updated, ` +
    `${now.deadLettered} dead-lettered, ${now.retried} retried, ${now.pendingAcks} awaiting snapshot, ${now.outbox} awaiting sinks`
  );
}

/**
 * `vigil processor`: consumes every tenant's events as the durable consumer VIGIL_PROCESSOR_NAME,
 * runs the detections, writes alerts and the identity graph, announces alerts. On NATS with
 * VIGIL_PARTITIONS > 0 (the default) it is one of any number of instances: it takes a share of the
 * partitions through leases, with one durable `<VIGIL_PROCESSOR_NAME>-p<n>` and one state snapshot in
 * JetStream KV per partition. Otherwise (no NATS_URL, or VIGIL_PARTITIONS=0) it is the only processor:
 * one durable VIGIL_PROCESSOR_NAME, engine state snapshotted to VIGIL_DATA_DIR. Serves /healthz and /readyz on
 * VIGIL_HOST:VIGIL_API_PORT (each compose service has its own container, so the port is its own).
 */
export async function run({ env, log }: CommandContext): Promise<Running> {
  const adapters = await openAdapters(env);
  const name = env.VIGIL_PROCESSOR_NAME;
  const snapshotFile = join(resolve(env.VIGIL_DATA_DIR), `processor-${name}.snapshot.json`);
  let partitions: PartitionedConsumption | undefined;
  if (env.NATS_URL && env.VIGIL_PARTITIONS > 0 && adapters.bus instanceof JetStreamEventBus) {
    const store = await openJetStreamPartitionStore(adapters.bus, { leaseTtlMs: LEASE_TTL_MS }).catch(async (error: unknown) => {
      await adapters.close();
      throw error;
    });
    partitions = { count: env.VIGIL_PARTITIONS, store, instanceId: env.VIGIL_PROCESSOR_INSTANCE ?? defaultInstanceId() };
  }
  const siem = await openSiemExport(adapters.bus, adapters.store, log);
  const processor = createProcessor({
    bus: adapters.bus,
    store: adapters.store,
    graph: adapters.graph,
    consumerName: name,
    snapshotFile,
    maxDeliver: MAX_DELIVER,
    ackWaitMs: ACK_WAIT_MS,
    log: (line) => log(`processor: ${line}`),
    health: {},
    ingestQuota: ingestQuotaSettings(env),
    siem: siem.forwarder,
    ...(partitions ? { partitions } : {}),
  });
  siem.attach(processor);
  const server = createHealthServer({
    host: env.VIGIL_HOST,
    port: env.VIGIL_API_PORT,
    checks: [
      ...adapters.checks,
      {
        name: "stream-processor",
        check: async () => {
          if (!processor.stats().running) throw new Error("not consuming");
        },
      },
    ],
  });
  let base: string;
  try {
    await processor.start();
    base = await listenAt(server, env.VIGIL_HOST, env.VIGIL_API_PORT);
  } catch (error) {
    await processor.stop().catch(() => {});
    await siem.close().catch(() => {});
    await server.close().catch(() => {});
    await adapters.close();
    if (error instanceof PartitionError) throw new StartupError([`VIGIL_PARTITIONS: ${error.code}: ${error.message}`]);
    throw error;
  }
  for (const line of adapters.describe) log(line);
  if (!env.NATS_URL)
    log("no NATS_URL: the in-process bus carries only events published inside this process (use `vigil start` for a single-process trial)");
  if (partitions) {
    const owned = processor.stats().partitions ?? [];
    log(
      `processor "${name}" consuming vigil.events.> as instance ${partitions.instanceId}: ${owned.length} of ${partitions.count} partitions (${owned.join(",")}); snapshots in JetStream KV`,
    );
  } else {
    log(`processor "${name}" consuming vigil.events.>; engine snapshot ${snapshotFile}`);
  }
  log(`health:    ${base}/healthz   readiness: ${base}/readyz`);

  let last = { stats: processor.stats(), at: Date.now() };
  const ticker = setInterval(() => {
    const stats = processor.stats();
    if (stats.received === last.stats.received && stats.pendingAcks === 0) return; // quiet while idle
    const at = Date.now();
    log(`processor: ${progress(stats, last.stats, (at - last.at) / 1000)}`);
    last = { stats, at };
  }, PROGRESS_EVERY_MS);
  ticker.unref();

  return {
    stop: async () => {
      clearInterval(ticker);
      await server.close();
      await processor.stop();
      await siem.close();
      const s = processor.stats();
      log(
        `processor: drained; ${s.processed} events, ${s.alertsCreated} alerts created, ${s.acked} acked, last snapshot ${s.lastSnapshotAt ?? "none"}`,
      );
      await adapters.close();
    },
  };
}
