import { execFile, spawn, type ChildProcess } from "node:child_process";
import { appendFile, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { connectJetStreamBus, JetStreamEventBus, type BusSubscription, type EventBus } from "@vigil/sensor/bus";
import { tenantEventsFilter, type VigilEvent } from "@vigil/sensor/contract";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testServices, uniqueTenantId } from "../../../test-support/services.ts";

/**
 * `vigil sensor --samba-audit DIR --radius 0` as a child process against the real nats-server:
 * a Samba audit line appended to the followed file and a real radclient Accounting-Request both
 * arrive on the tenant's JetStream subjects; the NAS gets its Accounting-Response.
 */
const VIGIL = fileURLToPath(new URL("../../bin/vigil.js", import.meta.url));
const SECRET = "int-test-radius-secret";

let dir: string;
let bus: EventBus;
let sensor: ChildProcess | undefined;
let log = "";
const tenant = uniqueTenantId("samba");
const namespace = uniqueTenantId("ns");

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "vigil-sensor-sources-"));
  bus = await connectJetStreamBus({ servers: [testServices.natsUrl], name: "sensor-sources-int", namespace });
});
afterAll(async () => {
  sensor?.kill("SIGTERM");
  // The namespace's streams are this run's own; leave the shared server as it was.
  if (bus instanceof JetStreamEventBus) await bus.dropStreams();
  await bus.close();
  await rm(dir, { recursive: true, force: true });
});

async function next(sub: BusSubscription, want: (e: VigilEvent) => boolean, ms = 15_000): Promise<VigilEvent> {
  const iterator = sub[Symbol.asyncIterator]();
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const result = await Promise.race([
      iterator.next(),
      new Promise<undefined>((r) => setTimeout(() => r(undefined), deadline - Date.now())),
    ]);
    if (!result || result.done) break;
    const event = result.value.json<VigilEvent>();
    if (want(event)) return event;
  }
  throw new Error(`no matching event within ${ms} ms; sensor log:\n${log}`);
}

describe("vigil sensor --samba-audit / --radius", () => {
  it("follows the Samba log and serves RADIUS accounting, publishing both to the tenant's subjects", async () => {
    const auth = join(dir, "auth.json.log");
    await writeFile(auth, "");
    const sub = await bus.subscribe(tenantEventsFilter(tenant));
    sensor = spawn(process.execPath, [VIGIL, "sensor", "--samba-audit", dir, "--samba-dc", "dc1.corp.lab", "--radius", "0"], {
      env: {
        PATH: process.env.PATH,
        NATS_URL: testServices.natsUrl,
        VIGIL_BUS_NAMESPACE: namespace,
        VIGIL_SENSOR_TENANT: tenant,
        VIGIL_SENSOR_ID: "samba-dc1",
        VIGIL_SENSOR_KEY: "vgl_int-test-key-0123456789",
        VIGIL_DATA_DIR: dir,
        VIGIL_RADIUS_SECRET: SECRET,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    sensor.stderr!.on("data", (d: Buffer) => (log += d.toString()));
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`sensor did not start:\n${log}`)), 20_000);
      sensor!.stderr!.on("data", () => {
        const m = /listening on UDP (\d+)/.exec(log);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      });
    });

    await appendFile(
      auth,
      `[2026/11/25 17:02:01.573481,  3] ../../auth/auth_log.c:178(log_json)\n  JSON Authentication: ${JSON.stringify({
        timestamp: "2026-11-25T17:01:32.549884+0000",
        type: "Authentication",
        Authentication: {
          eventId: 4625,
          logonType: 3,
          status: "NT_STATUS_WRONG_PASSWORD",
          remoteAddress: "ipv4:10.99.0.66:50966",
          serviceDescription: "SMB2",
          authDescription: "NTLMSSP",
          clientDomain: "CORP",
          clientAccount: "alice",
          workstation: "ATK01",
        },
      })}\n`,
    );
    const logon = await next(sub, (e) => e.kind === "logon");
    expect(logon).toMatchObject({
      tenantId: tenant,
      sensorId: "samba-dc1",
      success: false,
      status: 0xc000006a,
      dc: "dc1.corp.lab",
      origin: { format: "samba-json" },
    });

    const reply = await new Promise<string>((resolve) => {
      const child = execFile("radclient", ["-x", "-r", "2", "-t", "3", `127.0.0.1:${port}`, "acct", SECRET], (_e, out, err) =>
        resolve(out + err),
      );
      child.stdin!.end(
        'User-Name = "CORP\\\\alice", Acct-Status-Type = Start, Acct-Session-Id = "vpn-1", Calling-Station-Id = "203.0.113.7", NAS-IP-Address = 192.0.2.1\n',
      );
    });
    expect(reply).toMatch(/Received Accounting-Response/);
    const session = await next(sub, (e) => e.kind === "radius.accounting");
    expect(session).toMatchObject({
      tenantId: tenant,
      statusType: "start",
      sessionId: "vpn-1",
      userName: "CORP\\alice",
      actor: { name: "alice", domain: "CORP" },
    });
    sub.unsubscribe();

    sensor.kill("SIGTERM");
    const code = await new Promise((resolve) => sensor!.on("exit", resolve));
    expect(code, log).toBe(0);
    expect(log).toMatch(/stopped: .*2 events/);
  });
});
