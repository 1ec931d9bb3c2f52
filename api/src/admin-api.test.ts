// Tenant administration through the API on both servers: platform operators and tenants, SIEM
// target, sensor key rotation and revocation, triage (assignee, comments), the audit trail, and a
// schema-generated check that every field demands a token and every mutation a sufficient role.
import type { RelationalStore } from "@vigil/db";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PublishableAlertFeed, ACTIONS, buildVigilSchema, createDevToken } from "./index.ts";
import {
  AUDIENCE,
  ISSUER,
  SECRET,
  type ServerKind,
  alertRow,
  codes,
  createTenant,
  gql,
  openFixtures,
  startServer,
  token,
} from "./testing/api-fixtures.ts";
import { walkSchema } from "./testing/schema-walk.ts";

let fixtures: { store: RelationalStore; feed: PublishableAlertFeed };
beforeAll(async () => {
  fixtures = await openFixtures();
});
afterAll(async () => {
  await fixtures?.store.close();
});

const operatorToken = (tenantId?: string) =>
  createDevToken({ secret: SECRET, tenantId, role: "platform-operator", subject: "ops@vigil", issuer: ISSUER, audience: AUDIENCE });

interface Entry {
  action: string;
  actor: string;
  target: string | null;
  before: unknown;
  after: unknown;
}
async function trail(app: FastifyInstance, tenant: string): Promise<Entry[]> {
  const response = await gql<{ auditEntries: { edges: { node: Entry }[] } }>(
    app,
    await token(tenant, "admin"),
    `{ auditEntries(first: 100) { edges { node { action actor target before after } } } }`,
  );
  expect(response.errors).toBeUndefined();
  return response.data!.auditEntries.edges.map((e) => e.node);
}

describe.each<ServerKind>(["mercurius", "apollo"])("administration on %s", (kind) => {
  let app: FastifyInstance;
  const T = `${kind}-adm`;

  beforeAll(async () => {
    app = await startServer(kind, fixtures);
    await createTenant(fixtures.store, T);
  });
  afterAll(async () => {
    await app?.close();
  });

  it("lets only a platform operator create and list tenants; the creation is in the new tenant's audit trail", async () => {
    const create = `mutation($id: String!) { createTenant(id: $id, name: "Contoso") { id name } }`;
    const id = `${kind}-contoso`;
    expect(codes(await gql(app, await token(T, "admin"), create, { id }))).toEqual(["FORBIDDEN"]);
    expect(codes(await gql(app, undefined, create, { id }))).toEqual(["UNAUTHENTICATED"]);
    const created = await gql(app, await operatorToken(), create, { id });
    expect(created.data).toEqual({ createTenant: { id, name: "Contoso" } });
    expect(codes(await gql(app, await operatorToken(), create, { id }))).toEqual(["BAD_USER_INPUT"]);
    expect(codes(await gql(app, await operatorToken(), create, { id: "bad.id*" }))).toEqual(["BAD_USER_INPUT"]);
    const listed = await gql<{ tenants: { id: string }[] }>(app, await operatorToken(), `{ tenants { id } }`);
    expect(listed.data!.tenants.map((t) => t.id)).toEqual(expect.arrayContaining([id, T]));
    // A platform operator sees nothing inside tenants.
    expect(codes(await gql(app, await operatorToken(), `{ sensors { id } }`))).toEqual(["FORBIDDEN"]);
    expect(await trail(app, id)).toEqual([
      { action: "tenant:create", actor: "ops@vigil", target: `tenant:${id}`, before: null, after: { name: "Contoso" } },
    ]);
  });

  it("sets, replaces and removes the SIEM target (admin only), validating every field and auditing each change", async () => {
    const admin = await token(T, "admin");
    const set = `mutation($input: SiemTargetInput!) { setSiemTarget(input: $input) { host port protocol format caPem serverName enabled } }`;
    const first = await gql(app, admin, set, { input: { host: "siem.corp.example", port: 514, protocol: "UDP", format: "RFC3164" } });
    expect(first.data).toEqual({
      setSiemTarget: {
        host: "siem.corp.example",
        port: 514,
        protocol: "UDP",
        format: "RFC3164",
        caPem: null,
        serverName: null,
        enabled: true,
      },
    });
    const pem = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----";
    const second = await gql(app, admin, set, {
      input: { host: "10.0.0.5", port: 6514, protocol: "TLS", caPem: pem, serverName: "siem.corp.example" },
    });
    expect(second.data).toMatchObject({ setSiemTarget: { host: "10.0.0.5", protocol: "TLS", format: "RFC5424", caPem: pem } });
    for (const input of [
      { host: "bad host!", port: 514, protocol: "UDP" },
      { host: "siem", port: 0, protocol: "UDP" },
      { host: "siem", port: 70000, protocol: "TCP" },
      { host: "siem", port: 514, protocol: "UDP", caPem: pem },
      { host: "siem", port: 6514, protocol: "TLS", caPem: "not a certificate" },
    ]) {
      expect(codes(await gql(app, admin, set, { input })), JSON.stringify(input)).toEqual(["BAD_USER_INPUT"]);
    }
    expect(codes(await gql(app, await token(T, "operator"), set, { input: { host: "x", port: 1, protocol: "UDP" } }))).toEqual([
      "FORBIDDEN",
    ]);
    expect((await gql(app, admin, `{ siemTarget { host } }`)).data).toEqual({ siemTarget: { host: "10.0.0.5" } });
    expect((await gql(app, admin, `mutation { removeSiemTarget }`)).data).toEqual({ removeSiemTarget: true });
    expect((await gql(app, admin, `mutation { removeSiemTarget }`)).data).toEqual({ removeSiemTarget: false });
    expect((await gql(app, admin, `{ siemTarget { host } }`)).data).toEqual({ siemTarget: null });
    const siem = (await trail(app, T)).filter((e) => e.target === "siem");
    expect(siem.map((e) => e.action)).toEqual(["siem:remove", "siem:remove", "siem:set", "siem:set"]);
    expect(siem[2]).toMatchObject({ before: { host: "siem.corp.example" }, after: { host: "10.0.0.5", caPem: "set" } });
  });

  it("rotates a sensor key (old key replaced, new one shown once) and revokes a sensor idempotently", async () => {
    const admin = await token(T, "admin");
    const created = await gql<{ createSensor: { key: string; sensor: { id: string; keyPrefix: string } } }>(
      app,
      admin,
      `mutation { createSensor(name: "rot-dc", kind: DC) { key sensor { id keyPrefix } } }`,
    );
    const { id } = created.data!.createSensor.sensor;
    const rotated = await gql<{ rotateSensorKey: { key: string; sensor: { keyPrefix: string } } }>(
      app,
      admin,
      `mutation($id: ID!) { rotateSensorKey(id: $id) { key sensor { keyPrefix } } }`,
      { id },
    );
    const { key, sensor } = rotated.data!.rotateSensorKey;
    expect(key).not.toBe(created.data!.createSensor.key);
    expect(sensor.keyPrefix).toBe(key.slice(0, 12));
    const row = await fixtures.store.forTenant(T).sensor.findFirstOrThrow({ where: { id } });
    expect(row.keyPrefix).toBe(sensor.keyPrefix);
    const revoke = `mutation($id: ID!) { revokeSensor(id: $id) { revokedAt } }`;
    const revoked = await gql<{ revokeSensor: { revokedAt: string } }>(app, admin, revoke, { id });
    expect(revoked.data!.revokeSensor.revokedAt).toEqual(expect.any(String));
    expect((await gql(app, admin, revoke, { id })).data).toEqual(revoked.data);
    expect(codes(await gql(app, admin, `mutation($id: ID!) { rotateSensorKey(id: $id) { key } }`, { id }))).toEqual(["BAD_USER_INPUT"]);
    expect(codes(await gql(app, await token(T, "operator"), revoke, { id }))).toEqual(["FORBIDDEN"]);
    expect(codes(await gql(app, admin, revoke, { id: "00000000-0000-0000-0000-000000000000" }))).toEqual(["NOT_FOUND"]);
    const actions = (await trail(app, T)).filter((e) => e.target === `sensor:${id}`).map((e) => e.action);
    expect(actions).toEqual(["sensor:revoke", "sensor:revoke", "sensor:rotate-key", "sensor:create"]);
  });

  it("lists sensors with a status from lastSeenAt and their open health issue count", async () => {
    const admin = await token(T, "admin");
    const make = async (name: string) =>
      (
        await gql<{ createSensor: { sensor: { id: string } } }>(
          app,
          admin,
          `mutation { createSensor(name: "${name}", kind: DC) { sensor { id } } }`,
        )
      ).data!.createSensor.sensor.id;
    const [fresh, silent, never] = [await make("h-fresh"), await make("h-silent"), await make("h-never")];
    const db = fixtures.store.forTenant(T);
    await db.sensor.update({ where: { id: fresh }, data: { lastSeenAt: new Date(Date.now() - 60_000) } });
    await db.sensor.update({ where: { id: silent }, data: { lastSeenAt: new Date(Date.now() - 11 * 60_000) } });
    const issue = {
      tenantId: T,
      type: "sensor.silent",
      severity: "medium" as const,
      description: "x",
      firstSeen: new Date(),
      lastSeen: new Date(),
    };
    await db.healthIssue.createMany({
      data: [
        { ...issue, sensorId: silent },
        { ...issue, sensorId: silent },
        { ...issue, sensorId: silent, status: "closed" },
      ],
    });
    const listed = await gql<{ sensors: { id: string; status: string; openHealthIssues: number }[] }>(
      app,
      await token(T, "reader"),
      `{ sensors { id status openHealthIssues } }`,
    );
    const byId = new Map(listed.data!.sensors.map((s) => [s.id, s]));
    expect(byId.get(fresh)).toMatchObject({ status: "OK", openHealthIssues: 0 });
    expect(byId.get(silent)).toMatchObject({ status: "SILENT", openHealthIssues: 2 });
    expect(byId.get(never)).toMatchObject({ status: "NEVER_SEEN", openHealthIssues: 0 });
    expect(listed.data!.sensors.find((s) => s.status === "REVOKED")).toBeDefined(); // rot-dc from the test above
  });

  it("assigns, comments and classifies an alert (operator), with every step in the audit trail", async () => {
    const alertId = (await fixtures.store.forTenant(T).alert.create({ data: alertRow(T, { minutesAgo: 2 }) })).id;
    const operator = await token(T, "operator");
    expect(
      (await gql(app, operator, `mutation($id: ID!) { assignAlert(id: $id, assignee: "ana@corp") { assignee } }`, { id: alertId })).data,
    ).toEqual({
      assignAlert: { assignee: "ana@corp" },
    });
    const comment = await gql(
      app,
      operator,
      `mutation($id: ID!) { addAlertComment(id: $id, text: " Looks like a pentest ") { author text } }`,
      { id: alertId },
    );
    expect(comment.data).toEqual({ addAlertComment: { author: `operator@${T}`, text: "Looks like a pentest" } });
    await gql(
      app,
      operator,
      `mutation($id: ID!) { updateAlertStatus(id: $id, status: CLOSED, classification: BENIGN_TRUE_POSITIVE) { id } }`,
      { id: alertId },
    );
    const read = await gql(
      app,
      await token(T, "reader"),
      `query($id: ID!) { alert(id: $id) { status classification assignee comments { text } } }`,
      { id: alertId },
    );
    expect(read.data).toEqual({
      alert: {
        status: "CLOSED",
        classification: "BENIGN_TRUE_POSITIVE",
        assignee: "ana@corp",
        comments: [{ text: "Looks like a pentest" }],
      },
    });
    expect(
      codes(await gql(app, await token(T, "reader"), `mutation($id: ID!) { addAlertComment(id: $id, text: "x") { id } }`, { id: alertId })),
    ).toEqual(["FORBIDDEN"]);
    expect(codes(await gql(app, operator, `mutation($id: ID!) { addAlertComment(id: $id, text: "  ") { id } }`, { id: alertId }))).toEqual([
      "BAD_USER_INPUT",
    ]);
    const actions = (await trail(app, T)).filter((e) => e.target === `alert:${alertId}`).map((e) => e.action);
    expect(actions).toEqual(["alert:triage", "alert:comment", "alert:assign"]);
  });

  it("shows the audit trail to admins only, newest first, paginated and filterable", async () => {
    expect(codes(await gql(app, await token(T, "operator"), `{ auditEntries { edges { node { id } } } }`))).toEqual(["FORBIDDEN"]);
    const admin = await token(T, "admin");
    const page1 = await gql<{ auditEntries: { edges: { node: { at: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string } } }>(
      app,
      admin,
      `{ auditEntries(first: 2) { edges { node { at } } pageInfo { hasNextPage endCursor } } }`,
    );
    expect(page1.data!.auditEntries.edges).toHaveLength(2);
    expect(page1.data!.auditEntries.pageInfo.hasNextPage).toBe(true);
    const page2 = await gql<{ auditEntries: { edges: { node: { at: string } }[] } }>(
      app,
      admin,
      `query($after: String) { auditEntries(first: 2, after: $after) { edges { node { at } } } }`,
      { after: page1.data!.auditEntries.pageInfo.endCursor },
    );
    expect(page2.data!.auditEntries.edges[0]!.node.at <= page1.data!.auditEntries.edges[1]!.node.at).toBe(true);
    const filtered = await gql<{ auditEntries: { edges: { node: { action: string } }[] } }>(
      app,
      admin,
      `{ auditEntries(action: "siem:set") { edges { node { action } } } }`,
    );
    expect(new Set(filtered.data!.auditEntries.edges.map((e) => e.node.action))).toEqual(new Set(["siem:set"]));
  });

  it("demands a token for every root field, and refuses every mutation to a reader unless the action table allows readers", async () => {
    const operations = walkSchema(buildVigilSchema(), ["00000000-0000-0000-0000-000000000000"]).filter((o) => o.kind !== "subscription");
    const reader = await token(T, "reader");
    const readerActions = Object.entries(ACTIONS).filter(([, role]) => role === "reader");
    expect(readerActions.every(([action]) => action.endsWith(":read"))).toBe(true);
    for (const op of operations) {
      expect(codes(await gql(app, undefined, op.document)), op.field).toContain("UNAUTHENTICATED");
      if (op.kind === "mutation") expect(codes(await gql(app, reader, op.document)), op.field).toEqual(["FORBIDDEN"]);
    }
  });
});
