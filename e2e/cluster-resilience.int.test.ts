/**
 * Resilience on a 3-node NATS cluster (issue 10), with real processes on loopback: a private cluster
 * from scripts/nats/cluster.sh (own ports and store, so other suites never see a node die), streams
 * at 3 replicas, one `vigil processor` and one `vigil sensor` replaying a generated DC log with attacks
 * mixed in. Mid-stream the events stream's leader node and the processor are killed with SIGKILL and
 * restarted. The alerts (PostgreSQL) and identity graph (Neo4j) must equal those of an undisturbed
 * run of the same file on the single nats-server: no event lost, no alert duplicated.
 *
 * One processor in the unpartitioned mode (VIGIL_PARTITIONS=0: one durable, a local snapshot file),
 * which a server without the partition mapping still runs; several partitioned processors are
 * e2e/cluster-resilience-partitions.int.test.ts.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jetstreamManager, type JetStreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { openRelationalStore, type RelationalStore } from "@vigil/db";
import { createNeo4jGraph, type IdentityGraph } from "@vigil/graph-model";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testServices, uniqueTenantId } from "../test-support/services.ts";
import { resilienceEventFile } from "./cluster-resilience-events.ts";
import { createTenantRun, outcome, sleep, type TenantRun } from "./cluster-resilience-harness.ts";

const bin = new URL("../cli/bin/vigil.js", import.meta.url).pathname;
const clusterScript = new URL("../scripts/nats/cluster.sh", import.meta.url).pathname;
const EVENTS = 3000;
const DURABLE = "proc";

/** One run: a tenant with its sensor, a bus namespace and a data directory of its own. */
interface Run extends TenantRun {
  namespace: string;
  natsUrl: string;
  replicas: number;
  dataDir: string;
  logs: string[];
}

/** A child process with its output kept for failure messages and an exit promise. */
interface Child {
  proc: ChildProcess;
  exited: Promise<number | null>;
}

describe("3-node NATS cluster: kill -9 a node and the processor mid-stream", () => {
  let dir: string;
  let file: string;
  let expected: ReturnType<typeof resilienceEventFile>;
  let store: RelationalStore;
  let graph: IdentityGraph;
  let clusterNc: NatsConnection;
  const children = new Set<ChildProcess>();
  const runs: Run[] = [];
  let clusterEnv: NodeJS.ProcessEnv;
  let clusterUrls: string;

  const cluster = (...args: string[]) =>
    execFileSync("bash", [clusterScript, ...args], { env: clusterEnv, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();

  function spawnVigil(run: Run, args: string[], extra: NodeJS.ProcessEnv = {}): Child {
    const proc = spawn(process.execPath, [bin, ...args], {
      env: {
        PATH: process.env.PATH,
        NATS_URL: run.natsUrl,
        VIGIL_BUS_NAMESPACE: run.namespace,
        VIGIL_NATS_REPLICAS: String(run.replicas),
        VIGIL_DATA_DIR: run.dataDir,
        ...extra,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    children.add(proc);
    const keep = (d: Buffer) => run.logs.push(`[${args[0]}] ${d.toString().trimEnd()}`);
    proc.stdout!.on("data", keep);
    proc.stderr!.on("data", keep);
    const exited = new Promise<number | null>((resolve) =>
      proc.on("exit", (code) => {
        children.delete(proc);
        resolve(code);
      }),
    );
    return { proc, exited };
  }

  async function startProcessor(run: Run): Promise<Child> {
    const child = spawnVigil(run, ["processor"], {
      DATABASE_URL: testServices.postgresUrl,
      NEO4J_URI: testServices.neo4j.uri,
      NEO4J_USER: testServices.neo4j.user,
      NEO4J_PASSWORD: testServices.neo4j.password,
      VIGIL_API_PORT: "0",
      VIGIL_PROCESSOR_NAME: DURABLE,
      // The unpartitioned mode (one durable, snapshot file); the partitioned one is cluster-resilience-partitions.
      VIGIL_PARTITIONS: "0",
    });
    for (let i = 0; i < 240 && !run.logs.some((l) => l.includes(`processor "${DURABLE}" consuming`)); i++) {
      if (child.proc.exitCode !== null) break;
      await sleep(250);
    }
    expect(run.logs.join("\n")).toContain(`processor "${DURABLE}" consuming`);
    return child;
  }

  const startSensor = (run: Run) =>
    spawnVigil(run, ["sensor", file], {
      VIGIL_SENSOR_TENANT: run.tenant,
      VIGIL_SENSOR_ID: run.sensorId,
      VIGIL_SENSOR_KEY: run.sensorKey,
    });

  async function newRun(natsUrl: string, replicas: number, label: string): Promise<Run> {
    const tenant = await createTenantRun(store, uniqueTenantId(label));
    const run: Run = { ...tenant, namespace: tenant.tenant, natsUrl, replicas, dataDir: join(dir, label), logs: [] };
    runs.push(run);
    return run;
  }

  /** Everything the sensor stored is acked by the processor (acks follow the commit and the snapshot). */
  async function drained(jsm: JetStreamManager, run: Run, timeoutMs: number): Promise<void> {
    const stream = `VIGIL_EVENTS_${run.namespace}`;
    const until = Date.now() + timeoutMs;
    let last = "";
    while (Date.now() < until) {
      try {
        const [si, ci] = await Promise.all([jsm.streams.info(stream), jsm.consumers.info(stream, DURABLE)]);
        last = `stream ${si.state.messages} msgs, last seq ${si.state.last_seq}; consumer ack floor ${ci.ack_floor.stream_seq}, pending ${ci.num_pending}, ack pending ${ci.num_ack_pending}`;
        if (
          si.state.messages >= expected.events &&
          ci.num_pending === 0 &&
          ci.num_ack_pending === 0 &&
          ci.ack_floor.stream_seq === si.state.last_seq
        )
          return;
      } catch (err) {
        last = (err as Error).message; // a leader election in progress
      }
      await sleep(500);
    }
    throw new Error(`not drained after ${timeoutMs} ms: ${last}\n${run.logs.slice(-30).join("\n")}`);
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "vigil-cluster-res-"));
    clusterEnv = {
      ...process.env,
      VIGIL_NATS_CLUSTER_DIR: join(dir, "nats"),
      VIGIL_NATS_CLUSTER_NAME: "vigilres",
      VIGIL_NATS_CLUSTER_CLIENT_BASE: "4250",
      VIGIL_NATS_CLUSTER_ROUTE_BASE: "6250",
      VIGIL_NATS_CLUSTER_MONITOR_BASE: "8250",
    };
    cluster("up", "3");
    clusterUrls = cluster("urls", "3");
    clusterNc = await connect({ servers: clusterUrls.split(","), maxReconnectAttempts: -1 });
    expected = resilienceEventFile({
      events: EVENTS,
      dcsyncEvery: 150,
      bruteEvery: 400,
      slowGuessEvery: 37,
      start: new Date(Date.now() - 60 * 60_000),
    });
    file = join(dir, "dc01-security.xml");
    await writeFile(file, expected.text);
    store = await openRelationalStore({ databaseUrl: testServices.postgresUrl });
    graph = createNeo4jGraph({ ...testServices.neo4j });
    await graph.ensureSchema();
  }, 120_000);

  afterAll(async () => {
    for (const c of children) c.kill("SIGKILL");
    if (clusterEnv) cluster("down", "3");
    for (const run of runs) await store?.prisma.tenant.delete({ where: { id: run.tenant } }).catch(() => {});
    await Promise.allSettled([store?.close(), graph?.close(), clusterNc?.close()]);
    if (dir) await rm(dir, { recursive: true, force: true });
  }, 60_000);

  it("ends with the same alerts and graph as an undisturbed single-server run", async () => {
    const t0 = performance.now();
    const stamp = () => `+${((performance.now() - t0) / 1000).toFixed(1)}s`;
    // Reference: the single nats-server, nothing killed. It runs alongside the cluster run (different
    // tenant, namespace and data directory), which halves the test's wall time.
    const ref = await newRun(testServices.natsUrl, 1, "resref");
    const refNc = await connect({ servers: testServices.natsUrl });
    const refProcessor = await startProcessor(ref);
    const refSensor = startSensor(ref);

    // The cluster run: the events stream's leader and the processor die mid-stream.
    const run = await newRun(clusterUrls, 3, "rescl");
    const jsm = await jetstreamManager(clusterNc);
    const stream = `VIGIL_EVENTS_${run.namespace}`;
    let processor = await startProcessor(run);
    expect((await jsm.streams.info(stream)).config.num_replicas).toBe(3);
    const sensor = startSensor(run);

    // Kill the stream's leader while the sensor is still publishing.
    for (let i = 0; i < 400 && (await jsm.streams.info(stream)).state.messages < EVENTS / 4; i++) await sleep(50);
    const leader = (await jsm.streams.info(stream)).cluster?.leader ?? "";
    const node = /-n(\d+)$/.exec(leader)?.[1];
    expect(node, `stream leader ${leader}`).toBeDefined();
    const nodePid = Number((await readFile(join(dir, "nats", `n${node}`, "nats.pid"), "utf8")).trim());
    expect(sensor.proc.exitCode, "the sensor finished before the node was killed").toBeNull();
    process.kill(nodePid, "SIGKILL");
    run.logs.push(`[test] ${stamp()} SIGKILL nats node ${leader} (pid ${nodePid})`);

    // Kill the processor once it has worked through part of the stream but not all of it.
    for (let i = 0; i < 1200; i++) {
      const ci = await jsm.consumers.info(stream, DURABLE).catch(() => undefined);
      if (ci && ci.delivered.stream_seq >= EVENTS / 3) break;
      await sleep(100);
    }
    const before = await jsm.consumers.info(stream, DURABLE);
    expect(before.ack_floor.stream_seq, "the processor was killed after it finished").toBeLessThan(EVENTS);
    processor.proc.kill("SIGKILL");
    await processor.exited;
    run.logs.push(
      `[test] ${stamp()} SIGKILL processor at delivered ${before.delivered.stream_seq}, ack floor ${before.ack_floor.stream_seq}`,
    );

    // Bring both back; the node rejoins and catches up, the processor resumes from its snapshot.
    cluster("up", "3");
    processor = await startProcessor(run);
    expect(await sensor.exited, run.logs.join("\n")).toBe(0);
    // Unacked deliveries of the killed processor come back after the ack wait (30 s in `vigil processor`).
    run.logs.push(`[test] ${stamp()} node and processor restarted`);
    await drained(jsm, run, 240_000);
    run.logs.push(`[test] ${stamp()} cluster run drained`);
    processor.proc.kill("SIGTERM");
    await processor.exited;

    expect(await refSensor.exited, ref.logs.join("\n")).toBe(0);
    try {
      await drained(await jetstreamManager(refNc), ref, 180_000);
    } finally {
      await refNc.close();
    }
    refProcessor.proc.kill("SIGTERM");
    await refProcessor.exited;
    run.logs.push(`[test] ${stamp()} reference run drained`);
    const want = await outcome(store, graph, ref.tenant);
    // The file's attacks all surface, so the comparison below is about something.
    // Three rogue accounts, each with one DCSync alert that aggregates all of its DCSyncs.
    expect(want.alerts.filter((a) => a.startsWith("dcsync "))).toHaveLength(3);
    expect(want.alerts.filter((a) => a.startsWith("brute-force ")).length).toBeGreaterThanOrEqual(expected.bursts);
    expect(want.graph.edges.HAS_SESSION).toBeGreaterThan(0);

    const got = await outcome(store, graph, run.tenant);
    // Soft, so a failure reports both the alert and the graph difference.
    expect.soft(got.graph).toEqual(want.graph);
    expect.soft(got.alerts).toEqual(want.alerts);
    console.log(
      `[cluster-resilience] ${want.alerts.length} alerts; timeline:\n${run.logs.filter((l) => l.startsWith("[test]")).join("\n")}`,
    );
  }, 600_000);
});
