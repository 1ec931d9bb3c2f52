/**
 * Processor scale-out: events/s with 1, 2 and 3 `vigil processor` PROCESSES sharing the partitions of
 * one stream (real NATS JetStream with the partition mapping, PostgreSQL, Neo4j), and the CPU seconds
 * each process used, so the scaling per core is visible. Many tenants, so the partitions spread.
 * Per run: a fresh bus namespace; the processors start and settle their leases; then the signed
 * events of every tenant are published at once, and the clock runs from the first publish until every
 * partition durable has nothing pending or unacked. The NATS server is this bench's own (services.sh on
 * private ports, VIGIL_PARTITIONS=16), so the shared server's configuration does not matter.
 *   node --import tsx bench/processor-scaling.ts [tenants] [eventsPerTenant]
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jetstreamManager } from "@nats-io/jetstream";
import { openRelationalStore } from "@vigil/db";
import { connectJetStreamBus, openJetStreamPartitionStore, type JetStreamEventBus } from "@vigil/sensor/bus";
import {
  eventSubject,
  finalizeEvent,
  SENSOR_HEADER,
  SIGNATURE_HEADER,
  sensorKeyHash,
  signEvent,
  type VigilEvent,
} from "@vigil/sensor/contract";
import { testServices, uniqueTenantId } from "../test-support/services.ts";

const TENANTS = Number(process.argv[2] ?? 120);
const PER_TENANT = Number(process.argv[3] ?? 20);
const P = 16;
const PORT = 4276;
const bin = new URL("../cli/bin/vigil.js", import.meta.url).pathname;
const services = new URL("../scripts/services.sh", import.meta.url).pathname;
const DOMAIN = "S-1-5-21-1111-2222-3333";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Ordinary Kerberos logons (each writes a session) and every 10th a DCSync, so alerts are written too. */
function event(tenantId: string, sensorId: string, i: number): VigilEvent {
  const common = {
    tenantId,
    sensorId,
    time: new Date(Date.parse("2026-01-01T08:00:00Z") + i * 1000).toISOString(),
    dc: "DC01.bench.local",
    origin: { format: "event-xml" as const, recordId: String(i), eventId: 4624, computer: "DC01.bench.local" },
  };
  if (i % 10 === 9) {
    return finalizeEvent({
      ...common,
      kind: "replication",
      origin: { ...common.origin, eventId: 4662 },
      actor: { sid: `${DOMAIN}-${20_000 + i}`, name: `attacker${i}`, domain: "BENCH" },
      rights: ["1131f6ad-9c07-11d1-f79f-00c04fc2dcd2"],
    });
  }
  const user = i % 50;
  return finalizeEvent({
    ...common,
    kind: "logon",
    success: true,
    logonType: 3,
    package: "Kerberos",
    actor: { sid: `${DOMAIN}-${10_000 + user}`, name: `user${user}`, domain: "BENCH" },
    src: { ip: `10.1.${user}.${(i % 200) + 1}`, host: `WKS${user}` },
  });
}

/** utime + stime of a process, in seconds (Linux /proc). */
async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100; // clock ticks; 100/s on Linux
}

const dir = await mkdtemp(join(tmpdir(), "vigil-scaling-"));
const natsEnv = {
  ...process.env,
  VIGIL_SERVICES_DIR: join(dir, "nats"),
  VIGIL_NATS_PORT: String(PORT),
  VIGIL_NATS_MONITOR_PORT: String(PORT + 4000),
  VIGIL_PARTITIONS: String(P),
};
execFileSync("bash", [services, "up", "nats"], { env: natsEnv, stdio: ["ignore", "ignore", "inherit"] });
const natsUrl = `nats://127.0.0.1:${PORT}`;
const store = await openRelationalStore({ databaseUrl: testServices.postgresUrl });
const tenants: { id: string; sensorId: string; keyHash: string }[] = [];
const children = new Set<ChildProcess>();
try {
  for (let t = 0; t < TENANTS; t++) {
    const id = uniqueTenantId("scale");
    const key = `vgl_${randomBytes(32).toString("base64url")}`;
    await store.prisma.tenant.create({ data: { id, name: id } });
    await store.forTenant(id).sensor.create({
      data: { id: `${id}-dc`, tenantId: id, name: "dc01", kind: "dc", keyHash: sensorKeyHash(key), keyPrefix: key.slice(0, 12) },
    });
    tenants.push({ id, sensorId: `${id}-dc`, keyHash: sensorKeyHash(key) });
  }
  const total = TENANTS * PER_TENANT;
  console.log(
    `processor scaling: ${TENANTS} tenants × ${PER_TENANT} events = ${total} events, ${P} partitions, real NATS + PostgreSQL + Neo4j`,
  );
  console.log(`  (machine: 2 cores shared with the database servers and this driver; figures measured while other work ran are noisy)`);
  for (const n of [1, 2, 3]) {
    const ns = uniqueTenantId("scale");
    const bus = (await connectJetStreamBus({ servers: natsUrl, namespace: ns })) as JetStreamEventBus;
    const procs: ChildProcess[] = [];
    for (let i = 0; i < n; i++) {
      const proc = spawn(process.execPath, [bin, "processor"], {
        env: {
          PATH: process.env.PATH,
          NATS_URL: natsUrl,
          VIGIL_BUS_NAMESPACE: ns,
          VIGIL_DATA_DIR: join(dir, `${ns}-${i}`),
          DATABASE_URL: testServices.postgresUrl,
          NEO4J_URI: testServices.neo4j.uri,
          NEO4J_USER: testServices.neo4j.user,
          NEO4J_PASSWORD: testServices.neo4j.password,
          VIGIL_API_PORT: "0",
          VIGIL_PARTITIONS: String(P),
          VIGIL_PROCESSOR_INSTANCE: `bench-${i}`,
        },
        // Their progress lines would drown the figures; a failing processor shows as a run that never drains.
        stdio: "ignore",
      });
      children.add(proc);
      procs.push(proc);
    }
    // Settled: every partition leased, each instance at its share.
    const leases = await openJetStreamPartitionStore(bus, { leaseTtlMs: 6000 });
    for (let i = 0; i < 240; i++) {
      const owners = await leases.owners().catch(() => new Map<number, string>());
      const counts = [...owners.values()].reduce((m, o) => m.set(o, (m.get(o) ?? 0) + 1), new Map<string, number>());
      if (owners.size === P && counts.size === n && [...counts.values()].every((c) => c <= Math.ceil(P / n))) break;
      await sleep(500);
    }
    const cpu0 = await Promise.all(procs.map((p) => cpuSeconds(p.pid!)));
    const t0 = performance.now();
    const sends: Promise<unknown>[] = [];
    for (let i = 0; i < PER_TENANT; i++) {
      for (const t of tenants) {
        const e = event(t.id, t.sensorId, i);
        const subject = eventSubject(t.id, e.kind);
        const payload = JSON.stringify(e);
        sends.push(
          bus.publish(subject, payload, {
            msgId: e.id,
            headers: { [SENSOR_HEADER]: t.sensorId, [SIGNATURE_HEADER]: signEvent(t.keyHash, subject, e.id, payload) },
          }),
        );
        if (sends.length >= 500) await Promise.all(sends.splice(0));
      }
    }
    await Promise.all(sends);
    const jsm = await jetstreamManager(bus.connection);
    const stream = bus.layout.eventsStream;
    for (const until = Date.now() + 600_000; ;) {
      if (Date.now() > until) throw new Error(`${n} processor(s) did not drain the stream within 10 minutes`);
      const cis = await Promise.all(
        Array.from({ length: P }, (_, p) => jsm.consumers.info(stream, `processor-p${p}`).catch(() => undefined)),
      );
      if (cis.every((c) => c && c.num_pending === 0 && c.num_ack_pending === 0)) break;
      await sleep(200);
    }
    const seconds = (performance.now() - t0) / 1000;
    const cpu = await Promise.all(procs.map(async (p, i) => (await cpuSeconds(p.pid!)) - cpu0[i]!));
    const cpuTotal = cpu.reduce((a, b) => a + b, 0);
    console.log(
      `  ${n} processor${n > 1 ? "s" : " "}  ${Math.round(total / seconds)} events/s (${seconds.toFixed(1)} s)   CPU s per process: ${cpu.map((c) => c.toFixed(1)).join(" / ")}   events per CPU-second: ${Math.round(total / cpuTotal)}`,
    );
    for (const p of procs) p.kill("SIGTERM");
    await Promise.all(procs.map((p) => new Promise((r) => (p.exitCode !== null ? r(null) : p.once("exit", r)))));
    await bus.dropStreams();
    await bus.dropPartitionBuckets();
    await bus.close();
  }
} finally {
  for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
  for (const t of tenants) await store.prisma.tenant.delete({ where: { id: t.id } }).catch(() => {});
  await store.close();
  execFileSync("bash", [services, "down", "nats"], { env: natsEnv, stdio: ["ignore", "ignore", "inherit"] });
  await rm(dir, { recursive: true, force: true });
}
