// Health issues and the SIEM export wired as `vigil processor` + `vigil api` wire them, on the real
// services: a sensor's real publisher and heartbeat → NATS JetStream → processor (health monitor,
// DCSync alert) → PostgreSQL; the forwarder sends CEF over TLS to a private rsyslogd; the API serves
// setSiemTarget / sendTestSiemNotification and the healthIssueChanged subscription from the bus.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createApiServer, createDevToken } from "@vigil/api";
import { openRelationalStore, type RelationalStore } from "@vigil/db";
import { createNeo4jGraph, type IdentityGraph } from "@vigil/graph-model";
import { createPublisher, startHeartbeat, type Heartbeat, type Publisher } from "@vigil/sensor";
import { connectJetStreamBus, type JetStreamEventBus } from "@vigil/sensor/bus";
import { sensorKeyHash } from "@vigil/sensor/contract";
import { createProcessor, parseCef, type Processor } from "@vigil/stream-processor";
import type { FastifyInstance } from "fastify";
import { createClient, type Client } from "graphql-ws";
import { afterAll, beforeAll, expect, it } from "vitest";
import WebSocket from "ws";
import { startRsyslog, waitUntil, type RsyslogReceiver } from "../../stream-processor/src/siem/rsyslog.fixture.ts";
import { scenario } from "../../stream-processor/src/runtime/test-harness.ts";
import { testServices, uniqueTenantId } from "../../test-support/services.ts";
import { createBusAlertFeed } from "./alert-feed.ts";
import { createBusHealthFeed, createBusSiemTests } from "./health-feed.ts";
import { openSiemExport, type SiemExport } from "./siem-export.ts";

const SECRET = "health-siem-secret-that-is-at-least-32-chars";
const auth = { issuer: "vigil-test", audience: "vigil-api", keys: { kind: "secret" as const, secret: SECRET } };
const MIN = 60_000;
let store: RelationalStore;
let bus: JetStreamEventBus;
let graph: IdentityGraph;
let processor: Processor;
let siem: SiemExport;
let app: FastifyInstance;
let rs: RsyslogReceiver;
let dir: string;
let base: string;
let now = Date.now();
const namespace = uniqueTenantId("hsiem").replace(/[^A-Za-z0-9_-]/g, "_");
const logs: string[] = [];
const beats: Heartbeat[] = [];
const publishers: Publisher[] = [];
const clients: Client[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "vigil-health-siem-"));
  rs = await startRsyslog();
  store = await openRelationalStore({ databaseUrl: testServices.postgresUrl });
  bus = await connectJetStreamBus({ servers: testServices.natsUrl, namespace });
  graph = createNeo4jGraph(testServices.neo4j);
  await graph.ensureSchema();
  siem = await openSiemExport(bus, store, (l) => logs.push(l));
  processor = createProcessor({
    bus,
    store,
    graph,
    consumerName: "processor",
    snapshotFile: join(dir, "processor.snapshot.json"),
    maxDeliver: 5,
    ackWaitMs: 10_000,
    log: (l) => logs.push(l),
    health: { clock: () => now, intervalMs: 3_600_000 },
    siem: siem.forwarder,
  });
  siem.attach(processor);
  await processor.start();
  app = await createApiServer({
    kind: "mercurius",
    store,
    alertFeed: createBusAlertFeed(bus),
    healthFeed: createBusHealthFeed(bus),
    siemTests: createBusSiemTests(bus),
    graph,
    auth,
  });
  await app.listen({ host: "127.0.0.1", port: 0 });
  const address = app.server.address();
  if (!address || typeof address === "string") throw new Error("expected a TCP address");
  base = `http://127.0.0.1:${address.port}`;
}, 60_000);

afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  for (const b of beats) await b.stop();
  for (const p of publishers) await p.close();
  await app?.close();
  await processor?.stop();
  await siem?.close();
  await bus?.dropStreams();
  await bus?.close();
  await graph?.close();
  await store?.close();
  await rs?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const token = (tenantId: string) =>
  createDevToken({ secret: SECRET, tenantId, role: "admin", issuer: auth.issuer, audience: auth.audience });

async function gql<T>(tenantId: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const res = await fetch(`${base}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${await token(tenantId)}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data: T; errors?: unknown[] };
  expect(body.errors).toBeUndefined();
  return body.data;
}

async function subscribeHealth(tenantId: string) {
  const received: { change: string; issue: { id: string; type: string; status: string } }[] = [];
  const client = createClient({
    url: `${base.replace("http", "ws")}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${await token(tenantId)}` },
  });
  clients.push(client);
  await new Promise<void>((resolve, reject) => {
    client.on("connected", () => setTimeout(resolve, 200));
    client.subscribe<{ healthIssueChanged: (typeof received)[number] }>(
      { query: "subscription { healthIssueChanged { change issue { id type status } } }" },
      { next: (v) => v.data && received.push(v.data.healthIssueChanged), error: reject, complete: () => {} },
    );
  });
  return received;
}

it("raises and closes a health issue live over the API and exports it, an alert and a test notification as CEF over TLS", async () => {
  const tenant = uniqueTenantId("hs");
  const other = uniqueTenantId("hso");
  for (const id of [tenant, other]) await store.prisma.tenant.create({ data: { id, name: id } });
  await gql(tenant, `mutation($input: SiemTargetInput!) { setSiemTarget(input: $input) { id } }`, {
    input: { host: "127.0.0.1", port: rs.tlsPort, protocol: "TLS", format: "RFC5424", caPem: rs.caPem, serverName: "localhost" },
  });
  const live = await subscribeHealth(tenant);
  const liveOther = await subscribeHealth(other);

  // "Send test SIEM notification": API → vigil.siem-test.<tenant> → the processor's forwarder → rsyslog.
  expect(await gql<{ sendTestSiemNotification: boolean }>(tenant, "mutation { sendTestSiemNotification }")).toEqual({
    sendTestSiemNotification: true,
  });
  const [testLine] = await waitUntil(
    "the test line",
    () => rs.lines().filter((l) => l.includes(`tenant ${tenant}:`)),
    (l) => l.length > 0,
  );
  expect(parseCef(testLine!)).toMatchObject({ classId: "TestSiemNotification", severity: "3" });

  // A sensor with a real key: heartbeats, and a DCSync event stream that raises (and updates) an alert.
  const key = `vgl_${randomBytes(32).toString("base64url")}`;
  const sensor = await store
    .forTenant(tenant)
    .sensor.create({ data: { tenantId: tenant, name: "dc01", kind: "dc", keyHash: sensorKeyHash(key), keyPrefix: key.slice(0, 12) } });
  const publisher = await createPublisher({ bus, tenantId: tenant, sensorId: sensor.id, sensorKey: key, spoolDir: join(dir, "spool") });
  publishers.push(publisher);
  const heartbeat = () => {
    const hb = startHeartbeat({ publisher, tenantId: tenant, sensorId: sensor.id, intervalMs: 200 });
    beats.push(hb);
    return hb;
  };
  let hb = heartbeat();
  for (const e of scenario(tenant, sensor.id, 9)) await publisher.publish(e);
  const alertLines = await waitUntil(
    "DCSync alert lines",
    () => rs.lines().filter((l) => l.includes("DirectoryServicesReplicationSecurityAlert") && l.includes(`/alerts/`)),
    (l) => l.length >= 1,
    30_000,
  );
  const created = parseCef(alertLines[0]!);
  expect(created.extensions).toMatchObject({
    externalId: "2006",
    app: "Drsr",
    cs2: "new",
    cs4: "dcsync",
    src: "10.0.0.66",
    suser: "ACME\\mallory",
  });
  const row = await store.forTenant(tenant).alert.findUnique({ where: { id: created.extensions.cs5! } });
  expect(row?.detectionId).toBe("dcsync");

  // Heartbeats stop; five minutes later the issue is raised, announced over the API and exported.
  await hb.stop();
  await waitUntil(
    "all beats handled",
    () => processor.health!.observations(tenant)?.sensors[sensor.id]?.beats === publisher.stats().published - 9,
    (ok) => ok,
    20_000,
  );
  await processor.health!.idle();
  let issueId: string | undefined;
  for (let attempt = 0; attempt < 5 && !issueId; attempt++) {
    // Contact is stamped with the processor's clock when a beat is handled, so a beat handled only after
    // the jump (a slow, loaded run) counts as contact again; five more silent minutes must still raise it.
    now += 5 * MIN + 1000;
    const changes = await processor.health!.evaluate(tenant);
    const open = { tenantId: tenant, sensorId: sensor.id, type: "sensor-stopped-communicating", status: "open" } as const;
    issueId =
      changes.find((c) => c.change === "raised" && c.issue.type === open.type && c.issue.sensorId === sensor.id)?.issue.id ??
      (await store.forTenant(tenant).healthIssue.findFirst({ where: open }))?.id;
  }
  expect(issueId).toBeDefined();
  const raised = { issue: { id: issueId! } };
  const [healthLine] = await waitUntil(
    "the health line",
    () => rs.lines().filter((l) => l.includes(`/health/${raised!.issue.id}`)),
    (l) => l.length > 0,
  );
  expect(parseCef(healthLine!)).toMatchObject({ classId: "SensorStoppedCommunicatingMonitoringAlert", severity: "5" });
  expect(parseCef(healthLine!).extensions).toMatchObject({
    externalId: "1011",
    msg: expect.stringMatching(/dc01 has not communicated for 5 minutes/),
  });

  // The sensor comes back: the next heartbeat closes the issue.
  hb = heartbeat();
  await waitUntil(
    "raised and closed over the API",
    () => live.map((c) => c.change),
    (c) => c.length >= 2,
    20_000,
  );
  expect(live).toEqual([
    { change: "RAISED", issue: { id: raised!.issue.id, type: "sensor-stopped-communicating", status: "OPEN" } },
    { change: "CLOSED", issue: { id: raised!.issue.id, type: "sensor-stopped-communicating", status: "CLOSED" } },
  ]);
  await hb.stop();
  expect(liveOther).toEqual([]);
  // Closings are not exported (MDI sends new health issues): one health line only.
  expect(rs.lines().filter((l) => l.includes(`/health/${raised!.issue.id}`))).toHaveLength(1);
}, 90_000);
