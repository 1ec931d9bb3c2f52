/**
 * Sensor registration, rotation and revocation through the API with NATS in operator mode: the
 * returned credentials work on a real nats-server for the sensor's own tenant only, and the server
 * refuses them once the key is rotated or the sensor revoked.
 */
import { connectJetStreamBus, sensorInboxPrefix, type JetStreamEventBus } from "@vigil/sensor/bus";
import { connect, credsAuthenticator } from "@nats-io/transport-node";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OperatorNatsServer } from "../../../../sensor/src/bus/auth-server.fixture.ts";
import { uniqueTenantId } from "../../../../test-support/services.ts";
import { createApiServer } from "../../index.ts";
import { AUDIENCE, ISSUER, SECRET, codes, createTenant, gql, openFixtures, token } from "../../testing/api-fixtures.ts";

type Fixtures = Awaited<ReturnType<typeof openFixtures>>;
interface Payload {
  key: string;
  natsCreds: string | null;
  sensor: { id: string };
}

/** True when the server accepts the credentials, false when it refuses them; anything else (a timeout) fails the test. */
const canConnect = (url: string, creds: string) =>
  connect({ servers: url, authenticator: credsAuthenticator(new TextEncoder().encode(creds)), timeout: 5000 }).then(
    async (nc) => {
      await nc.close();
      return true;
    },
    (err: unknown) => {
      if (/Authorization Violation/i.test(String(err))) return false;
      throw err;
    },
  );

describe("sensor NATS credentials through the API (operator mode)", () => {
  let server: OperatorNatsServer;
  let fixtures: Fixtures;
  let app: FastifyInstance;
  let processor: JetStreamEventBus;
  const [A, B] = [uniqueTenantId("nats-api-a"), uniqueTenantId("nats-api-b")];

  const start = (url: string) =>
    createApiServer({
      kind: "mercurius",
      store: fixtures.store,
      alertFeed: fixtures.feed,
      auth: { keys: { kind: "secret", secret: SECRET }, issuer: ISSUER, audience: AUDIENCE },
      sensorNats: { issuer: server.setup.issuer, servers: url, timeoutMs: 1000 },
    });

  beforeAll(async () => {
    server = await OperatorNatsServer.start("api");
    fixtures = await openFixtures();
    await createTenant(fixtures.store, A);
    await createTenant(fixtures.store, B);
    app = await start(server.url);
    processor = await connectJetStreamBus({ servers: server.url, creds: server.setup.processorCreds });
    // PGlite with every migration takes ~20 s on a busy machine.
  }, 90_000);
  afterAll(async () => {
    await app?.close();
    await processor?.close();
    await fixtures?.store.close();
    await server?.destroy();
  });

  const mutate = async (tenant: string, query: string) => gql<Record<string, Payload>>(app, await token(tenant, "admin"), query);

  it("issues credentials for the sensor's tenant only, and revokes the old ones on rotation and on revocation", async () => {
    const created = await mutate(A, `mutation { createSensor(name: "dc01", kind: DC) { key natsCreds sensor { id } } }`);
    expect(created.errors).toBeUndefined();
    const { natsCreds, sensor } = created.data!.createSensor!;
    expect(natsCreds).toContain("-----BEGIN NATS USER JWT-----");

    const bus = await connectJetStreamBus({
      servers: server.url,
      creds: natsCreds!,
      inboxPrefix: sensorInboxPrefix({ tenantId: A, sensorId: sensor.id }),
      publishOnly: true,
      publishTimeoutMs: 1500,
    });
    try {
      await expect(bus.publish(`vigil.events.${A}.logon`, "{}", { msgId: "a1" })).resolves.toMatchObject({ duplicate: false });
      await expect(bus.publish(`vigil.events.${B}.logon`, "{}", { msgId: "b1" })).rejects.toMatchObject({ code: "BUS_PUBLISH_FAILED" });
    } finally {
      await bus.close();
    }

    // Another tenant's admin cannot rotate it (NOT_FOUND), and the credentials keep working.
    expect(codes(await mutate(B, `mutation { rotateSensorKey(id: "${sensor.id}") { natsCreds } }`))).toEqual(["NOT_FOUND"]);
    expect(await canConnect(server.url, natsCreds!)).toBe(true);

    const rotated = await mutate(A, `mutation { rotateSensorKey(id: "${sensor.id}") { natsCreds } }`);
    expect(rotated.errors).toBeUndefined();
    const next = rotated.data!.rotateSensorKey!.natsCreds!;
    expect(next).not.toBe(natsCreds);
    expect(await canConnect(server.url, natsCreds!)).toBe(false);
    expect(await canConnect(server.url, next)).toBe(true);

    const revoked = await mutate(A, `mutation { revokeSensor(id: "${sensor.id}") { revokedAt } }`);
    expect(revoked.errors).toBeUndefined();
    expect(await canConnect(server.url, next)).toBe(false);
  });

  it("when NATS does not answer, revocation fails UNAVAILABLE and changes nothing; a retry completes it", async () => {
    const created = await mutate(A, `mutation { createSensor(name: "dc02", kind: DC) { natsCreds sensor { id } } }`);
    const { natsCreds, sensor } = created.data!.createSensor!;
    const offline = await start("nats://127.0.0.1:1");
    try {
      const response = await gql(offline, await token(A, "admin"), `mutation { revokeSensor(id: "${sensor.id}") { revokedAt } }`);
      expect(codes(response)).toEqual(["UNAVAILABLE"]);
      expect(response.errors![0]!.message).toMatch(/nothing was changed, retry/);
    } finally {
      await offline.close();
    }
    const row = await fixtures.store.forTenant(A).sensor.findFirst({ where: { id: sensor.id } });
    expect(row?.revokedAt).toBeNull();
    expect(await canConnect(server.url, natsCreds!)).toBe(true);

    expect((await mutate(A, `mutation { revokeSensor(id: "${sensor.id}") { revokedAt } }`)).errors).toBeUndefined();
    expect(await canConnect(server.url, natsCreds!)).toBe(false);
  });

  it("gives no credentials when NATS runs without auth", async () => {
    const plain = await createApiServer({
      kind: "apollo",
      store: fixtures.store,
      alertFeed: fixtures.feed,
      auth: { keys: { kind: "secret", secret: SECRET }, issuer: ISSUER, audience: AUDIENCE },
    });
    try {
      const created = await gql<{ createSensor: Payload }>(
        plain,
        await token(A, "admin"),
        `mutation { createSensor(name: "dc03", kind: DC) { natsCreds } }`,
      );
      expect(created.data?.createSensor.natsCreds).toBeNull();
    } finally {
      await plain.close();
    }
  });
});
