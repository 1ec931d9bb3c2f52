/**
 * End-to-end pipeline benchmark on the real services (scripts/services.sh up): a sensor publisher
 * signs and publishes events to NATS JetStream, one stream processor authenticates them, runs every
 * detection, writes sessions to Neo4j and alerts to PostgreSQL, and announces alerts on
 * `vigil.alerts.<tenant>`. Prints events/s from first publish to last event processed, and the
 * event-to-alert latency (publish → announcement received) at p50 / p99.
 *   node --import tsx bench/pipeline.ts [events] [alertEveryN]
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openRelationalStore } from "@vigil/db";
import { createNeo4jGraph } from "@vigil/graph-model";
import { createPublisher } from "@vigil/sensor";
import { connectJetStreamBus, type JetStreamEventBus } from "@vigil/sensor/bus";
import { alertSubject, finalizeEvent, sensorKeyHash, tenantEventsFilter, type VigilEvent } from "@vigil/sensor/contract";
import { createProcessor, type AlertAnnouncement } from "@vigil/stream-processor";
import { testServices, uniqueTenantId } from "../test-support/services.ts";

const total = Number(process.argv[2] ?? 2_000);
const alertEvery = Number(process.argv[3] ?? 20);
const tenantId = uniqueTenantId("bench");
const sensorId = `${tenantId}-dc`;
const DOMAIN = "S-1-5-21-1111-2222-3333";
const t0 = Date.parse("2026-01-01T08:00:00Z");

/** Ordinary Kerberos logons from named workstations (each writes a session) and, every Nth, a DCSync by a new user. */
function event(i: number): VigilEvent {
  const time = new Date(t0 + i * 200).toISOString();
  const common = {
    tenantId,
    sensorId,
    time,
    dc: "DC01.bench.local",
    origin: { format: "event-xml" as const, recordId: String(i), eventId: 0, computer: "DC01.bench.local" },
  };
  if (i % alertEvery === alertEvery - 1) {
    return finalizeEvent({
      ...common,
      kind: "replication",
      origin: { ...common.origin, eventId: 4662 },
      actor: { sid: `${DOMAIN}-${20_000 + i}`, name: `attacker${i}`, domain: "BENCH" },
      rights: ["1131f6ad-9c07-11d1-f79f-00c04fc2dcd2"],
    });
  }
  const user = i % 500;
  return finalizeEvent({
    ...common,
    kind: "logon",
    origin: { ...common.origin, eventId: 4624 },
    success: true,
    logonType: 3,
    package: "Kerberos",
    actor: { sid: `${DOMAIN}-${10_000 + user}`, name: `user${user}`, domain: "BENCH" },
    src: { ip: `10.1.${user % 250}.${(user % 200) + 1}`, host: `WKS${user % 300}` },
  });
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

const dir = await mkdtemp(join(tmpdir(), "vigil-bench-"));
const store = await openRelationalStore({ databaseUrl: testServices.postgresUrl });
const bus = (await connectJetStreamBus({ servers: testServices.natsUrl, namespace: tenantId })) as JetStreamEventBus;
const graph = createNeo4jGraph({ ...testServices.neo4j });
try {
  await graph.ensureSchema();
  await store.prisma.tenant.create({ data: { id: tenantId, name: "bench" } });
  const sensorKey = `vgl_${randomBytes(32).toString("base64url")}`;
  await store.forTenant(tenantId).sensor.create({
    data: { id: sensorId, tenantId, name: sensorId, kind: "dc", keyHash: sensorKeyHash(sensorKey), keyPrefix: sensorKey.slice(0, 12) },
  });
  const processor = createProcessor({
    bus,
    store,
    graph,
    consumerName: "bench",
    filterSubject: tenantEventsFilter(tenantId),
    snapshotFile: join(dir, "snapshot.json"),
    maxDeliver: 5,
    ackWaitMs: 60_000,
    log: () => {},
  });
  const published = new Map<string, number>();
  const latencies: number[] = [];
  const announcements = await bus.subscribe(alertSubject(tenantId));
  const expectedAlerts = Math.floor(total / alertEvery);
  const allAnnounced = (async () => {
    for await (const m of announcements) {
      const { type, alert } = m.json<AlertAnnouncement>();
      // Each DCSync comes from its own attacker account, so the primary entity names the event.
      const sent = published.get(/-(\d+)$/.exec(alert.primaryEntity)?.[1] ?? "");
      if (type === "created" && sent !== undefined) latencies.push(performance.now() - sent);
      if (latencies.length >= expectedAlerts) return;
    }
  })();
  await processor.start();
  const publisher = await createPublisher({ bus, tenantId, sensorId, sensorKey, spoolDir: join(dir, "spool") });
  const start = performance.now();
  for (let i = 0; i < total; i++) {
    const e = event(i);
    if (e.kind === "replication") published.set(String(20_000 + i), performance.now());
    await publisher.publish(e);
  }
  const publishS = (performance.now() - start) / 1000;
  while (processor.stats().processed < total) await new Promise((r) => setTimeout(r, 50));
  const endToEndS = (performance.now() - start) / 1000;
  await Promise.race([allAnnounced, new Promise((r) => setTimeout(r, 10_000))]);
  announcements.unsubscribe();
  await publisher.close();
  await processor.stop();
  const sorted = latencies.sort((a, b) => a - b);
  console.log(
    `pipeline benchmark: ${total} events (1 in ${alertEvery} raises an alert), real NATS JetStream + PostgreSQL + Neo4j, 1 processor`,
  );
  console.log(`  sensor publish          ${Math.round(total / publishS)} events/s`);
  console.log(
    `  end to end              ${Math.round(total / endToEndS)} events/s (first publish → last event processed, ${endToEndS.toFixed(1)} s)`,
  );
  console.log(
    `  event → alert latency   p50 ${pct(sorted, 50).toFixed(0)} ms   p99 ${pct(sorted, 99).toFixed(0)} ms   (${sorted.length}/${expectedAlerts} alerts)`,
  );
} finally {
  await store.prisma.tenant.delete({ where: { id: tenantId } }).catch(() => {});
  await bus.dropStreams().catch(() => {});
  await Promise.allSettled([store.close(), bus.close(), graph.close()]);
  await rm(dir, { recursive: true, force: true });
}
