/**
 * Partitioned processing under failure (issue 10), real processes on loopback: a private 3-node NATS
 * cluster (scripts/nats/cluster.sh with an 8-partition mapping), streams and partition buckets at 3
 * replicas, TWO `vigil processor` instances sharing the partitions through KV leases, and one `vigil
 * sensor` per tenant replaying a generated DC log. Tenants are picked so that both processors own
 * some. Mid-stream the events stream's leader node and one processor die with SIGKILL; the node comes
 * back, and a processor with a new instance id starts, so the dead one's partitions move by lease
 * expiry and then by handover. Every tenant's alerts (PostgreSQL) and graph (Neo4j) must equal those of
 * an undisturbed run with one processor on a single server: no event lost, no alert duplicated.
 * (e2e/cluster-resilience.int.test.ts keeps the unpartitioned single-processor case.)
 */
import { execFileSync } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { openRelationalStore, type RelationalStore } from "@vigil/db";
import { createNeo4jGraph, type IdentityGraph } from "@vigil/graph-model";
import { connectJetStreamBus, openJetStreamPartitionStore, partitionOf, type JetStreamEventBus } from "@vigil/sensor/bus";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testServices, uniqueTenantId } from "../test-support/services.ts";
import { resilienceEventFile } from "./cluster-resilience-events.ts";
import {
  children,
  createTenantRun,
  drained,
  outcome,
  sleep,
  spawnVigil,
  waitForLine,
  type Child,
  type TenantRun,
} from "./cluster-resilience-harness.ts";

const clusterScript = new URL("../scripts/nats/cluster.sh", import.meta.url).pathname;
const servicesScript = new URL("../scripts/services.sh", import.meta.url).pathname;
const P = 8;
const TENANTS = 4;
const EVENTS = 500; // per tenant
const NAME = "proc";
const LEASE_TTL_MS = 6000; // as `vigil processor` opens the buckets
const durables = Array.from({ length: P }, (_, p) => `${NAME}-p${p}`);

describe("3-node NATS cluster, 2 partitioned processors: kill -9 a node and a processor mid-stream", () => {
  let dir: string;
  let file: string;
  let expected: ReturnType<typeof resilienceEventFile>;
  let store: RelationalStore;
  let graph: IdentityGraph;
  let clusterNc: NatsConnection;
  let clusterEnv: NodeJS.ProcessEnv;
  let refEnv: NodeJS.ProcessEnv;
  let clusterUrls: string;
  const refUrl = "nats://127.0.0.1:4279";
  const tenants: string[] = [];
  const timeline: string[] = [];
  const all: Child[] = [];
  const cluster = (...args: string[]) =>
    execFileSync("bash", [clusterScript, ...args], { env: clusterEnv, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();

  const processorEnv = (natsUrl: string, namespace: string, replicas: number, instance: string) => ({
    PATH: process.env.PATH,
    NATS_URL: natsUrl,
    VIGIL_BUS_NAMESPACE: namespace,
    VIGIL_NATS_REPLICAS: String(replicas),
    VIGIL_DATA_DIR: join(dir, instance),
    DATABASE_URL: testServices.postgresUrl,
    NEO4J_URI: testServices.neo4j.uri,
    NEO4J_USER: testServices.neo4j.user,
    NEO4J_PASSWORD: testServices.neo4j.password,
    VIGIL_API_PORT: "0",
    VIGIL_PROCESSOR_NAME: NAME,
    VIGIL_PARTITIONS: String(P),
    VIGIL_PROCESSOR_INSTANCE: instance,
  });

  async function startProcessor(natsUrl: string, namespace: string, replicas: number, instance: string): Promise<Child> {
    const child = spawnVigil(instance, ["processor"], processorEnv(natsUrl, namespace, replicas, instance), timeline);
    all.push(child);
    await waitForLine(child, new RegExp(`processor "${NAME}" consuming vigil\\.events\\.> as instance ${instance}`), 120_000);
    return child;
  }

  function startSensor(natsUrl: string, namespace: string, replicas: number, run: TenantRun): Child {
    const child = spawnVigil(
      `sensor-${run.tenant}`,
      ["sensor", file],
      {
        PATH: process.env.PATH,
        NATS_URL: natsUrl,
        VIGIL_BUS_NAMESPACE: namespace,
        VIGIL_NATS_REPLICAS: String(replicas),
        VIGIL_DATA_DIR: join(dir, `sensor-${run.tenant}`),
        VIGIL_SENSOR_TENANT: run.tenant,
        VIGIL_SENSOR_ID: run.sensorId,
        VIGIL_SENSOR_KEY: run.sensorKey,
      },
      timeline,
    );
    all.push(child);
    return child;
  }

  const recentLogs = () => all.map((c) => `--- ${c.label}\n${c.logs.slice(-15).join("\n")}`).join("\n");

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "vigil-part-res-"));
    clusterEnv = {
      ...process.env,
      VIGIL_PARTITIONS: String(P),
      VIGIL_NATS_CLUSTER_DIR: join(dir, "nats"),
      VIGIL_NATS_CLUSTER_NAME: "vigilpart",
      VIGIL_NATS_CLUSTER_CLIENT_BASE: "4280",
      VIGIL_NATS_CLUSTER_ROUTE_BASE: "6280",
      VIGIL_NATS_CLUSTER_MONITOR_BASE: "8280",
    };
    // The reference server is private too: its mapping must have the same P whatever the shared server has.
    refEnv = {
      ...process.env,
      VIGIL_SERVICES_DIR: join(dir, "ref"),
      VIGIL_NATS_PORT: "4279",
      VIGIL_NATS_MONITOR_PORT: "8279",
      VIGIL_PARTITIONS: String(P),
    };
    execFileSync("bash", [servicesScript, "up", "nats"], { env: refEnv, stdio: ["ignore", "ignore", "inherit"] });
    cluster("up", "3");
    clusterUrls = cluster("urls", "3");
    clusterNc = await connect({ servers: clusterUrls.split(","), maxReconnectAttempts: -1 });
    expected = resilienceEventFile({
      events: EVENTS,
      dcsyncEvery: 150,
      bruteEvery: 300,
      slowGuessEvery: 37,
      start: new Date(Date.now() - 60 * 60_000),
    });
    file = join(dir, "dc01-security.xml");
    await writeFile(file, expected.text);
    store = await openRelationalStore({ databaseUrl: testServices.postgresUrl });
    graph = createNeo4jGraph({ ...testServices.neo4j });
    await graph.ensureSchema();
  }, 180_000);

  afterAll(async () => {
    for (const c of children) c.kill("SIGKILL");
    if (clusterEnv) cluster("down", "3");
    if (refEnv) execFileSync("bash", [servicesScript, "down", "nats"], { env: refEnv, stdio: ["ignore", "ignore", "inherit"] });
    for (const tenant of tenants) await store?.prisma.tenant.delete({ where: { id: tenant } }).catch(() => {});
    await Promise.allSettled([store?.close(), graph?.close(), clusterNc?.close()]);
    if (dir) await rm(dir, { recursive: true, force: true });
  }, 60_000);

  it("ends with every tenant's alerts and graph equal to an undisturbed one-processor run", async () => {
    const t0 = performance.now();
    const mark = (what: string) => timeline.push(`[test] +${((performance.now() - t0) / 1000).toFixed(1)}s ${what}`);

    // Reference: one processor owns all partitions of the private single server; nothing is killed.
    const refNs = uniqueTenantId("pref");
    const refProcessor = await startProcessor(refUrl, refNs, 1, "ref-1");
    const refRuns: TenantRun[] = [];
    for (let i = 0; i < TENANTS; i++) refRuns.push(await createTenantRun(store, uniqueTenantId("pref")));
    tenants.push(...refRuns.map((r) => r.tenant));
    const refSensors = refRuns.map((r) => startSensor(refUrl, refNs, 1, r));

    // The cluster run: two instances split the partitions.
    const ns = uniqueTenantId("pcl");
    const a = await startProcessor(clusterUrls, ns, 3, "proc-a");
    let b = await startProcessor(clusterUrls, ns, 3, "proc-b");
    const probe = (await connectJetStreamBus({
      servers: clusterUrls.split(","),
      namespace: ns,
      replicas: 3,
      connectTimeoutMs: 5000,
    })) as JetStreamEventBus;
    const leases = await openJetStreamPartitionStore(probe, { leaseTtlMs: LEASE_TTL_MS });
    let owners = new Map<number, string>();
    for (let i = 0; i < 120; i++) {
      // Listing keys is bounded (5 s) and may time out on a loaded machine: that is a poll to repeat, not a failure.
      owners = await leases.owners().catch((error: unknown) => {
        mark(`lease listing: ${(error as Error).message}`);
        return owners;
      });
      const counts = [...owners.values()].reduce((m, o) => m.set(o, (m.get(o) ?? 0) + 1), new Map<string, number>());
      if (owners.size === P && counts.get("proc-a") === P / 2 && counts.get("proc-b") === P / 2) break;
      await sleep(500);
    }
    expect(
      [...owners.values()].filter((o) => o === "proc-b"),
      recentLogs(),
    ).toHaveLength(P / 2);
    mark(
      `partitions: ${[...owners]
        .sort((x, y) => x[0] - y[0])
        .map(([p, o]) => `${p}=${o}`)
        .join(" ")}`,
    );
    // Two tenants on each instance, so the killed one had work of its own.
    const picked: string[] = [];
    for (const owner of ["proc-a", "proc-b"]) {
      while (picked.filter((t) => owners.get(partitionOf(t, P)) === owner).length < TENANTS / 2) {
        const t = uniqueTenantId("pcl");
        if (owners.get(partitionOf(t, P)) === owner) picked.push(t);
      }
    }
    const runs: TenantRun[] = [];
    for (const t of picked) runs.push(await createTenantRun(store, t));
    tenants.push(...picked);
    const jsm = await jetstreamManager(clusterNc);
    const stream = `VIGIL_EVENTS_${ns}`;
    const sensors = runs.map((r) => startSensor(clusterUrls, ns, 3, r));
    const total = TENANTS * expected.events;

    // Kill the stream's leader node while the sensors are still publishing.
    for (let i = 0; i < 600 && (await jsm.streams.info(stream)).state.messages < total / 4; i++) await sleep(100);
    const leader = (await jsm.streams.info(stream)).cluster?.leader ?? "";
    const node = /-n(\d+)$/.exec(leader)?.[1];
    expect(node, `stream leader ${leader}`).toBeDefined();
    expect(
      sensors.some((s) => s.proc.exitCode === null),
      "the sensors finished before the node was killed",
    ).toBe(true);
    process.kill(Number((await readFile(join(dir, "nats", `n${node}`, "nats.pid"), "utf8")).trim()), "SIGKILL");
    mark(`SIGKILL nats node ${leader}`);

    // Kill processor B once it has worked through part of its partitions, but not all of them.
    const bDurables = durables.filter((_, p) => owners.get(p) === "proc-b");
    let progress = "";
    for (let i = 0; i < 1200; i++) {
      const cis = await Promise.all(bDurables.map((d) => jsm.consumers.info(stream, d).catch(() => undefined)));
      const delivered = cis.reduce((n, c) => n + (c?.delivered.consumer_seq ?? 0), 0);
      const left = cis.reduce((n, c) => n + (c ? c.num_pending + c.num_ack_pending : 1), 0);
      progress = `B delivered ${delivered}, ${left} pending or unacked`;
      if (delivered >= expected.events / 2 && left > 0) break;
      await sleep(100);
    }
    b.proc.kill("SIGKILL");
    await b.exited;
    mark(`SIGKILL processor proc-b at ${progress}`);

    // The node rejoins; a processor with a new id joins. B's leases lapse (6 s) and move.
    cluster("up", "3");
    await sleep(LEASE_TTL_MS);
    b = await startProcessor(clusterUrls, ns, 3, "proc-b2");
    mark("node and a new processor proc-b2 started");
    for (const s of sensors) expect(await s.exited, recentLogs()).toBe(0);
    mark("cluster sensors finished");
    await drained(jsm, stream, durables, total, 300_000, recentLogs);
    mark("cluster run drained");
    const finalOwners = await leases.owners().catch(() => new Map<number, string>()); // for the timeline only
    mark(
      `partitions at the end: ${[...finalOwners]
        .sort((x, y) => x[0] - y[0])
        .map(([p, o]) => `${p}=${o}`)
        .join(" ")}`,
    );
    for (const c of [a, b]) c.proc.kill("SIGTERM");
    await Promise.all([a.exited, b.exited]);
    await probe.close();

    for (const s of refSensors) expect(await s.exited, recentLogs()).toBe(0);
    const refNc = await connect({ servers: refUrl });
    try {
      await drained(await jetstreamManager(refNc), `VIGIL_EVENTS_${refNs}`, durables, total, 240_000, recentLogs);
    } finally {
      await refNc.close();
    }
    refProcessor.proc.kill("SIGTERM");
    await refProcessor.exited;
    mark("reference run drained");

    for (let i = 0; i < TENANTS; i++) {
      const want = await outcome(store, graph, refRuns[i]!.tenant);
      // The file's attacks surface, so the comparison is about something.
      // One DCSync alert per rogue account (three rogues take turns).
      expect(want.alerts.filter((x) => x.startsWith("dcsync "))).toHaveLength(Math.min(3, expected.dcsyncs));
      expect(want.alerts.filter((x) => x.startsWith("brute-force ")).length).toBeGreaterThanOrEqual(expected.bursts);
      expect(want.graph.edges.HAS_SESSION).toBeGreaterThan(0);
      const got = await outcome(store, graph, runs[i]!.tenant);
      expect.soft(got.graph, `graph of tenant ${i}`).toEqual(want.graph);
      expect.soft(got.alerts, `alerts of tenant ${i}`).toEqual(want.alerts);
    }
    console.log(`[cluster-resilience-partitions] ${total} events per run; timeline:\n${timeline.join("\n")}`);
  }, 900_000);
});
