import { spawn } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildPcap, dnsMessage, ldapBindResponse, ldapSimpleBind } from "../../../sensor/src/network/fixtures/pcap-writer.ts";
import { connectJetStreamBus, JetStreamEventBus, type EventBus } from "@vigil/sensor/bus";
import { tenantEventsFilter, type VigilEvent } from "@vigil/sensor/contract";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testServices, uniqueTenantId } from "../../../test-support/services.ts";

/**
 * `vigil sensor --pcap DIR` as a child process against the real nats-server and the real tshark:
 * every event of a capture written here arrives on the tenant's subjects; a file in the directory
 * that is not a capture is reported, and the run still finishes.
 */
const VIGIL = fileURLToPath(new URL("../../bin/vigil.js", import.meta.url));
let dir: string;
let bus: EventBus;
const tenant = uniqueTenantId("pcap");
const namespace = uniqueTenantId("ns");

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "vigil-sensor-pcap-"));
  bus = await connectJetStreamBus({ servers: [testServices.natsUrl], name: "sensor-network-int", namespace });
});
afterAll(async () => {
  if (bus instanceof JetStreamEventBus) await bus.dropStreams();
  await bus.close();
  await rm(dir, { recursive: true, force: true });
});

describe("vigil sensor --pcap", () => {
  it("publishes the events of every capture in the directory and reports what is not one", async () => {
    const captures = join(dir, "captures");
    await mkdir(captures);
    await writeFile(
      join(captures, "a.pcap"),
      buildPcap([
        {
          time: 1700000000.1,
          src: "10.0.0.66",
          dst: "10.0.0.10",
          sport: 40000,
          dport: 53,
          proto: "udp",
          payload: dnsMessage(7, "corp.lab", 252),
        },
        {
          time: 1700000000.2,
          src: "10.0.0.10",
          dst: "10.0.0.66",
          sport: 53,
          dport: 40000,
          proto: "udp",
          payload: dnsMessage(7, "corp.lab", 252, { rcode: 5 }),
        },
        {
          time: 1700000001.0,
          src: "10.0.0.66",
          dst: "10.0.0.10",
          sport: 40001,
          dport: 389,
          proto: "tcp",
          payload: ldapSimpleBind(1, "eve@corp.lab", "pw"),
        },
        {
          time: 1700000001.1,
          src: "10.0.0.10",
          dst: "10.0.0.66",
          sport: 389,
          dport: 40001,
          proto: "tcp",
          payload: ldapBindResponse(1, 49),
        },
      ]),
    );
    await writeFile(join(captures, "readme.txt"), "not a capture");
    const sub = await bus.subscribe(tenantEventsFilter(tenant));
    let log = "";
    const sensor = spawn(process.execPath, [VIGIL, "sensor", "--pcap", captures], {
      env: {
        PATH: process.env.PATH,
        NATS_URL: testServices.natsUrl,
        VIGIL_BUS_NAMESPACE: namespace,
        VIGIL_SENSOR_TENANT: tenant,
        VIGIL_SENSOR_ID: "net-1",
        VIGIL_SENSOR_KEY: "vgl_int-test-key-0123456789",
        VIGIL_DATA_DIR: dir,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    sensor.stderr.on("data", (d: Buffer) => (log += d.toString()));
    const code = await new Promise<number | null>((resolve) => sensor.on("close", resolve));
    expect(code, log).toBe(0);
    expect(log).toMatch(/readme\.txt.*not a pcap/);
    expect(log).toMatch(/finished: 4 records read, 2 events; \d+ published/);

    const kinds: string[] = [];
    const iterator = sub[Symbol.asyncIterator]();
    const deadline = Date.now() + 15_000;
    while (kinds.length < 2 && Date.now() < deadline) {
      const r = await Promise.race([
        iterator.next(),
        new Promise<undefined>((res) => setTimeout(() => res(undefined), deadline - Date.now())),
      ]);
      if (!r || r.done) break;
      const event = r.value.json<VigilEvent>();
      if (event.origin.format === "pcap") kinds.push(event.kind);
    }
    expect(kinds.sort()).toEqual(["dns.query", "ldap.bind"]);
  }, 60_000);
});
