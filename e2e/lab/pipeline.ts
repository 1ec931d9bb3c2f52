/**
 * The lab's capture and audit logs through the real service path: `vigil sensor --pcap … --keytab …
 * --samba-audit …` (a child process) → NATS JetStream → the stream processor → PostgreSQL (alerts),
 * for one fresh tenant; a second tenant must end up with nothing.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openRelationalStore } from "@vigil/db";
import { createNeo4jGraph } from "@vigil/graph-model";
import { connectJetStreamBus } from "@vigil/sensor/bus";
import { sensorKeyHash, tenantEventsFilter } from "@vigil/sensor/contract";
import { createProcessor } from "@vigil/stream-processor";
import { testServices, uniqueTenantId } from "../../test-support/services.ts";
import type { LabAlert } from "./manifest.ts";

/** What the pipeline stored: the tenant's alerts, how many the other tenant got (must be 0), the sensor's log. */
export interface PipelineResult {
  alerts: LabAlert[];
  otherTenantAlerts: number;
  sensorLog: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs the sensor over the lab's output folder and waits until the processor has stored every alert. */
export async function runLabThroughPipeline(opts: { bin: string; out: string; path: string }): Promise<PipelineResult> {
  const tenant = uniqueTenantId("lab");
  const other = uniqueTenantId("labx");
  const sensorId = `${tenant}-dc1`;
  const sensorKey = `vgl_${randomBytes(32).toString("base64url")}`;
  const dataDir = await mkdtemp(join(tmpdir(), "vigil-lab-"));
  const store = await openRelationalStore({ databaseUrl: testServices.postgresUrl });
  const bus = await connectJetStreamBus({ servers: testServices.natsUrl });
  const graph = createNeo4jGraph({ ...testServices.neo4j });
  const processor = createProcessor({
    bus,
    store,
    graph,
    consumerName: `lab-${tenant}`,
    filterSubject: tenantEventsFilter(tenant),
    snapshotFile: join(dataDir, "processor.snapshot.json"),
    maxDeliver: 5,
    ackWaitMs: 30_000,
    log: () => {},
  });
  try {
    await graph.ensureSchema();
    for (const id of [tenant, other]) await store.prisma.tenant.create({ data: { id, name: id } });
    await store.forTenant(tenant).sensor.create({
      data: {
        id: sensorId,
        tenantId: tenant,
        name: "dc1",
        kind: "dc",
        keyHash: sensorKeyHash(sensorKey),
        keyPrefix: sensorKey.slice(0, 12),
      },
    });
    await processor.start();
    const args = ["sensor", "--pcap", join(opts.out, "lab.pcapng"), "--keytab", join(opts.out, "lab.keytab")];
    const sensor = spawn(process.execPath, [opts.bin, ...args, "--samba-audit", join(opts.out, "samba")], {
      env: {
        PATH: opts.path,
        NATS_URL: testServices.natsUrl,
        VIGIL_DATA_DIR: dataDir,
        VIGIL_SENSOR_TENANT: tenant,
        VIGIL_SENSOR_ID: sensorId,
        VIGIL_SENSOR_KEY: sensorKey,
      },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let sensorLog = "";
    sensor.stderr.on("data", (d: Buffer) => (sensorLog += d.toString()));
    const exited = new Promise<number | null>((resolve) => sensor.on("exit", resolve));

    // --samba-audit follows the audit files as a live DC's sensor does, so the sensor never ends on
    // its own, and the processor has no "caught up" signal for one tenant: wait until the stored
    // alerts stop changing (the lab's ~160 events take a few seconds), then stop the sensor.
    const read = () => store.forTenant(tenant).alert.findMany({ where: { tenantId: tenant } });
    let rows = await read();
    let fingerprint = "";
    for (let stable = 0, i = 0; stable < 10 && i < 240; i++) {
      await sleep(500);
      rows = await read();
      const next = rows.map((a) => `${a.id} ${a.lastSeen.toISOString()} ${a.count}`).join("\n");
      stable = next === fingerprint && rows.length > 0 ? stable + 1 : 0;
      fingerprint = next;
    }
    sensor.kill("SIGTERM");
    const code = await exited;
    if (code !== 0) throw new Error(`vigil sensor exited ${String(code)}:\n${sensorLog}`);
    const alerts = rows.map((a) => ({
      type: a.detectionId,
      firstSeen: a.firstSeen.toISOString(),
      lastSeen: a.lastSeen.toISOString(),
      evidenceCount: a.count,
      entities: a.entities as LabAlert["entities"],
    }));
    const otherTenantAlerts = await store.forTenant(other).alert.count({ where: { tenantId: other } });
    return { alerts, otherTenantAlerts, sensorLog };
  } finally {
    await processor.stop().catch(() => {});
    for (const id of [tenant, other]) await store.prisma.tenant.delete({ where: { id } }).catch(() => {});
    await Promise.allSettled([store.close(), bus.close(), graph.close()]);
    await rm(dataDir, { recursive: true, force: true });
  }
}
