// `vigil processor` as a real process on the real services, SIGKILLed mid-stream and started again:
// the final alerts equal those of one uninterrupted pass and no alert is announced as created twice.
//
// The CLI has no setting for a bus namespace, so it runs on the default streams. To see only this
// run's events, the test creates the durable consumer itself (deliver policy "new") before the CLI
// resumes it under the same name; tenant ids are unique.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { AckPolicy, DeliverPolicy, jetstreamManager, type JetStreamManager } from "@nats-io/jetstream";
import { connect, nanos, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, expect, it } from "vitest";
import { openRelationalStore, type RelationalStore } from "@vigil/db";
import { connectJetStreamBus, EVENTS_STREAM, type JetStreamEventBus } from "@vigil/sensor/bus";
import { testServices, uniqueTenantId } from "../../../test-support/services.ts";
import {
  createSensor,
  createTenant,
  createdCounts,
  expectedAlerts,
  listenAlerts,
  publishSigned,
  scenario,
  storedAlerts,
  waitFor,
} from "./test-harness.ts";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const durable = uniqueTenantId("kill").replace(/[^A-Za-z0-9_-]/g, "_");
let store: RelationalStore;
let bus: JetStreamEventBus;
let nc: NatsConnection;
let jsm: JetStreamManager;
let dataDir: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "vigil-kill-"));
  store = await openRelationalStore({ databaseUrl: testServices.postgresUrl });
  bus = await connectJetStreamBus({ servers: testServices.natsUrl });
  nc = await connect({ servers: testServices.natsUrl });
  jsm = await jetstreamManager(nc);
  await jsm.consumers.add(EVENTS_STREAM, {
    durable_name: durable,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.New,
    filter_subject: "vigil.events.>",
    ack_wait: nanos(30_000),
    max_deliver: -1,
    max_ack_pending: 1000,
  });
});

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  await jsm?.consumers.delete(EVENTS_STREAM, durable).catch(() => false);
  await nc?.close();
  await bus?.close();
  await store?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Starts `vigil processor`; resolves once it consumes. */
async function startProcessor(): Promise<{ child: ChildProcess; output: string[] }> {
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    DATABASE_URL: testServices.postgresUrl,
    NATS_URL: testServices.natsUrl,
    NEO4J_URI: testServices.neo4j.uri,
    NEO4J_USER: testServices.neo4j.user,
    NEO4J_PASSWORD: testServices.neo4j.password,
    VIGIL_DATA_DIR: dataDir,
    VIGIL_API_PORT: "0",
    VIGIL_PROCESSOR_NAME: durable,
    // The single-durable mode this test is about (snapshot file); partitioned take-over is e2e/cluster-resilience-partitions.
    VIGIL_PARTITIONS: "0",
  };
  const child = spawn(process.execPath, [join(root, "cli/bin/vigil.js"), "processor"], {
    cwd: root,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  const output: string[] = [];
  child.stderr!.on("data", (d: Buffer) => output.push(...d.toString().split("\n").filter(Boolean)));
  child.stdout!.on("data", (d: Buffer) => output.push(d.toString()));
  await waitFor(
    `vigil processor to start (output: ${output.join(" | ")})`,
    () => {
      if (child.exitCode !== null) throw new Error(`vigil processor exited ${child.exitCode}: ${output.join("\n")}`);
      return output.some((l) => l.includes("consuming vigil.events.>"));
    },
    60_000,
  );
  return { child, output };
}

const consumerInfo = () => jsm.consumers.info(EVENTS_STREAM, durable);

it("a SIGKILLed processor's successor ends with the alerts of an uninterrupted run, each announced created once", async () => {
  const tenant = uniqueTenantId("kill");
  await createTenant(store, tenant);
  const sensor = await createSensor(store, tenant);
  const events = scenario(tenant, sensor.id, 300, 10_000);
  const alerts = await listenAlerts(bus, tenant);

  const first = await startProcessor();
  for (const e of events) await publishSigned(bus, sensor, e);
  // Mid-stream: alerts exist, some messages are delivered but unacked, others not yet delivered.
  await waitFor(
    "the first processor to be well into the stream",
    async () => {
      const info = await consumerInfo();
      const rows = await store.forTenant(tenant).alert.count();
      return rows > 0 && info.delivered.consumer_seq >= 40 && info.num_ack_pending > 0 && info.num_pending > 0;
    },
    60_000,
  );
  first.child.kill("SIGKILL");
  await new Promise((r) => first.child.once("exit", r));
  const atKill = await consumerInfo();
  expect(atKill.num_ack_pending).toBeGreaterThan(0);
  expect(atKill.num_pending).toBeGreaterThan(0);

  const second = await startProcessor();
  // Unacked messages come back after the 30 s ack wait.
  await waitFor(
    "every event acked",
    async () => {
      const info = await consumerInfo();
      return info.num_pending === 0 && info.num_ack_pending === 0;
    },
    120_000,
  );
  expect(await storedAlerts(store, tenant)).toEqual(expectedAlerts(events));
  await new Promise((r) => setTimeout(r, 300));
  const created = createdCounts(alerts.items);
  expect(created.size).toBe(3);
  expect([...created.values()]).toEqual([1, 1, 1]);
  expect(second.output.some((l) => l.includes("restored engine state from"))).toBe(true);

  second.child.kill("SIGTERM");
  const code = await new Promise((r) => second.child.once("exit", r));
  expect(code).toBe(0);
  expect(second.output.some((l) => l.includes("processor: drained;"))).toBe(true);
  alerts.stop();
}, 240_000);
