/**
 * The whole path one event takes, on the real services: tenant → admin token → createSensor (key) →
 * `vigil sensor` (a child process) replays a real DCSync capture through NATS JetStream → the stream
 * processor → PostgreSQL + Neo4j → `alertCreated` over a real graphql-ws WebSocket. A second tenant
 * watches the same API and must see none of it.
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createApiServer, createDevToken } from "@vigil/api";
import { openRelationalStore, type RelationalStore } from "@vigil/db";
import { createNeo4jGraph, type IdentityGraph } from "@vigil/graph-model";
import { connectJetStreamBus, type EventBus } from "@vigil/sensor/bus";
import { tenantEventsFilter } from "@vigil/sensor/contract";
import { createProcessor, type Processor } from "@vigil/stream-processor";
import type { FastifyInstance } from "fastify";
import { createClient, type Client } from "graphql-ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { createBusAlertFeed } from "../cli/src/alert-feed.ts";
import { testServices, uniqueTenantId } from "../test-support/services.ts";

const bin = new URL("../cli/bin/vigil.js", import.meta.url).pathname;
const capture = new URL(
  "../../shared/datasets/attack-samples/dcsync/otrf__host__covenant_dcsync_dcerpc_drsuapi_DsGetNCChanges.zip",
  import.meta.url,
).pathname;
const SECRET = "e2e-secret-that-is-at-least-32-characters-long";
const auth = { issuer: "vigil-e2e", audience: "vigil-api", keys: { kind: "secret" as const, secret: SECRET } };

describe("pipeline chain on real NATS, PostgreSQL and Neo4j", () => {
  const tenantA = uniqueTenantId("e2ea");
  const tenantB = uniqueTenantId("e2eb");
  let store: RelationalStore;
  let bus: EventBus;
  let graph: IdentityGraph;
  let app: FastifyInstance;
  let processor: Processor;
  let dataDir: string;
  let base: string;
  const clients: Client[] = [];

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
  async function subscribe(tenantId: string, received: unknown[]): Promise<void> {
    const client = createClient({
      url: `${base.replace("http", "ws")}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${await token(tenantId)}` },
    });
    clients.push(client);
    await new Promise<void>((resolve, reject) => {
      client.on("connected", () => resolve());
      client.subscribe(
        { query: "subscription { alertCreated { id detectionId severity } }" },
        { next: (v) => received.push(v.data), error: reject, complete: () => {} },
      );
    });
  }

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "vigil-e2e-"));
    store = await openRelationalStore({ databaseUrl: testServices.postgresUrl });
    bus = await connectJetStreamBus({ servers: testServices.natsUrl });
    graph = createNeo4jGraph({ ...testServices.neo4j });
    await graph.ensureSchema();
    for (const id of [tenantA, tenantB]) await store.prisma.tenant.create({ data: { id, name: id } });
    app = await createApiServer({ kind: "mercurius", store, alertFeed: createBusAlertFeed(bus), graph, auth });
    await app.listen({ host: "127.0.0.1", port: 0 });
    const address = app.server.address();
    base = `http://127.0.0.1:${address && typeof address === "object" ? address.port : 0}`;
    processor = createProcessor({
      bus,
      store,
      graph,
      consumerName: `e2e-${tenantA}`,
      filterSubject: tenantEventsFilter(tenantA),
      snapshotFile: join(dataDir, "processor.snapshot.json"),
      maxDeliver: 5,
      ackWaitMs: 30_000,
      log: () => {},
    });
    await processor.start();
  }, 120_000);

  afterAll(async () => {
    for (const c of clients) await c.dispose();
    await processor?.stop();
    await app?.close();
    for (const id of [tenantA, tenantB]) await store?.prisma.tenant.delete({ where: { id } }).catch(() => {});
    await Promise.allSettled([store?.close(), bus?.close(), graph?.close()]);
    await rm(dataDir, { recursive: true, force: true });
  });

  it("sensor → JetStream → processor → Postgres/Neo4j → live alert, and tenant B sees nothing", async () => {
    const created = await gql<{ createSensor: { key: string; sensor: { id: string } } }>(
      tenantA,
      `mutation { createSensor(name: "mordordc", kind: DC) { key sensor { id } } }`,
    );
    const liveA: unknown[] = [];
    const liveB: unknown[] = [];
    await subscribe(tenantA, liveA);
    await subscribe(tenantB, liveB);

    const sensor = spawn(process.execPath, [bin, "sensor", capture], {
      env: {
        PATH: process.env.PATH,
        NATS_URL: testServices.natsUrl,
        VIGIL_DATA_DIR: dataDir,
        VIGIL_SENSOR_TENANT: tenantA,
        VIGIL_SENSOR_ID: created.createSensor.sensor.id,
        VIGIL_SENSOR_KEY: created.createSensor.key,
      },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let sensorLog = "";
    sensor.stderr.on("data", (d: Buffer) => (sensorLog += d.toString()));
    expect(await new Promise((resolve) => sensor.on("exit", resolve)), sensorLog).toBe(0);

    for (let i = 0; i < 120 && !liveA.some((a) => JSON.stringify(a).includes("dcsync")); i++) await new Promise((r) => setTimeout(r, 250));
    const dcsync = liveA
      .map((a) => (a as { alertCreated: { id: string; detectionId: string } }).alertCreated)
      .find((a) => a.detectionId === "dcsync");
    expect(dcsync, `live alerts: ${JSON.stringify(liveA)}\nsensor: ${sensorLog}`).toBeDefined();

    const { alert } = await gql<{ alert: { detectionId: string; severity: string; evidence: { eventId: string }[] } }>(
      tenantA,
      `query($id: ID!) { alert(id: $id) { detectionId severity evidence { eventId } } }`,
      { id: dcsync!.id },
    );
    expect(alert).toMatchObject({ detectionId: "dcsync", severity: "HIGH" });
    expect(alert.evidence.length).toBeGreaterThan(0);

    // The DCSync is announced as soon as its event is processed; the session it rests on comes from
    // WORKSTATION5$'s own logon six seconds later in the capture, so wait for the rest of the stream.
    let counts = await graph.counts(tenantA);
    for (let i = 0; i < 120 && counts.edges.HAS_SESSION === 0; i++) {
      await new Promise((r) => setTimeout(r, 250));
      counts = await graph.counts(tenantA);
    }
    expect(counts.edges.HAS_SESSION).toBeGreaterThan(0);

    // The API reads that session back from the graph as the DCSync actor's recent activity.
    const ACTIVITY = `query($id: ID!) { entity(id: $id) { recentActivity { kind direction counterpart { kind entityKey } source } } }`;
    const { alert: withEntities } = await gql<{ alert: { entities: { key: string; role: string }[] } }>(
      tenantA,
      `query($id: ID!) { alert(id: $id) { entities } }`,
      { id: dcsync!.id },
    );
    const actor = withEntities.entities.find((e) => e.role === "actor")!.key;
    const { entity } = await gql<{ entity: { recentActivity: unknown[] } | null }>(tenantA, ACTIVITY, { id: actor });
    expect(entity!.recentActivity).toContainEqual({
      kind: "SESSION",
      direction: "IN",
      counterpart: { kind: "Computer", entityKey: expect.stringMatching(/^computer:/) },
      source: expect.stringMatching(/^event:/),
    });
    expect(await gql(tenantB, ACTIVITY, { id: actor })).toEqual({ entity: null });

    expect(await gql<{ alerts: { edges: unknown[] } }>(tenantB, "{ alerts(first: 50) { edges { node { id } } } }")).toEqual({
      alerts: { edges: [] },
    });
    expect(await gql<{ alert: unknown }>(tenantB, `query($id: ID!) { alert(id: $id) { id } }`, { id: dcsync!.id })).toEqual({
      alert: null,
    });
    expect(liveB).toEqual([]);
    const countsB = await graph.counts(tenantB);
    expect([...Object.values(countsB.nodes), ...Object.values(countsB.edges)].every((n) => n === 0)).toBe(true);
  }, 180_000);
});
