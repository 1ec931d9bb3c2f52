// The API's domain behaviour, black-box through inject(), run identically on Mercurius and Apollo
// over the embedded store. Security (auth, limits, tenant isolation) is in api-security.test.ts.
import { createHash } from "node:crypto";
import type { FastifyInstance } from "fastify";
import type { RelationalStore } from "@vigil/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PublishableAlertFeed } from "./index.ts";
import { type ServerKind, alertRow, codes, createTenant, gql, openFixtures, startServer, token } from "./testing/api-fixtures.ts";

let fixtures: { store: RelationalStore; feed: PublishableAlertFeed };
beforeAll(async () => {
  fixtures = await openFixtures();
});
afterAll(async () => {
  await fixtures?.store.close();
});

interface AlertNode {
  id: string;
  severity: string;
  status: string;
  detectionId: string;
  lastSeen: string;
  classification: string | null;
}
interface AlertsData {
  alerts: { edges: { cursor: string; node: AlertNode }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
}

const ALERTS = `query($filter: AlertFilter, $first: Int, $after: String) {
  alerts(filter: $filter, first: $first, after: $after) {
    edges { cursor node { id severity status detectionId lastSeen classification } }
    pageInfo { hasNextPage endCursor }
  }
}`;

describe.each<ServerKind>(["mercurius", "apollo"])("GraphQL API on %s", (kind) => {
  let app: FastifyInstance;
  let tenant: string;
  let admin: string;
  let operator: string;
  let reader: string;
  const seeded: Record<string, string> = {};

  beforeAll(async () => {
    app = await startServer(kind, fixtures);
    tenant = await createTenant(fixtures.store, `${kind}-acme`);
    [admin, operator, reader] = await Promise.all([token(tenant, "admin"), token(tenant, "operator"), token(tenant, "reader")]);
    // Newest first: a (1 min ago) … e (50 min ago).
    const db = fixtures.store.forTenant(tenant);
    const rows = {
      a: alertRow(tenant, { minutesAgo: 1, severity: "high", detectionId: "dcsync", primaryEntity: "user:S-1-5-21-7-7-7-500" }),
      b: alertRow(tenant, { minutesAgo: 5, severity: "medium", detectionId: "kerberoasting" }),
      c: alertRow(tenant, { minutesAgo: 10, severity: "low", detectionId: "kerberoasting", status: "closed" }),
      d: alertRow(tenant, {
        minutesAgo: 30,
        severity: "high",
        detectionId: "golden-ticket",
        primaryEntity: "computer:WS01",
        entities: [
          { kind: "computer", key: "computer:WS01" },
          { kind: "user", key: "user:S-1-5-21-7-7-7-500" },
        ],
      }),
      e: alertRow(tenant, { minutesAgo: 50, severity: "medium", detectionId: "pass-the-hash" }),
    };
    for (const [name, data] of Object.entries(rows)) seeded[name] = (await db.alert.create({ data })).id;
    await db.alertEvidence.create({
      data: { tenantId: tenant, alertId: seeded.a!, eventId: "evt-2", time: new Date(Date.now() - 60_000), summary: { eventId: 4662 } },
    });
    await db.alertEvidence.create({
      data: {
        tenantId: tenant,
        alertId: seeded.a!,
        eventId: "evt-1",
        time: new Date(Date.now() - 120_000),
        summary: { eventId: 4662, guid: "1131f6aa" },
      },
    });
  });
  afterAll(async () => {
    await app?.close();
  });

  it("serves /healthz", async () => {
    const response = await app.inject({ method: "GET", url: "/healthz" });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ status: "ok", db: { ok: true } });
  });

  it("creates a sensor, returns its key once and stores only a hash", async () => {
    const created = await gql<{ createSensor: { key: string; sensor: { id: string; name: string; kind: string; keyPrefix: string } } }>(
      app,
      admin,
      `mutation { createSensor(name: "dc01", kind: DC) { key sensor { id name kind keyPrefix } } }`,
    );
    expect(created.errors).toBeUndefined();
    const { key, sensor } = created.data!.createSensor;
    expect(key).toMatch(/^vgl_[A-Za-z0-9_-]{43}$/);
    expect(sensor).toMatchObject({ name: "dc01", kind: "DC", keyPrefix: key.slice(0, 12) });

    const listed = await gql<{ sensors: Record<string, unknown>[] }>(
      app,
      reader,
      `{ sensors { id name kind keyPrefix createdAt lastSeenAt } }`,
    );
    expect(listed.data!.sensors).toEqual([expect.objectContaining({ id: sensor.id, name: "dc01", keyPrefix: key.slice(0, 12) })]);
    expect(JSON.stringify(listed)).not.toContain(key);
    const fields = await gql<{ __type: { fields: { name: string }[] } }>(app, reader, `{ __type(name: "Sensor") { fields { name } } }`);
    expect(fields.data!.__type.fields.map((f) => f.name)).not.toEqual(expect.arrayContaining(["key"]));
    expect(fields.data!.__type.fields.map((f) => f.name)).not.toContain("keyHash");

    const db = fixtures.store.forTenant(tenant);
    const row = await db.sensor.findFirst({ where: { tenantId: tenant, id: sensor.id } });
    expect(row!.keyHash).toBe(createHash("sha256").update(key).digest("hex"));
    const audit = await db.auditEntry.findMany({ where: { tenantId: tenant, action: "sensor:create" } });
    expect(audit).toEqual([expect.objectContaining({ actor: `admin@${tenant}`, target: `sensor:${sensor.id}` })]);
    expect(JSON.stringify(audit)).not.toContain(key);
  });

  it("rejects a second sensor with the same name as bad input", async () => {
    const again = await gql(app, admin, `mutation { createSensor(name: "dc01", kind: ADCS) { key } }`);
    expect(codes(again)).toEqual(["BAD_USER_INPUT"]);
  });

  it("pages through alerts newest first with opaque cursors", async () => {
    const ids: string[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const page: { data?: AlertsData | null } = await gql<AlertsData>(app, reader, ALERTS, { first: 2, after });
      const { edges, pageInfo } = page.data!.alerts;
      ids.push(...edges.map((e) => e.node.id));
      pages++;
      if (!pageInfo.hasNextPage) break;
      after = pageInfo.endCursor;
    }
    expect(pages).toBe(3);
    expect(ids).toEqual(["a", "b", "c", "d", "e"].map((n) => seeded[n]));
  });

  it("filters alerts by status, severity, type, entity and time", async () => {
    const ids = async (filter: Record<string, unknown>) =>
      (await gql<AlertsData>(app, reader, ALERTS, { filter })).data!.alerts.edges.map((e) => e.node.id);
    const names = (...n: string[]) => n.map((x) => seeded[x]);
    expect(await ids({ status: ["CLOSED"] })).toEqual(names("c"));
    expect(await ids({ severity: ["HIGH"] })).toEqual(names("a", "d"));
    expect(await ids({ severity: ["MEDIUM"], type: ["kerberoasting"] })).toEqual(names("b"));
    expect(await ids({ entity: "user:S-1-5-21-7-7-7-500" })).toEqual(names("a", "d"));
    const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();
    // Overlap semantics: a (seen 6→1 min ago) starts after the window, d (35→30) ends before it.
    expect(await ids({ from: minutesAgo(20), to: minutesAgo(7) })).toEqual(names("b", "c"));
  });

  it("rejects a malformed cursor and an oversized page as bad input", async () => {
    expect(codes(await gql(app, reader, ALERTS, { after: "not-a-cursor" }))).toEqual(["BAD_USER_INPUT"]);
    expect(codes(await gql(app, reader, ALERTS, { first: 1000 }))).toEqual(["BAD_USER_INPUT"]);
  });

  it("returns one alert with its evidence and entities", async () => {
    const result = await gql<{ alert: { id: string; entities: unknown; evidence: { eventId: string; summary: unknown }[] } }>(
      app,
      reader,
      `query($id: ID!) { alert(id: $id) { id primaryEntity entities evidence { eventId time summary } } }`,
      { id: seeded.a },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data!.alert.entities).toEqual([{ kind: "user", key: "user:S-1-5-21-7-7-7-500" }]);
    expect(result.data!.alert.evidence.map((e) => e.eventId)).toEqual(["evt-1", "evt-2"]);
    expect(result.data!.alert.evidence[0]!.summary).toEqual({ eventId: 4662, guid: "1131f6aa" });
    const missing = await gql<{ alert: unknown }>(app, reader, `{ alert(id: "no-such-alert") { id } }`);
    expect(missing.data).toEqual({ alert: null });
  });

  it("returns an entity with its tags and recent alerts", async () => {
    const result = await gql<{ entity: { id: string; tags: unknown[]; recentAlerts: { id: string }[] } }>(
      app,
      reader,
      `{ entity(id: "user:S-1-5-21-7-7-7-500") { id tags { kind } recentAlerts(first: 5) { id } } }`,
    );
    expect(result.data!.entity.recentAlerts.map((a) => a.id)).toEqual([seeded.a, seeded.d]);
    expect((await gql(app, reader, `{ entity(id: "user:nobody") { id } }`)).data).toEqual({ entity: null });
  });

  it("triages an alert and writes an audit entry", async () => {
    const updated = await gql<{ updateAlertStatus: AlertNode }>(
      app,
      operator,
      `mutation($id: ID!) { updateAlertStatus(id: $id, status: CLOSED, classification: FALSE_POSITIVE) { id status classification } }`,
      { id: seeded.b },
    );
    expect(updated.errors).toBeUndefined();
    expect(updated.data!.updateAlertStatus).toEqual({ id: seeded.b, status: "CLOSED", classification: "FALSE_POSITIVE" });
    const db = fixtures.store.forTenant(tenant);
    expect((await db.alert.findFirst({ where: { tenantId: tenant, id: seeded.b } }))!.status).toBe("closed");
    const audit = await db.auditEntry.findMany({ where: { tenantId: tenant, action: "alert:triage" } });
    expect(audit).toEqual([
      expect.objectContaining({
        actor: `operator@${tenant}`,
        target: `alert:${seeded.b}`,
        before: { status: "open", classification: null },
        after: { status: "closed", classification: "falsePositive" },
      }),
    ]);
    const reopened = await gql<{ updateAlertStatus: AlertNode }>(
      app,
      operator,
      `mutation($id: ID!) { updateAlertStatus(id: $id, status: OPEN) { status classification } }`,
      { id: seeded.b },
    );
    expect(reopened.data!.updateAlertStatus).toEqual({ status: "OPEN", classification: null });
  });

  it("answers NOT_FOUND for triage of an unknown alert", async () => {
    const result = await gql(app, operator, `mutation { updateAlertStatus(id: "no-such-alert", status: CLOSED) { id } }`);
    expect(codes(result)).toEqual(["NOT_FOUND"]);
  });
});
