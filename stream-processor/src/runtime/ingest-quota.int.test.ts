// Ingest quotas on the processor against real NATS JetStream and PostgreSQL: quotas come from the
// tenant rows and reach the sensors as grants split over their active sensors, a change is live; a
// tenant whose sensors ignore their quota (published here straight onto the bus) is deferred while
// another tenant's events pass it, nothing is lost, and the tenant gets an ingest-quota-exceeded issue.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openRelationalStore, type RelationalStore } from "@vigil/db";
import { createNeo4jGraph, type IdentityGraph } from "@vigil/graph-model";
import { connectJetStreamBus, type JetStreamEventBus } from "@vigil/sensor/bus";
import { finalizeEvent, parseQuotaGrant, quotaSubject, type QuotaGrant, type VigilEvent } from "@vigil/sensor/contract";
import { testServices, uniqueTenantId } from "../../../test-support/services.ts";
import { allDetections } from "../detections/index.ts";
import { defineDetection } from "../engine/detection.ts";
import { createProcessor, type Processor } from "./processor.ts";
import { createSensor, createTenant, publishSigned, waitFor, type TestSensor } from "./test-harness.ts";

const NOISY = uniqueTenantId("noisy");
const QUIET = uniqueTenantId("quiet");
const namespace = uniqueTenantId("quota").replace(/[^A-Za-z0-9_-]/g, "_");
let store: RelationalStore;
let bus: JetStreamEventBus;
let processor: Processor;
let graph: IdentityGraph;
let dir: string;
const log: string[] = [];
/** When each event id was processed (performance.now()), by tenant. */
const processed = new Map<string, Map<string, number>>();

// Records every logon the engine runs, so the test counts each tenant's events as processed.
const probe = defineDetection({
  id: "test-probe",
  title: "probe",
  severity: "low",
  mitre: [],
  sources: ["E"],
  kinds: ["logon"],
  learningPeriodDays: 0,
  windowMs: 0,
  description: "records processing times",
  recommendedActions: [],
  evaluate: (event) => {
    const seen = processed.get(event.tenantId) ?? new Map<string, number>();
    processed.set(event.tenantId, seen);
    if (!seen.has(event.id)) seen.set(event.id, performance.now());
    return [];
  },
});

const logon = (tenantId: string, sensorId: string, i: number): VigilEvent =>
  finalizeEvent({
    kind: "logon",
    tenantId,
    sensorId,
    time: new Date(Date.UTC(2026, 0, 1, 8) + i * 10).toISOString(),
    actor: { name: `user${i % 5}`, domain: "Q" },
    success: true,
    logonType: 3,
    origin: { format: "event-json", recordId: String(i), eventId: 4624, computer: "DC01.q.local" },
  });

async function grants(tenantId: string): Promise<{ items: QuotaGrant[]; stop(): void }> {
  const sub = await bus.subscribe(quotaSubject(tenantId));
  const items: QuotaGrant[] = [];
  void (async () => {
    for await (const m of sub) {
      const read = parseQuotaGrant(m.subject, m.string());
      if ("grant" in read) items.push(read.grant);
    }
  })();
  return { items, stop: () => sub.unsubscribe() };
}

let noisy: TestSensor[];
let quiet: TestSensor;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "vigil-quota-int-"));
  store = await openRelationalStore({ databaseUrl: testServices.postgresUrl });
  bus = await connectJetStreamBus({ servers: testServices.natsUrl, namespace });
  // The real graph: each logon writes a session edge, the work a deferral saves the other tenants.
  graph = createNeo4jGraph(testServices.neo4j);
  await graph.ensureSchema();
  await createTenant(store, NOISY);
  await createTenant(store, QUIET);
  await store.prisma.tenant.update({ where: { id: NOISY }, data: { ingestRatePerSecond: 50, ingestBurst: 24 } });
  noisy = [await createSensor(store, NOISY, "dc01"), await createSensor(store, NOISY, "dc02")];
  quiet = await createSensor(store, QUIET, "dc01");
  processor = createProcessor({
    bus,
    store,
    graph,
    detections: [...allDetections, probe],
    consumerName: "processor",
    snapshotFile: join(dir, "processor.snapshot.json"),
    maxDeliver: 20,
    ackWaitMs: 10_000,
    log: (l) => log.push(l),
    posture: false,
    health: { intervalMs: 3_600_000 },
    ingestQuota: { defaults: { ratePerSecond: 1000, burst: 1000 }, announceMs: 200, fairness: { meterWindowMs: 2000 } },
  });
  await processor.start();
}, 30_000);

afterAll(async () => {
  await processor?.stop();
  await bus?.dropStreams();
  await bus?.close();
  await graph?.close();
  for (const t of [NOISY, QUIET]) await store?.prisma.tenant.delete({ where: { id: t } }).catch(() => undefined);
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("ingest quotas on the processor (NATS JetStream, PostgreSQL)", () => {
  it("announces each tenant's quota from its row, split over its active sensors, and a change goes live", async () => {
    const n = await grants(NOISY);
    const q = await grants(QUIET);
    try {
      await publishSigned(bus, noisy[0]!, logon(NOISY, noisy[0]!.id, 0));
      await publishSigned(bus, noisy[1]!, logon(NOISY, noisy[1]!.id, 1));
      await publishSigned(bus, quiet, logon(QUIET, quiet.id, 0));
      await waitFor("grants for both sensors of the noisy tenant", () => n.items.some((g) => g.sensors === 2));
      expect(n.items.at(-1)).toMatchObject({
        tenantId: NOISY,
        ratePerSecond: 50,
        burst: 24,
        sensors: 2,
        sensorRatePerSecond: 25,
        sensorBurst: 12,
      });
      await waitFor("the quiet tenant's grant", () => q.items.length > 0);
      // The quiet tenant's row sets nothing: the deployment default, never the noisy tenant's quota.
      expect(q.items.at(-1)).toMatchObject({ tenantId: QUIET, ratePerSecond: 1000, burst: 1000, sensors: 1 });

      await store.prisma.tenant.update({ where: { id: NOISY }, data: { ingestRatePerSecond: 400 } });
      await waitFor("the raised quota announced", () => n.items.at(-1)?.ratePerSecond === 400, 5000);
      expect(n.items.at(-1)).toMatchObject({ ratePerSecond: 400, sensorRatePerSecond: 200 });
      expect(q.items.every((g) => g.tenantId === QUIET && g.ratePerSecond === 1000)).toBe(true);
      await store.prisma.tenant.update({ where: { id: NOISY }, data: { ingestRatePerSecond: 50 } });
      await waitFor("the quota lowered again", () => n.items.at(-1)?.ratePerSecond === 50, 5000);
    } finally {
      n.stop();
      q.stop();
    }
  }, 30_000);

  it("uses the defaults, and says so, for a quota row edited by hand into nonsense", async () => {
    await store.prisma.$executeRawUnsafe(`UPDATE "tenants" SET "ingest_rate_per_second" = -5 WHERE "id" = $1`, QUIET).catch(async () => {
      // The table name follows the Prisma mapping; fall back to the model API.
      await store.prisma.tenant.update({ where: { id: QUIET }, data: { ingestRatePerSecond: -5 } });
    });
    const q = await grants(QUIET);
    try {
      await publishSigned(bus, quiet, logon(QUIET, quiet.id, 1));
      await waitFor("the warning", () => log.some((l) => l.includes(`tenant ${QUIET} has an unusable ingest quota`)), 5000);
      await waitFor("a grant after the warning", () => q.items.length > 0, 5000);
      expect(q.items.at(-1)).toMatchObject({ ratePerSecond: 1000, burst: 1000 });
    } finally {
      q.stop();
      await store.prisma.tenant.update({ where: { id: QUIET }, data: { ingestRatePerSecond: null } });
    }
  }, 20_000);

  it("defers a tenant flooding at 10× its quota while the other tenant's events pass it, and loses none of them", async () => {
    const before = processor.stats();
    const FLOOD = 400;
    const QUIET_EVENTS = 30;
    const sentAt = new Map<string, number>();
    const floodIds: string[] = [];
    const t0 = performance.now();
    // The noisy sensors ignore their grant: 400 events as fast as the bus takes them (well over 10× 50/s).
    const flood = (async () => {
      for (let i = 0; i < FLOOD; i += 100) {
        await Promise.all(
          Array.from({ length: 100 }, (_, k) => {
            const s = noisy[(i + k) % 2]!;
            const e = logon(NOISY, s.id, 1000 + i + k);
            floodIds.push(e.id);
            return publishSigned(bus, s, e);
          }),
        );
      }
    })();
    const trickle = (async () => {
      for (let i = 0; i < QUIET_EVENTS; i++) {
        const e = logon(QUIET, quiet.id, 100 + i);
        sentAt.set(e.id, performance.now());
        await publishSigned(bus, quiet, e);
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    await Promise.all([flood, trickle]);
    const done = (tenantId: string, ids: Iterable<string>) => [...ids].every((id) => processed.get(tenantId)?.has(id));
    await waitFor("every quiet event processed", () => done(QUIET, sentAt.keys()), 30_000);
    await waitFor("every noisy event processed", () => done(NOISY, floodIds), 60_000);
    const noisyDone = Math.max(...floodIds.map((id) => processed.get(NOISY)!.get(id)!)) - t0;
    const quietDone = Math.max(...[...sentAt.keys()].map((id) => processed.get(QUIET)!.get(id)!)) - t0;

    const after = processor.stats();
    expect(after.deferred - before.deferred).toBeGreaterThan(FLOOD / 2);
    expect(log.some((l) => l.includes("dead-lettering"))).toBe(false);
    expect(after.deadLettered).toBe(0);
    // Every event of both tenants went through the engine.
    expect(new Set(floodIds).size).toBe(FLOOD);
    expect(sentAt.size).toBe(QUIET_EVENTS);
    // The noisy tenant drains at about its budget (50/s × 1.5 headroom = 75/s): (400 − burst 24) / 75 ≈ 5 s at
    // the least, while the quiet tenant's events do not wait for that drain.
    expect(noisyDone).toBeGreaterThan(4000);
    // (Without the gate the flood is burnt through before the quiet tenant's last events are even published.)
    expect(quietDone).toBeLessThan(noisyDone);

    await processor.health!.evaluate(NOISY);
    await processor.health!.evaluate(QUIET);
    const issue = await store.forTenant(NOISY).healthIssue.findFirst({ where: { type: "ingest-quota-exceeded", status: "open" } });
    expect(issue?.description).toContain("above its ingest quota of 50 per second");
    expect(await store.forTenant(QUIET).healthIssue.count({ where: { type: "ingest-quota-exceeded" } })).toBe(0);
  }, 90_000);
});
