/**
 * Ingest quotas on a real nats-server: a sensor whose tenant publishes at 5× its grant is slowed to
 * the grant and loses nothing (every event reaches the stream exactly once, in order), while a sensor
 * of another tenant on the same server is not slowed; a new grant takes effect while events wait; a
 * grant of one tenant never applies to another.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { testServices, uniqueTenantId } from "../../../test-support/services.ts";
import { connectJetStreamBus, type JetStreamEventBus } from "../bus/index.ts";
import { quotaGrant, quotaSubject, tenantEventsFilter, type QuotaGrant } from "../contract/index.ts";
import { eventually, logonEvent, SENSOR, SENSOR_KEY, tempDir } from "./events.fixture.ts";
import { IngestThrottle, watchIngestQuota } from "./ingest-quota.ts";
import { createPublisher, type Publisher, type PublishOutcome } from "./publisher.ts";

let bus: JetStreamEventBus;
const cleanups: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  bus = await connectJetStreamBus({ servers: testServices.natsUrl, namespace: uniqueTenantId("quota").replace(/-/g, "_") });
});
afterAll(async () => {
  await bus?.dropStreams().catch(() => undefined);
  await bus?.close();
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

/** A sensor of `tenantId` with its own spool, throttle and quota watcher. */
async function sensorOf(tenantId: string) {
  const t = await tempDir("quota");
  cleanups.push(t.remove);
  const throttle = new IngestThrottle();
  const grants: QuotaGrant[] = [];
  const lines: string[] = [];
  const watch = watchIngestQuota({ bus, tenantId, throttle, onGrant: (g) => grants.push(g), onLog: (l) => lines.push(l) });
  cleanups.push(() => watch.stop());
  await watch.ready();
  const publisher = await createPublisher({
    bus,
    tenantId,
    sensorId: SENSOR,
    sensorKey: SENSOR_KEY,
    spoolDir: t.dir,
    throttle,
    onLog: (l) => lines.push(l),
  });
  cleanups.push(() => publisher.close());
  return { tenantId, throttle, grants, lines, publisher };
}

const announce = (tenantId: string, ratePerSecond: number, burst: number, subject = quotaSubject(tenantId)) =>
  bus.publish(subject, JSON.stringify(quotaGrant(tenantId, { ratePerSecond, burst }, 1, new Date())));

/** Records when each event of the tenant reaches a consumer of the stream (ms since `t0`). */
async function streamWatcher(tenantId: string, t0: number) {
  const arrivals: { id: string; at: number }[] = [];
  const handle = await bus.consume({
    durable: `verify_${tenantId.replace(/-/g, "_")}`,
    filterSubject: tenantEventsFilter(tenantId),
    maxDeliver: 1,
    ackWaitMs: 30_000,
    maxInFlight: 256,
    handler: async (m) => {
      arrivals.push({ id: m.msgId ?? "", at: performance.now() - t0 });
      await m.ack();
    },
  });
  cleanups.push(() => handle.stop());
  return arrivals;
}

/** Offers `count` events over about `spreadMs` (windows of 50), returning every outcome. */
async function offer(publisher: Publisher, tenantId: string, count: number, spreadMs: number): Promise<PublishOutcome[]> {
  const outcomes: PublishOutcome[] = [];
  for (let i = 0; i < count; i += 50) {
    const window = [];
    for (let n = i; n < Math.min(count, i + 50); n++) window.push(publisher.publish(logonEvent(n, { tenantId })));
    outcomes.push(...(await Promise.all(window)));
    await new Promise((r) => setTimeout(r, spreadMs / (count / 50)));
  }
  return outcomes;
}

const EVENTS = 600;

describe("ingest quotas on the sensor (real nats-server)", () => {
  it("slows a tenant publishing at several times its grant without losing an event, and leaves another tenant's sensor alone", async () => {
    const noisy = await sensorOf(uniqueTenantId("noisy"));
    const quiet = await sensorOf(uniqueTenantId("quiet"));
    await announce(noisy.tenantId, 100, 20);
    await eventually(() => noisy.grants.length > 0, "the noisy tenant's grant");
    const t0 = performance.now();
    const noisyArrivals = await streamWatcher(noisy.tenantId, t0);
    const quietArrivals = await streamWatcher(quiet.tenantId, t0);
    // 600 events in about a second against 100/s: 6× the quota (less if the machine is slow), for both tenants.
    const [noisyOutcomes, quietOutcomes] = await Promise.all([
      offer(noisy.publisher, noisy.tenantId, EVENTS, 1000),
      offer(quiet.publisher, quiet.tenantId, EVENTS, 1000),
    ]);
    expect(noisyOutcomes.filter((o) => o === "dropped" || o === "failed")).toEqual([]);
    expect(quietOutcomes.every((o) => o === "published")).toBe(true);
    expect(noisy.publisher.stats()).toMatchObject({ throttling: true, dropped: 0 });
    expect(noisy.publisher.stats().throttled).toBeGreaterThan(0);
    expect(quiet.publisher.stats()).toMatchObject({ throttled: 0, spooled: 0 });
    await noisy.publisher.drained(AbortSignal.timeout(20_000));
    await eventually(() => noisyArrivals.length >= EVENTS && quietArrivals.length >= EVENTS, "every event in the stream", 20_000);
    await new Promise((r) => setTimeout(r, 300)); // room for anything beyond them

    const ids = (tenantId: string) => Array.from({ length: EVENTS }, (_, n) => logonEvent(n, { tenantId }).id);
    expect(noisyArrivals.map((a) => a.id)).toEqual(ids(noisy.tenantId));
    expect(quietArrivals.map((a) => a.id)).toEqual(ids(quiet.tenantId));
    const noisyLast = noisyArrivals.at(-1)!.at;
    const quietLast = quietArrivals.at(-1)!.at;
    // (600 − burst 20) / 100 per second = 5.8 s at the least; the quiet tenant is done as fast as the bus takes it.
    expect(noisyLast).toBeGreaterThan(5200);
    // How fast the quiet tenant's events get in depends on the machine; that none waited for a quota does not.
    expect(quietLast).toBeLessThan(noisyLast);
    expect(noisy.publisher.stats()).toMatchObject({ throttling: false, dropped: 0, published: expect.any(Number) });
    const s = noisy.publisher.stats();
    expect(s.published + s.drained - s.duplicates).toBe(EVENTS);
    expect(noisy.lines.some((l) => l.includes("ingest quota reached"))).toBe(true);
    expect(quiet.throttle.limit).toBeUndefined();
  }, 40_000);

  it("applies a new grant to events already waiting", async () => {
    const sensor = await sensorOf(uniqueTenantId("live"));
    await announce(sensor.tenantId, 20, 10);
    await eventually(() => sensor.grants.length > 0, "the first grant");
    const outcomes = await offer(sensor.publisher, sensor.tenantId, 300, 100);
    expect(outcomes.filter((o) => o === "spooled").length).toBeGreaterThan(250);
    // At 20/s the spool needs ~15 s; the raised grant must empty it within a few.
    await new Promise((r) => setTimeout(r, 500));
    expect(sensor.publisher.stats().throttling).toBe(true);
    const raised = performance.now();
    await announce(sensor.tenantId, 5000, 5000);
    await sensor.publisher.drained(AbortSignal.timeout(10_000));
    expect(performance.now() - raised).toBeLessThan(4000);
    const s = sensor.publisher.stats();
    expect(s.published + s.drained - s.duplicates).toBe(300);
    expect(sensor.throttle.limit).toEqual({ ratePerSecond: 5000, burst: 5000 });
  }, 30_000);

  it("never applies one tenant's grant to another, even one published on the other's subject", async () => {
    const a = await sensorOf(uniqueTenantId("qa"));
    const b = await sensorOf(uniqueTenantId("qb"));
    await announce(a.tenantId, 5, 5);
    await eventually(() => a.grants.length > 0, "A's grant");
    // A grant naming tenant A, sent on B's subject: B must ignore it and say why.
    await announce(a.tenantId, 1, 1, quotaSubject(b.tenantId));
    await bus.publish(quotaSubject(b.tenantId), "{ not a grant");
    await eventually(() => b.lines.some((l) => l.includes("not JSON")), "B's refusal of the garbage");
    expect(b.lines.some((l) => l.includes(`for tenant ${a.tenantId} arrived on ${quotaSubject(b.tenantId)}`))).toBe(true);
    expect(b.grants).toEqual([]);
    expect(b.throttle.limit).toBeUndefined();
    expect(a.throttle.limit).toEqual({ ratePerSecond: 5, burst: 5 });
    const outcomes = await offer(b.publisher, b.tenantId, 200, 0);
    expect(outcomes.every((o) => o === "published")).toBe(true);
  }, 20_000);
});
