/**
 * Operator mode from the command line: `vigil nats-init` writes keys and a config, a real nats-server
 * runs it, and `vigil sensor` publishes with the credentials the API would issue (VIGIL_NATS_CREDS).
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { connectJetStreamBus, issueSensorCreds, parseNatsIssuer, type JetStreamEventBus } from "@vigil/sensor/bus";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../../sensor/src/runtime/nats-server.fixture.ts";
import { uniqueTenantId } from "../../../test-support/services.ts";

const VIGIL = fileURLToPath(new URL("../../bin/vigil.js", import.meta.url));
const run = promisify(execFile);
const NS = "http://schemas.microsoft.com/win/2004/08/events/event";

function logonXml(record: number): string {
  const data = {
    TargetUserSid: `S-1-5-21-1-2-3-${1100 + record}`,
    TargetUserName: `user${record}`,
    TargetDomainName: "ACME",
    LogonType: 3,
    IpAddress: "10.0.0.7",
  };
  return (
    `<Event xmlns="${NS}"><System><Provider Name="Microsoft-Windows-Security-Auditing"/><EventID>4624</EventID>` +
    `<TimeCreated SystemTime="2027-01-01T00:00:0${record}Z"/><EventRecordID>${record}</EventRecordID><Channel>Security</Channel>` +
    `<Computer>DC01.acme.local</Computer></System><EventData>${Object.entries(data)
      .map(([k, v]) => `<Data Name="${k}">${v}</Data>`)
      .join("")}</EventData></Event>`
  );
}

describe("vigil nats-init and vigil sensor with a creds file", () => {
  const dir = resolve(".vigil", "test-nats-init", uniqueTenantId("cli"));
  const tenant = uniqueTenantId("creds");
  let nats: ChildProcess | undefined;
  let url = "";
  let processor: JetStreamEventBus | undefined;

  beforeAll(async () => {
    await mkdir(dir, { recursive: true });
    const port = await freePort();
    url = `nats://127.0.0.1:${port}`;
    const init = await run(process.execPath, [VIGIL, "nats-init", join(dir, "nats"), "--port", String(port)], {
      env: { PATH: process.env.PATH },
    });
    expect(init.stdout).toContain(`VIGIL_NATS_CREDS=${join(dir, "nats", "processor.creds")}`);
    nats = spawn("nats-server", ["-c", join(dir, "nats", "nats.conf")], { stdio: ["ignore", "ignore", "pipe"] });
    let log = "";
    await new Promise<void>((done, fail) => {
      const timer = setTimeout(() => fail(new Error(`nats-server did not start:\n${log}`)), 15_000);
      nats!.stderr!.on("data", (d: Buffer) => {
        log += d.toString();
        if (log.includes("Server is ready")) {
          clearTimeout(timer);
          done();
        }
      });
    });
    processor = await connectJetStreamBus({ servers: url, creds: await readFile(join(dir, "nats", "processor.creds"), "utf8") });
  }, 60_000);
  afterAll(async () => {
    await processor?.close();
    if (nats && nats.exitCode === null) {
      const exited = once(nats, "exit");
      nats.kill("SIGTERM");
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  });

  it("keeps the secrets private and refuses to overwrite them", async () => {
    for (const f of ["issuer.json", "processor.creds", "api.creds"]) expect((await stat(join(dir, "nats", f))).mode & 0o077).toBe(0);
    const again = await run(process.execPath, [VIGIL, "nats-init", join(dir, "nats")], { env: { PATH: process.env.PATH } }).catch(
      (e: unknown) => e,
    );
    expect(again).toMatchObject({ code: 1, stderr: expect.stringContaining("not overwriting") as string });
  });

  it("publishes a sensor's events with its creds file; a broken creds file stops it with exit 78", async () => {
    // The account JWT carries the partition mapping (VIGIL_PARTITIONS, 64 by default).
    expect(await processor!.partitionMapping()).toEqual({ count: 64 });
    const issuer = parseNatsIssuer(await readFile(join(dir, "nats", "issuer.json"), "utf8"));
    const { creds } = await issueSensorCreds(issuer, { tenantId: tenant, sensorId: "dc01", keyHash: "f".repeat(64) });
    await writeFile(join(dir, "dc01.creds"), creds, { mode: 0o600 });
    await writeFile(join(dir, "logons.xml"), [1, 2, 3].map(logonXml).join("\n") + "\n");
    const env = {
      PATH: process.env.PATH,
      NATS_URL: url,
      VIGIL_NATS_CREDS: join(dir, "dc01.creds"),
      VIGIL_SENSOR_TENANT: tenant,
      VIGIL_SENSOR_ID: "dc01",
      VIGIL_SENSOR_KEY: "vgl_cli-test-key-0123456789abcdef",
      VIGIL_DATA_DIR: join(dir, "data"),
    };
    const sensor = await run(process.execPath, [VIGIL, "sensor", join(dir, "logons.xml")], { env });
    // The three logons and a heartbeat, none refused by the server's permissions.
    expect(sensor.stderr).toMatch(/3 events; 4 published, 0 spooled, .* 0 refused/);

    const subjects: string[] = [];
    const handle = await processor!.consume({
      durable: "cli-creds",
      filterSubject: `vigil.events.${tenant}.>`,
      maxDeliver: 3,
      ackWaitMs: 5000,
      maxInFlight: 10,
      handler: (m) => {
        subjects.push(m.subject);
      },
    });
    try {
      await expect.poll(() => subjects.length, { timeout: 10_000 }).toBe(4);
      expect(subjects.filter((s) => s.endsWith(".sensor.heartbeat"))).toHaveLength(1);
    } finally {
      await handle.stop();
    }

    await writeFile(join(dir, "broken.creds"), "not a creds file\n");
    const broken = await run(process.execPath, [VIGIL, "sensor", join(dir, "logons.xml")], {
      env: { ...env, VIGIL_NATS_CREDS: join(dir, "broken.creds") },
    }).catch((e: unknown) => e);
    expect(broken).toMatchObject({ code: 78, stderr: expect.stringContaining("is not a NATS user .creds file") as string });
  }, 60_000);
});
