// The processor against the real services (PostgreSQL, NATS JetStream, Neo4j): the happy path and a
// replay of the same events. The bus runs in its own namespace; tenants are unique per run.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { openRelationalStore, type RelationalStore } from "@vigil/db";
import { createNeo4jGraph, type IdentityGraph } from "@vigil/graph-model";
import { connectJetStreamBus, type JetStreamEventBus } from "@vigil/sensor/bus";
import { testServices, uniqueTenantId } from "../../../test-support/services.ts";
import { createProcessor, type Processor } from "./processor.ts";
import {
  createSensor,
  createTenant,
  createdCounts,
  expectedAlerts,
  listenAlerts,
  publishSigned,
  scenario,
  storedAlerts,
  waitFor,
} from "./test-harness.ts";

let store: RelationalStore;
let bus: JetStreamEventBus;
let graph: IdentityGraph;
let processor: Processor;
let dir: string;
const namespace = uniqueTenantId("proc").replace(/[^A-Za-z0-9_-]/g, "_");
const log: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "vigil-processor-int-"));
  store = await openRelationalStore({ databaseUrl: testServices.postgresUrl });
  bus = await connectJetStreamBus({ servers: testServices.natsUrl, namespace });
  graph = createNeo4jGraph(testServices.neo4j);
  await graph.ensureSchema();
  processor = createProcessor({
    bus,
    store,
    graph,
    consumerName: "processor",
    snapshotFile: join(dir, "processor.snapshot.json"),
    maxDeliver: 5,
    ackWaitMs: 10_000,
    log: (l) => log.push(l),
  });
  await processor.start();
});

afterAll(async () => {
  await processor?.stop();
  await bus?.dropStreams();
  await bus?.close();
  await graph?.close();
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

it("processes a stream into alerts, evidence, graph edges and announcements; a replay changes nothing", async () => {
  const tenant = uniqueTenantId("int");
  await createTenant(store, tenant);
  const sensor = await createSensor(store, tenant);
  const events = scenario(tenant, sensor.id, 200, 15_000);
  const alerts = await listenAlerts(bus, tenant);
  // Read before publishing: under load the processor acks the first events while later ones are still being sent.
  const base = processor.stats().acked;
  const started = Date.now();
  for (const e of events) await publishSigned(bus, sensor, e);
  await waitFor("the first pass", () => processor.stats().acked === base + events.length, 60_000);
  const seconds = (Date.now() - started) / 1000;
  console.log(
    `real adapters: ${events.length} events published and processed in ${seconds.toFixed(2)} s (${(events.length / seconds).toFixed(0)}/s)`,
  );

  const first = await storedAlerts(store, tenant);
  expect(first).toEqual(expectedAlerts(events));
  expect(first).toHaveLength(3);
  const counts = await graph.counts(tenant);
  expect(counts.edges.MEMBER_OF).toBe(first.find((a) => a.detectionId === "sensitive-group-addition")!.count);
  expect(counts.edges.HAS_SESSION).toBeGreaterThan(5);
  const ws0 = await graph.neighbours(tenant, "COMPUTER:WS0", { edgeKinds: ["HAS_SESSION"] });
  await waitFor("the announcements", () => createdCounts(alerts.items).size === 3);
  const announced = alerts.items.length;

  for (const e of events) await publishSigned(bus, sensor, e, { msgId: `again-${e.id}` });
  await waitFor("the replay", () => processor.stats().acked === base + 2 * events.length, 60_000);
  expect(await storedAlerts(store, tenant)).toEqual(first);
  expect(await graph.counts(tenant)).toEqual(counts);
  expect(await graph.neighbours(tenant, "COMPUTER:WS0", { edgeKinds: ["HAS_SESSION"] })).toEqual(ws0);
  await new Promise((r) => setTimeout(r, 200));
  expect(alerts.items).toHaveLength(announced);
  expect([...createdCounts(alerts.items).values()]).toEqual([1, 1, 1]);
  expect(processor.stats()).toMatchObject({ deadLettered: 0, retried: 0, outbox: 0 });
  alerts.stop();
}, 120_000);
