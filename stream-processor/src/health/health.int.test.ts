// Health issues end to end on the real services: a real sensor heartbeat loop (the sensor's own
// publisher and heartbeat, signing with a registered key) → NATS JetStream → the processor's health
// monitor → HealthIssue rows in PostgreSQL and announcements on `vigil.health.<tenantId>`. The
// monitor's clock is injected, so "five minutes without a heartbeat" is a clock step, not a wait.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { openRelationalStore, type RelationalStore } from "@vigil/db";
import { createNeo4jGraph, type IdentityGraph } from "@vigil/graph-model";
import { createPublisher, startHeartbeat, type Heartbeat, type Publisher } from "@vigil/sensor";
import { connectJetStreamBus, type BusEvent, type JetStreamEventBus } from "@vigil/sensor/bus";
import { healthSubject, sensorKeyHash } from "@vigil/sensor/contract";
import { testServices, uniqueTenantId } from "../../../test-support/services.ts";
import { createProcessor, type Processor } from "../runtime/processor.ts";
import { createTenant, waitFor } from "../runtime/test-harness.ts";
import type { HealthIssueChange } from "./monitor.ts";

const MIN = 60_000;
let store: RelationalStore;
let bus: JetStreamEventBus;
let graph: IdentityGraph;
let processor: Processor;
let dir: string;
let now = Date.now();
const namespace = uniqueTenantId("health").replace(/[^A-Za-z0-9_-]/g, "_");
const log: string[] = [];
const publishers: Publisher[] = [];
const beats: Heartbeat[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "vigil-health-int-"));
  store = await openRelationalStore({ databaseUrl: testServices.postgresUrl });
  bus = await connectJetStreamBus({ servers: testServices.natsUrl, namespace });
  graph = createNeo4jGraph(testServices.neo4j);
  processor = createProcessor({
    bus,
    store,
    graph,
    consumerName: "processor",
    snapshotFile: join(dir, "processor.snapshot.json"),
    maxDeliver: 5,
    ackWaitMs: 10_000,
    log: (l) => log.push(l),
    health: { clock: () => now, intervalMs: 3_600_000 },
  });
  await processor.start();
});

afterAll(async () => {
  for (const b of beats) await b.stop();
  for (const p of publishers) await p.close();
  await processor?.stop();
  await bus?.dropStreams();
  await bus?.close();
  await graph?.close();
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Registers a sensor with a real key and starts its heartbeat the way `vigil sensor` does. */
async function runningSensor(tenantId: string, name: string) {
  const key = `vgl_${randomBytes(32).toString("base64url")}`;
  const row = await store
    .forTenant(tenantId)
    .sensor.create({ data: { tenantId, name, kind: "dc", keyHash: sensorKeyHash(key), keyPrefix: key.slice(0, 12) } });
  const publisher = await createPublisher({ bus, tenantId, sensorId: row.id, sensorKey: key, spoolDir: join(dir, `spool-${row.id}`) });
  publishers.push(publisher);
  const start = () => {
    const hb = startHeartbeat({ publisher, tenantId, sensorId: row.id, intervalMs: 200, counters: () => ({ records: 0, problems: 0 }) });
    beats.push(hb);
    return hb;
  };
  /** Resolves once the processor has handled every beat this sensor published (none left on the bus). */
  const drained = async () => {
    await waitFor(
      `beats of ${name} handled`,
      () => processor.health!.observations(tenantId)?.sensors[row.id]?.beats === publisher.stats().published,
      20_000,
    );
    // …and the evaluations those beats scheduled, which would otherwise run after the clock step.
    await processor.health!.idle();
  };
  return { id: row.id, start, drained };
}

async function listen(tenantId: string): Promise<HealthIssueChange[]> {
  const got: HealthIssueChange[] = [];
  const sub = await bus.subscribe(healthSubject(tenantId));
  void (async () => {
    for await (const m of sub as AsyncIterable<BusEvent>) got.push(m.json<HealthIssueChange>());
  })();
  return got;
}

const issues = (tenantId: string) => store.forTenant(tenantId).healthIssue.findMany({ orderBy: { firstSeen: "asc" } });
const seen = async (tenantId: string, id: string) =>
  (await store.forTenant(tenantId).sensor.findUnique({ where: { id } }))?.lastSeenAt != null;

it("raises 'sensor stopped communicating' when heartbeats stop for 5 minutes and closes it when they resume", async () => {
  const tenantA = uniqueTenantId("hA");
  const tenantB = uniqueTenantId("hB");
  await createTenant(store, tenantA);
  await createTenant(store, tenantB);
  const a = await runningSensor(tenantA, "dc01");
  const b = await runningSensor(tenantB, "dc01");
  const announcedA = await listen(tenantA);
  const announcedB = await listen(tenantB);
  let hbA = a.start();
  b.start();
  await waitFor("both sensors seen", async () => (await seen(tenantA, a.id)) && (await seen(tenantB, b.id)), 20_000);
  expect(await processor.health!.evaluate(tenantA)).toEqual([]);

  await hbA.stop();
  // Beats already on the bus must be handled before the clock jumps, or one would count as fresh.
  await a.drained();
  now += 5 * MIN + 1000;
  const raised = await processor.health!.evaluate(tenantA);
  expect(raised).toEqual([
    {
      change: "raised",
      issue: expect.objectContaining({
        tenantId: tenantA,
        sensorId: a.id,
        type: "sensor-stopped-communicating",
        status: "open",
        severity: "medium",
      }),
    },
  ]);
  expect(raised[0]!.issue.description).toMatch(/Sensor dc01 has not communicated for 5 minutes/);
  const [row] = await issues(tenantA);
  expect(row).toMatchObject({ id: raised[0]!.issue.id, status: "open", closedAt: null });
  // Tenant B's sensor kept beating (wait for a beat heard on the new clock): nothing for B, and B cannot see A's issue.
  await waitFor(
    "a beat of B after the clock step",
    () => processor.health!.observations(tenantB)?.sensors[b.id]?.lastBeatAt === now,
    20_000,
  );
  expect(await processor.health!.evaluate(tenantB)).toEqual([]);
  expect(await issues(tenantB)).toEqual([]);
  expect(await store.forTenant(tenantB).healthIssue.findMany({ where: { id: row!.id } })).toEqual([]);

  hbA = a.start();
  await waitFor("the issue closed by the next heartbeat", async () => (await issues(tenantA))[0]?.status === "closed", 20_000);
  const [closed] = await issues(tenantA);
  expect(closed!.closedAt?.getTime()).toBe(now);
  await waitFor("announcements", () => announcedA.length >= 2);
  expect(announcedA.map((c) => [c.change, c.issue.id])).toEqual([
    ["raised", row!.id],
    ["closed", row!.id],
  ]);
  expect(announcedB).toEqual([]);
});

it("keeps a suppressed issue quiet until its suppression ends, then reopens it; a recurrence after closing is a new row", async () => {
  const tenant = uniqueTenantId("hS");
  await createTenant(store, tenant);
  const s = await runningSensor(tenant, "dc02");
  let hb = s.start();
  await waitFor("sensor seen", () => seen(tenant, s.id), 20_000);
  await hb.stop();
  await s.drained();
  now += 6 * MIN;
  const [first] = await processor.health!.evaluate(tenant);
  expect(first?.change).toBe("raised");
  // What the API's setHealthIssueStatus(id, suppressed) writes.
  await store.forTenant(tenant).healthIssue.update({
    where: { id: first!.issue.id },
    data: { status: "suppressed", suppressedUntil: new Date(now + 7 * 24 * 60 * MIN) },
  });
  now += 24 * 60 * MIN;
  expect(await processor.health!.evaluate(tenant)).toEqual([]);
  expect((await issues(tenant))[0]).toMatchObject({ status: "suppressed" });
  now += 7 * 24 * 60 * MIN;
  const [reopened] = await processor.health!.evaluate(tenant);
  expect(reopened).toMatchObject({ change: "reopened", issue: { id: first!.issue.id, status: "open", suppressedUntil: null } });

  hb = s.start();
  await waitFor("closed", async () => (await issues(tenant))[0]?.status === "closed", 20_000);
  await hb.stop();
  await s.drained();
  now += 6 * MIN;
  const [again] = await processor.health!.evaluate(tenant);
  expect(again?.change).toBe("raised");
  expect(again!.issue.id).not.toBe(first!.issue.id);
  expect((await issues(tenant)).map((i) => i.status)).toEqual(["closed", "open"]);
});

it("raises a failing directory-service credential as a tenant issue and closes it once a test passes", async () => {
  const tenant = uniqueTenantId("hC");
  await createTenant(store, tenant);
  const db = store.forTenant(tenant);
  const cred = await db.directoryServiceCredential.create({
    data: {
      tenantId: tenant,
      name: "dsa",
      username: "svc-vigil",
      domainName: "corp.example",
      secretJwe: "x",
      lastTestAt: new Date(now),
      lastTestOk: false,
    },
  });
  const [raised] = await processor.health!.evaluate(tenant);
  expect(raised).toMatchObject({
    change: "raised",
    issue: { type: "directory-credential-failing", sensorId: null, subject: "dsa", severity: "medium" },
  });
  expect(await processor.health!.evaluate(tenant)).toEqual([]); // still failing: quiet update, no second row
  await db.directoryServiceCredential.update({ where: { id: cred.id }, data: { lastTestOk: true } });
  const [closed] = await processor.health!.evaluate(tenant);
  expect(closed).toMatchObject({ change: "closed", issue: { id: raised!.issue.id, status: "closed" } });
  expect(await db.healthIssue.count()).toBe(1);
});
