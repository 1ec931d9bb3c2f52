/**
 * `vigil ldap-sync --once` end to end: the real Samba AD DC → the sync → the signing publisher → the
 * real nats-server, read back with a durable consumer. A second run publishes only what changed.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connectJetStreamBus, type EventBus } from "@vigil/sensor/bus";
import type { EventOf, VigilEvent } from "@vigil/sensor/contract";
import { Attribute, Change, Client } from "ldapts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testSamba } from "../../../test-support/samba.ts";
import { testServices, uniqueTenantId } from "../../../test-support/services.ts";
import { parseEnv } from "../env.ts";
import { runLdapSyncCommand } from "./ldap-sync.ts";

let dir: string;
let bus: EventBus;
const namespace = uniqueTenantId("ldapns").replace(/-/g, "_");
const tenant = uniqueTenantId("ldap");

async function runOnce(extraArgs: string[] = [], env: Record<string, string> = {}): Promise<string[]> {
  const lines: string[] = [];
  const running = await runLdapSyncCommand(
    {
      env: parseEnv({
        VIGIL_DATA_DIR: dir,
        NATS_URL: testServices.natsUrl,
        VIGIL_BUS_NAMESPACE: namespace,
        VIGIL_SENSOR_TENANT: tenant,
        VIGIL_SENSOR_ID: "ldap01",
        VIGIL_SENSOR_KEY: "vgl_test-key-0123456789",
        VIGIL_LDAP_URL: testSamba.url,
        VIGIL_LDAP_BIND_DN: testSamba.bindDn,
        VIGIL_LDAP_PASSWORD: testSamba.password,
        ...env,
      }),
      args: ["--once", ...extraArgs],
      log: (line) => void lines.push(line),
      out: () => undefined,
    },
    { heartbeatMs: 60_000, firstConnectWaitMs: 5000 },
  );
  await running.done?.catch(() => undefined);
  await running.stop();
  return lines;
}

/** Every entity.snapshot of the tenant on the bus so far, read by a fresh durable consumer. */
async function snapshotsOnBus(expected: number): Promise<EventOf<"entity.snapshot">[]> {
  const seen: EventOf<"entity.snapshot">[] = [];
  const consumer = await bus.consume({
    durable: `read_${Math.random().toString(36).slice(2, 10)}`,
    // The whole tenant: a server with the partition mapping stores `<tenant>.<partition>.entity.snapshot`.
    filterSubject: `vigil.events.${tenant}.>`,
    maxDeliver: 3,
    ackWaitMs: 10_000,
    maxInFlight: 64,
    handler: async (msg) => {
      const event = msg.json<VigilEvent>();
      if (event.kind === "entity.snapshot") seen.push(event);
      await msg.ack();
    },
  });
  const until = Date.now() + 15_000;
  while (seen.length < expected && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
  // A little longer, so extra (unexpected) messages would be counted too.
  await new Promise((r) => setTimeout(r, 500));
  await consumer.stop();
  return seen;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "vigil-ldap-cmd-"));
  bus = await connectJetStreamBus({ servers: testServices.natsUrl, namespace });
});
afterAll(async () => {
  await bus?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("vigil ldap-sync", () => {
  it("publishes a full sync, then only the changes, signed for the tenant", async () => {
    const first = await runOnce();
    const summary = first.find((l) => l.startsWith("full sync of"));
    expect(summary, first.join("\n")).toBeDefined();
    const count = Number(/: (\d+) snapshots/.exec(summary!)![1]);
    expect(count).toBeGreaterThan(20);
    const published = await snapshotsOnBus(count);
    expect(published).toHaveLength(count);
    expect(new Set(published.map((e) => e.tenantId))).toEqual(new Set([tenant]));
    expect(published.find((e) => e.entity.name === "carol")?.entity.attributes.userAccountControlFlags).toContain("DONT_REQ_PREAUTH");

    const admin = new Client({ url: testSamba.url });
    await admin.bind(testSamba.bindDn, testSamba.password);
    const note = `cli ${tenant}`;
    await admin.modify(
      `CN=eve,OU=Staff,${testSamba.baseDn}`,
      new Change({ operation: "replace", modification: new Attribute({ type: "description", values: [note] }) }),
    );
    await admin.unbind();

    const second = await runOnce();
    const incremental = second.find((l) => l.startsWith("incremental sync of"));
    expect(incremental, second.join("\n")).toBeDefined();
    // Only changes (other suites may touch a few objects of the same DC meanwhile), not a second full read.
    const changed = Number(/: (\d+) snapshots/.exec(incremental!)![1]);
    expect(changed).toBeGreaterThanOrEqual(1);
    expect(changed).toBeLessThan(15);
    const all = await snapshotsOnBus(count + changed);
    // At most: an object version both runs read (changed while the first ran) has one event id, and the bus keeps one.
    expect(all.length).toBeGreaterThan(count);
    expect(all.length).toBeLessThanOrEqual(count + changed);
    const eve = all.filter((e) => e.entity.name === "eve");
    expect(eve.map((e) => e.entity.attributes.description)).toContain(note);
  });

  it("logs a coded error for a wrong password and publishes nothing", async () => {
    const lines = await runOnce([], { VIGIL_SENSOR_TENANT: `${tenant}x`, VIGIL_LDAP_PASSWORD: "not-the-password" });
    expect(lines.some((l) => l.startsWith("sync failed: LDAP_BAD_CREDENTIALS"))).toBe(true);
    expect(lines.join("\n")).not.toContain("not-the-password");
  });
});
