/**
 * Per-tenant fairness under one noisy tenant (issue 10): 1,000 tenants × 10 sensors on the real NATS
 * JetStream and PostgreSQL (scripts/services.sh up), one stream processor (the real code path:
 * signature check against the sensor rows, every detection, sinks; the graph is the in-memory
 * adapter so the run measures scheduling, not Neo4j). Prints per-tenant end-to-end latency (event
 * generated at a sensor → run by the engine) and its spread across tenants, in three scenarios:
 *
 *   no quotas      the noisy tenant's sensors publish 10× its quota, nothing limits them;
 *   quotas         the noisy tenant's sensors are real publishers (disk spool, throttle) obeying the
 *                  grants the processor announces on vigil.quota.<tenant>: its excess waits in its spools;
 *   hostile        the noisy sensors ignore their quota; the processor meters and defers them (fairness gate).
 *
 * How 10,000 sensors are simulated: each is a registered sensor row with its own id and signs every
 * event like a real sensor, but the 9,990 sensors of the ordinary tenants share one NATS connection
 * and publish without a spool (they stay far under their quota, so a throttle would never bind); the
 * noisy tenant's 10 sensors are full publishers in the quotas scenario. Ordinary load is Poisson-like:
 * each tick picks random tenants and sensors. Figures on this 2-core machine shared with other work
 * are noisy; compare the scenarios of one run.
 *
 *   node --import tsx bench/tenant-fairness.ts [--quick]
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openRelationalStore, type RelationalStore } from "@vigil/db";
import { createMemoryGraph } from "@vigil/graph-model";
import { createPublisher, IngestThrottle, watchIngestQuota, type Publisher, type QuotaWatch } from "@vigil/sensor";
import { connectJetStreamBus, type JetStreamEventBus } from "@vigil/sensor/bus";
import {
  eventSubject,
  finalizeEvent,
  SENSOR_HEADER,
  SIGNATURE_HEADER,
  sensorKeyHash,
  parseQuotaGrant,
  quotaSubject,
  signEvent,
  type VigilEvent,
} from "@vigil/sensor/contract";
import { allDetections, createProcessor, defineDetection, type IngestQuotaSettings } from "@vigil/stream-processor";
import { testServices } from "../test-support/services.ts";

const quick = process.argv.includes("--quick");
/** --quick: 200 tenants, so the one-time lookup of every sensor (about 25 ms each on a loaded 2-core box) stays short. */
const TENANTS = quick ? 200 : 1000;
const SENSORS = 10;
/** Events per second of all ordinary tenants together (each ~0.2/s), and the noisy tenant's quota. */
const ORDINARY_RATE = 200;
const NOISY_QUOTA = 20;
/** The noisy tenant offers 10× its quota (its "share"). */
const NOISY_RATE = NOISY_QUOTA * 10;
const RUN_MS = quick ? 15_000 : 45_000;
/** After the load stops, wait at most this long for the backlog; events still waiting count with their age then. */
const DRAIN_MS = quick ? 20_000 : 45_000;
const TICK_MS = 20;
const SENSOR_KEY = "vgl_tenant-fairness-bench-key-0123456789";
const keyHash = sensorKeyHash(SENSOR_KEY);
const run = Date.now().toString(36);
const tenantId = (i: number) => `fair-${run}-${i}`;
const sensorId = (t: number, s: number) => `${tenantId(t)}-s${s}`;
const NOISY = 0;

type Scenario = "no quotas" | "quotas" | "hostile";

/** When each event was generated and when the engine ran it. */
const generated = new Map<string, { tenant: number; at: number }>();
const processedAt = new Map<string, number>();

const probe = defineDetection({
  id: "bench-latency-probe",
  title: "latency probe",
  severity: "low",
  mitre: [],
  sources: ["E"],
  kinds: ["logon"],
  learningPeriodDays: 0,
  windowMs: 0,
  description: "records when the engine runs each event",
  recommendedActions: [],
  evaluate: (event) => {
    if (!processedAt.has(event.id)) processedAt.set(event.id, performance.now());
    return [];
  },
});

let seq = 0;
function logon(t: number, s: number): VigilEvent {
  const i = seq++;
  return finalizeEvent({
    kind: "logon",
    tenantId: tenantId(t),
    sensorId: sensorId(t, s),
    time: new Date(Date.UTC(2026, 0, 1) + i).toISOString(),
    actor: { name: `user${i % 50}`, domain: "FAIR" },
    success: true,
    logonType: 3,
    src: { ip: `10.0.${i % 250}.${(i % 200) + 1}` },
    origin: { format: "event-json", recordId: String(i), eventId: 4624, computer: `DC${s}.fair.local` },
  });
}

function publishRaw(bus: JetStreamEventBus, event: VigilEvent): Promise<unknown> {
  const subject = eventSubject(event.tenantId, event.kind);
  const payload = JSON.stringify(event);
  return bus.publish(subject, payload, {
    msgId: event.id,
    headers: { [SENSOR_HEADER]: event.sensorId, [SIGNATURE_HEADER]: signEvent(keyHash, subject, event.id, payload) },
  });
}

async function seed(store: RelationalStore): Promise<void> {
  await store.prisma.tenant.createMany({ data: Array.from({ length: TENANTS }, (_, i) => ({ id: tenantId(i), name: `fairness ${i}` })) });
  await store.prisma.tenant.update({
    where: { id: tenantId(NOISY) },
    data: { ingestRatePerSecond: NOISY_QUOTA, ingestBurst: NOISY_QUOTA },
  });
  for (let i = 0; i < TENANTS; i += 8) {
    await Promise.all(
      Array.from({ length: Math.min(8, TENANTS - i) }, (_, k) =>
        store.forTenant(tenantId(i + k)).sensor.createMany({
          data: Array.from({ length: SENSORS }, (_, s) => ({
            id: sensorId(i + k, s),
            tenantId: tenantId(i + k),
            name: sensorId(i + k, s),
            kind: "dc",
            keyHash,
            keyPrefix: `${SENSOR_KEY.slice(0, 10)}-${s}`,
          })),
        }),
      ),
    );
  }
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
const sortNum = (xs: number[]) => xs.sort((a, b) => a - b);
const ms = (x: number) => (Number.isFinite(x) ? `${Math.round(x)}`.padStart(6) : "     -");

/** One processor and bus for all scenarios, so the 10,000 sensor lookups are paid once (warm-up), not per scenario. */
interface Rig {
  bus: JetStreamEventBus;
  processor: ReturnType<typeof createProcessor>;
}

async function openRig(store: RelationalStore, dir: string): Promise<Rig> {
  const bus = await connectJetStreamBus({ servers: testServices.natsUrl, namespace: `fair_${run}`, publishTimeoutMs: 30_000 });
  const quota: IngestQuotaSettings = { defaults: { ratePerSecond: 1000, burst: 1000 }, announceMs: 1000 };
  const processor = createProcessor({
    bus,
    store,
    graph: createMemoryGraph(),
    detections: [...allDetections, probe],
    consumerName: "fairness",
    snapshotFile: join(dir, "processor.snapshot.json"),
    maxDeliver: 50,
    ackWaitMs: 60_000,
    log: () => {},
    posture: false,
    retention: false,
    personalData: false,
    // 10,000 sensors each heard every ~50 s: a short cache would look every one up on every event.
    sensorCacheTtlMs: 3_600_000,
    sensorCacheSize: 20_000,
    ingestQuota: quota,
  });
  await processor.start();
  return { bus, processor };
}

/** One event from every sensor, so the processor has looked each sensor up before anything is measured. */
async function warmUp(rig: Rig): Promise<number> {
  const started = performance.now();
  processedAt.clear();
  const ids: string[] = [];
  for (let t = 0; t < TENANTS; t++) {
    await Promise.all(
      Array.from({ length: SENSORS }, (_, s) => {
        const e = logon(t, s);
        ids.push(e.id);
        return publishRaw(rig.bus, e);
      }),
    );
  }
  while (!ids.every((id) => processedAt.has(id))) await new Promise((r) => setTimeout(r, 200));
  return performance.now() - started;
}

/** Sets the noisy tenant's quota and waits until the processor has announced it. */
async function setNoisyQuota(store: RelationalStore, rig: Rig, rate: number): Promise<void> {
  await store.prisma.tenant.update({ where: { id: tenantId(NOISY) }, data: { ingestRatePerSecond: rate, ingestBurst: rate } });
  const sub = await rig.bus.subscribe(quotaSubject(tenantId(NOISY)));
  // The grant goes out only for sensors heard from: one event keeps the noisy tenant's sensors active.
  await publishRaw(rig.bus, logon(NOISY, 0));
  for await (const m of sub) {
    const read = parseQuotaGrant(m.subject, m.string());
    if ("grant" in read && read.grant.ratePerSecond === rate) break;
  }
  sub.unsubscribe();
}

async function runScenario(store: RelationalStore, rig: Rig, scenario: Scenario, dir: string): Promise<void> {
  const { bus, processor } = rig;
  await setNoisyQuota(store, rig, scenario === "no quotas" ? 1_000_000 : NOISY_QUOTA);
  generated.clear();
  processedAt.clear();
  const deferredBefore = processor.stats().deferred;
  const noisyPublishers: Publisher[] = [];
  const watches: QuotaWatch[] = [];
  if (scenario === "quotas") {
    for (let s = 0; s < SENSORS; s++) {
      const throttle = new IngestThrottle();
      const watch = watchIngestQuota({ bus, tenantId: tenantId(NOISY), throttle });
      await watch.ready();
      watches.push(watch);
      noisyPublishers.push(
        await createPublisher({
          bus,
          tenantId: tenantId(NOISY),
          sensorId: sensorId(NOISY, s),
          sensorKey: SENSOR_KEY,
          spoolDir: join(dir, `spool-${s}`),
          throttle,
        }),
      );
    }
    // The sensors hear the next announcement (every second) before the load starts.
    await new Promise((r) => setTimeout(r, 1500));
  }
  const inFlight = new Set<Promise<unknown>>();
  const send = (p: Promise<unknown>) => {
    const tracked = p
      .catch((err: unknown) => console.error(`publish failed: ${(err as Error).message}`))
      .finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
  };
  const start = performance.now();
  let ordinaryDebt = 0;
  let noisyDebt = 0;
  let noisyTurn = 0;
  while (performance.now() - start < RUN_MS) {
    const tickStart = performance.now();
    ordinaryDebt += (ORDINARY_RATE * TICK_MS) / 1000;
    noisyDebt += (NOISY_RATE * TICK_MS) / 1000;
    for (; ordinaryDebt >= 1; ordinaryDebt--) {
      const t = 1 + Math.floor(Math.random() * (TENANTS - 1));
      const e = logon(t, Math.floor(Math.random() * SENSORS));
      generated.set(e.id, { tenant: t, at: performance.now() });
      send(publishRaw(bus, e));
    }
    for (; noisyDebt >= 1; noisyDebt--) {
      const s = noisyTurn++ % SENSORS;
      const e = logon(NOISY, s);
      generated.set(e.id, { tenant: NOISY, at: performance.now() });
      send(scenario === "quotas" ? noisyPublishers[s]!.publish(e) : publishRaw(bus, e));
    }
    // Bounded in-flight publishes: the generator must not become the bottleneck's queue.
    while (inFlight.size > 2000) await Promise.race(inFlight);
    await new Promise((r) => setTimeout(r, Math.max(0, TICK_MS - (performance.now() - tickStart))));
  }
  const loadEnd = performance.now();
  await Promise.all(inFlight);
  while (processedAt.size < generated.size && performance.now() - loadEnd < DRAIN_MS) await new Promise((r) => setTimeout(r, 100));
  const cutoff = performance.now();
  for (const w of watches) await w.stop();
  for (const p of noisyPublishers) await p.close();
  report(scenario, cutoff, processor.stats().deferred - deferredBefore, generated.size / ((loadEnd - start) / 1000));
  // The next scenario starts on an empty backlog (events cut off above are still in the stream).
  const settle = performance.now();
  while (processedAt.size < generated.size && performance.now() - settle < DRAIN_MS) await new Promise((r) => setTimeout(r, 200));
}

function report(scenario: Scenario, cutoff: number, deferred: number, offered: number): void {
  const perTenant = new Map<number, number[]>();
  const all: number[] = [];
  let waiting = 0;
  for (const [id, g] of generated) {
    const done = processedAt.get(id);
    if (done === undefined) waiting++;
    // Events still waiting at the cutoff count with their age then (a lower bound of their latency).
    const latency = (done ?? cutoff) - g.at;
    if (g.tenant !== NOISY) all.push(latency);
    const list = perTenant.get(g.tenant) ?? [];
    list.push(latency);
    perTenant.set(g.tenant, list);
  }
  const p95s: number[] = [];
  for (const [t, list] of perTenant) if (t !== NOISY) p95s.push(pct(sortNum(list), 95));
  sortNum(p95s);
  sortNum(all);
  const noisy = sortNum(perTenant.get(NOISY) ?? []);
  console.log(
    `${scenario.padEnd(10)} ${String(generated.size).padStart(7)} ${String(waiting).padStart(7)} ${String(perTenant.size - 1).padStart(7)}` +
      `  ${ms(pct(all, 50))} ${ms(pct(all, 95))} ${ms(pct(all, 99))}` +
      `   ${ms(pct(p95s, 50))} ${ms(pct(p95s, 99))} ${ms(p95s.at(-1) ?? NaN)}` +
      `   ${ms(pct(noisy, 50))} ${ms(pct(noisy, 95))}  ${String(deferred).padStart(7)}  ${offered.toFixed(0).padStart(9)}`,
  );
}

const dir = await mkdtemp(join(tmpdir(), "vigil-fairness-"));
const store = await openRelationalStore({ databaseUrl: testServices.postgresUrl });
try {
  const seeded = performance.now();
  await seed(store);
  console.log(
    `tenant fairness: ${TENANTS} tenants × ${SENSORS} sensors (${TENANTS * SENSORS} sensor rows, seeded in ${((performance.now() - seeded) / 1000).toFixed(1)} s); ` +
      `ordinary tenants ${ORDINARY_RATE} events/s together (~${(ORDINARY_RATE / (TENANTS - 1)).toFixed(2)}/s each), ` +
      `noisy tenant quota ${NOISY_QUOTA}/s offering ${NOISY_RATE}/s; ${RUN_MS / 1000} s of load per scenario${quick ? " (--quick)" : ""}`,
  );
  console.log('"no quotas": the noisy tenant\'s quota is set to 1,000,000/s, so neither its sensors nor the processor limit it');
  console.log("latency = event generated at its sensor → run by the engine, ms; ordinary tenants unless marked noisy");
  const rig = await openRig(store, dir);
  try {
    console.log(
      `warm-up: one event from each of the ${TENANTS * SENSORS} sensors processed in ${((await warmUp(rig)) / 1000).toFixed(1)} s`,
    );
    console.log(
      "scenario    events waiting tenants   all p50    p95    p99   per-tenant p95: p50    p99    max   noisy p50    p95  deferred  offered/s",
    );
    for (const scenario of ["no quotas", "quotas", "hostile"] as const) await runScenario(store, rig, scenario, dir);
  } finally {
    await rig.processor.stop();
    await rig.bus.dropStreams().catch(() => undefined);
    await rig.bus.close();
  }
} finally {
  await store.prisma.tenant.deleteMany({ where: { id: { startsWith: `fair-${run}-` } } }).catch(() => {});
  await store.close();
  await rm(dir, { recursive: true, force: true });
}
