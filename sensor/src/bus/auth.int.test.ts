/**
 * Per-sensor NATS permissions on a real nats-server in operator mode, with every key and JWT made by
 * Vigil's own code (createOperatorSetup, issueSensorCreds, revokeNatsUsers).
 */
import { jetstreamManager } from "@nats-io/jetstream";
import { connect, credsAuthenticator, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { uniqueTenantId } from "../../../test-support/services.ts";
import { issueSensorCreds, sensorUserPublicKey, type SensorKeyRef } from "./auth-issuer.ts";
import { quotaSubject } from "../contract/ingest-quota.ts";
import { sensorInboxPrefix } from "./auth-permissions.ts";
import { readNatsRevocations, revokeNatsUsers } from "./auth-revoke.ts";
import { OperatorNatsServer } from "./auth-server.fixture.ts";
import { connectJetStreamBus, type JetStreamEventBus } from "./jetstream.ts";
import { partitionOf } from "./partitions.ts";
import type { BusMessage } from "./port.ts";

const creds = (text: string) => credsAuthenticator(new TextEncoder().encode(text));

describe("NATS operator mode: sensors reach only their tenant's subjects", () => {
  let server: OperatorNatsServer;
  let processor: JetStreamEventBus;
  const [A, B] = [uniqueTenantId("auth-a"), uniqueTenantId("auth-b")];
  const sensorA: SensorKeyRef = { tenantId: A, sensorId: "dc01", keyHash: "a".repeat(64) };

  const sensorBus = async (ref: SensorKeyRef, text: string) =>
    connectJetStreamBus({
      servers: server.url,
      creds: text,
      inboxPrefix: sensorInboxPrefix(ref),
      publishOnly: true,
      publishTimeoutMs: 2000,
    });

  beforeAll(async () => {
    server = await OperatorNatsServer.start("perm");
    processor = await connectJetStreamBus({ servers: server.url, creds: server.setup.processorCreds, name: "processor" });
  }, 30_000);
  afterAll(async () => {
    await processor?.close();
    await server?.destroy();
  });

  it("refuses a client without credentials", async () => {
    await expect(connect({ servers: server.url, timeout: 2000 })).rejects.toThrow(/Authorization Violation/i);
  });

  it("stores its own tenant's events, refuses another tenant's subject with a reason, and keeps the connection", async () => {
    const issued = await issueSensorCreds(server.setup.issuer, sensorA);
    expect(issued.userPublicKey).toBe(sensorUserPublicKey(server.setup.issuer, sensorA));
    const bus = await sensorBus(sensorA, issued.creds);
    try {
      await bus.publish(`vigil.events.${A}.logon`, "{}", { msgId: "ok-1" });
      const refused = await bus.publish(`vigil.events.${B}.logon`, "{}", { msgId: "bad-1" }).catch((e: unknown) => e);
      expect(refused).toMatchObject({ code: "BUS_PUBLISH_FAILED" });
      expect(String((refused as Error).message)).toMatch(/permission/i);
      // The connection survived the violation: the next own-tenant publish is stored.
      await bus.publish(`vigil.events.${A}.sensor.heartbeat`, "{}", { msgId: "ok-2" });
      expect((await bus.health()).ok).toBe(true);
    } finally {
      await bus.close();
    }

    const seen: string[] = [];
    const handle = await processor.consume({
      durable: "perm-check",
      filterSubject: "vigil.events.>",
      maxDeliver: 3,
      ackWaitMs: 5000,
      maxInFlight: 10,
      handler: (m: BusMessage) => {
        seen.push(m.subject);
      },
    });
    try {
      await expect
        .poll(() => seen.slice().sort(), { timeout: 10_000 })
        .toEqual([`vigil.events.${A}.logon`, `vigil.events.${A}.sensor.heartbeat`]);
    } finally {
      await handle.stop();
    }
  });

  it("cannot manage streams, read the stream through the API, or listen on other inboxes", async () => {
    const { creds: text } = await issueSensorCreds(server.setup.issuer, { ...sensorA, sensorId: "dc02" });
    const errors: string[] = [];
    const nc: NatsConnection = await connect({
      servers: server.url,
      authenticator: creds(text),
      inboxPrefix: sensorInboxPrefix({ tenantId: A, sensorId: "dc02" }),
      timeout: 2000,
    });
    void (async () => {
      for await (const s of nc.status()) if (s.type === "error") errors.push(String(s.error));
    })();
    try {
      const jsm = await jetstreamManager(nc, { checkAPI: false, timeout: 1500 });
      await expect(jsm.streams.add({ name: "EVIL", subjects: ["evil.>"] })).rejects.toThrow();
      await expect(jsm.streams.delete(processor.layout.eventsStream)).rejects.toThrow();
      await expect(jsm.streams.info(processor.layout.eventsStream)).rejects.toThrow();
      // Subscribing where pull consumers deliver (the default inbox) is refused by the server.
      nc.subscribe("_INBOX.>");
      nc.subscribe(`vigil.events.${A}.>`);
      await nc.flush();
      await expect.poll(() => errors.join("\n"), { timeout: 5000 }).toMatch(/Permissions Violation for Subscription to "_INBOX\.>"/);
      await expect.poll(() => errors.join("\n"), { timeout: 5000 }).toContain(`Subscription to "vigil.events.${A}.>"`);
      expect(nc.isClosed()).toBe(false);
    } finally {
      await nc.close();
    }
    // The streams are intact.
    expect((await processor.health()).ok).toBe(true);
  });

  it("hears its own tenant's quota grants and is refused another tenant's", async () => {
    const ref = { ...sensorA, sensorId: "dc03" };
    const { creds: text } = await issueSensorCreds(server.setup.issuer, ref);
    const errors: string[] = [];
    const nc = await connect({ servers: server.url, authenticator: creds(text), inboxPrefix: sensorInboxPrefix(ref), timeout: 2000 });
    const announcer = await connect({ servers: server.url, authenticator: creds(server.setup.processorCreds), timeout: 2000 });
    void (async () => {
      for await (const s of nc.status()) if (s.type === "error") errors.push(String(s.error));
    })();
    try {
      const heard: string[] = [];
      const own = nc.subscribe(quotaSubject(A), { callback: (_e, m) => void heard.push(m.string()) });
      nc.subscribe(quotaSubject(B));
      await nc.flush();
      await expect.poll(() => errors.join("\n"), { timeout: 5000 }).toContain(`Subscription to "${quotaSubject(B)}"`);
      announcer.publish(quotaSubject(A), "grant-for-a");
      await expect.poll(() => heard, { timeout: 5000 }).toEqual(["grant-for-a"]);
      expect(own.isClosed()).toBe(false);
    } finally {
      await nc.close();
      await announcer.close();
    }
  });

  it("after revocation the sensor's connection is closed and it cannot connect again; other sensors carry on", async () => {
    const revoked: SensorKeyRef = { tenantId: A, sensorId: "dc03", keyHash: "b".repeat(64) };
    const other: SensorKeyRef = { tenantId: B, sensorId: "dc01", keyHash: "c".repeat(64) };
    const [r, o] = await Promise.all([issueSensorCreds(server.setup.issuer, revoked), issueSensorCreds(server.setup.issuer, other)]);
    const live = await connect({ servers: server.url, authenticator: creds(r.creds), timeout: 2000, reconnect: false });
    const otherBus = await sensorBus(other, o.creds);
    try {
      const closed = live.closed();
      await revokeNatsUsers({ servers: server.url, issuer: server.setup.issuer }, [r.userPublicKey]);
      await closed;
      expect(live.isClosed()).toBe(true);
      expect(await readNatsRevocations({ servers: server.url, issuer: server.setup.issuer })).toHaveProperty(r.userPublicKey);
      await expect(connect({ servers: server.url, authenticator: creds(r.creds), timeout: 2000 })).rejects.toThrow(
        /Authorization Violation/i,
      );
      await otherBus.publish(`vigil.events.${B}.logon`, "{}", { msgId: "other-1" });
      // Revoking again is a no-op, and a restarted server still refuses (the resolver kept the update).
      await revokeNatsUsers({ servers: server.url, issuer: server.setup.issuer }, [r.userPublicKey]);
    } finally {
      await otherBus.close();
      await live.close().catch(() => {});
    }
    await processor.close();
    await server.stop();
    await server.restart();
    await expect(connect({ servers: server.url, authenticator: creds(r.creds), timeout: 2000 })).rejects.toThrow(
      /Authorization Violation/i,
    );
    const again = await connect({ servers: server.url, authenticator: creds(o.creds), timeout: 2000 });
    await again.close();
    processor = await connectJetStreamBus({ servers: server.url, creds: server.setup.processorCreds, name: "processor" });
  }, 60_000);
});

describe("NATS operator mode with partitioned events", () => {
  it("applies the partition mapping from the account JWT, after checking the sensor's permission on the subject it sent", async () => {
    const server = await OperatorNatsServer.start("partitions", { partitions: 4 });
    const tenant = uniqueTenantId("auth-p");
    const ref: SensorKeyRef = { tenantId: tenant, sensorId: "dc01", keyHash: "d".repeat(64) };
    let processor: JetStreamEventBus | undefined;
    let watcher: NatsConnection | undefined;
    try {
      processor = await connectJetStreamBus({ servers: server.url, creds: server.setup.processorCreds });
      watcher = await connect({ servers: server.url, authenticator: creds(server.setup.processorCreds) });
      expect(await processor.partitionMapping()).toEqual({ count: 4 });
      const seen = watcher.subscribe(`vigil.events.${tenant}.*.>`, { max: 2 });
      await watcher.flush();
      const { creds: text } = await issueSensorCreds(server.setup.issuer, ref);
      const bus = await connectJetStreamBus({ servers: server.url, creds: text, inboxPrefix: sensorInboxPrefix(ref), publishOnly: true });
      try {
        await bus.publish(`vigil.events.${tenant}.logon`, "{}", { msgId: "p1" });
        await bus.publish(`vigil.events.${tenant}.kerberos.tgs`, "{}", { msgId: "p2" });
      } finally {
        await bus.close();
      }
      const subjects: string[] = [];
      for await (const m of seen) subjects.push(m.subject);
      const p = partitionOf(tenant, 4);
      expect(subjects).toEqual([`vigil.events.${tenant}.${p}.logon`, `vigil.events.${tenant}.${p}.kerberos.tgs`]);

      // Under a bus namespace (VIGIL_BUS_NAMESPACE) the namespaced rules apply and the permission names the namespace.
      const nsProcessor = await connectJetStreamBus({ servers: server.url, creds: server.setup.processorCreds, namespace: "ns1" });
      const nsSeen = watcher.subscribe(`ns1.vigil.events.${tenant}.*.>`, { max: 1 });
      await watcher.flush();
      const nsRef = { ...ref, namespace: "ns1" };
      const nsBus = await connectJetStreamBus({
        servers: server.url,
        namespace: "ns1",
        creds: (await issueSensorCreds(server.setup.issuer, nsRef)).creds,
        inboxPrefix: sensorInboxPrefix(nsRef),
        publishOnly: true,
      });
      try {
        await nsBus.publish(`vigil.events.${tenant}.kerberos.tgs`, "{}", { msgId: "n1" });
      } finally {
        await nsBus.close();
        await nsProcessor.close();
      }
      for await (const m of nsSeen) expect(m.subject).toBe(`ns1.vigil.events.${tenant}.${p}.kerberos.tgs`);
    } finally {
      await watcher?.close();
      await processor?.close();
      await server.destroy();
    }
  }, 30_000);
});
