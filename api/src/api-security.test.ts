// Authentication, authorization, query limits and tenant isolation, black-box through inject(),
// run identically on Mercurius and Apollo over the embedded store.
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

const SENSORS = `{ sensors { id name } }`;
const CREATE_SENSOR = `mutation { createSensor(name: "dc-x", kind: DC) { key } }`;

describe.each<ServerKind>(["mercurius", "apollo"])("API security on %s", (kind) => {
  let app: FastifyInstance;
  let tenantA: string;
  let tenantB: string;
  let alertOfA: string;

  beforeAll(async () => {
    app = await startServer(kind, fixtures);
    tenantA = await createTenant(fixtures.store, `${kind}-sec-a`);
    tenantB = await createTenant(fixtures.store, `${kind}-sec-b`);
    const db = fixtures.store.forTenant(tenantA);
    alertOfA = (await db.alert.create({ data: alertRow(tenantA, { minutesAgo: 1, primaryEntity: "user:S-1-5-21-4-4-4-1000" }) })).id;
    await gql(app, await token(tenantA, "admin"), `mutation { createSensor(name: "dc-a", kind: DC) { key } }`);
  });
  afterAll(async () => {
    await app?.close();
  });

  describe("authentication", () => {
    it("rejects a request without a token", async () => {
      expect(codes(await gql(app, undefined, SENSORS))).toEqual(["UNAUTHENTICATED"]);
    });

    it("rejects a token signed with another secret", async () => {
      const forged = await token(tenantA, "admin", { secret: "another-secret-another-secret-another!" });
      const response = await gql(app, forged, SENSORS);
      expect(codes(response)).toEqual(["UNAUTHENTICATED"]);
      expect(response.errors![0]!.message).toBe("token signature invalid");
    });

    it("rejects an expired token", async () => {
      const expired = await token(tenantA, "admin", { expiresIn: Math.floor(Date.now() / 1000) - 3600 });
      const response = await gql(app, expired, SENSORS);
      expect(codes(response)).toEqual(["UNAUTHENTICATED"]);
      expect(response.errors![0]!.message).toBe("token expired");
    });

    it("rejects a token for another audience", async () => {
      const response = await gql(app, await token(tenantA, "admin", { audience: "some-other-api" }), SENSORS);
      expect(codes(response)).toEqual(["UNAUTHENTICATED"]);
      expect(response.errors![0]!.message).toBe("token aud claim invalid");
    });

    it("never answers with a stack trace", async () => {
      const response = await gql(app, "garbage", SENSORS);
      expect(codes(response)).toEqual(["UNAUTHENTICATED"]);
      expect(JSON.stringify(response)).not.toMatch(/stack|at .*\.ts:\d+/);
    });
  });

  describe("authorization", () => {
    it("forbids a reader to create a sensor", async () => {
      const response = await gql(app, await token(tenantA, "reader"), CREATE_SENSOR);
      expect(codes(response)).toEqual(["FORBIDDEN"]);
      expect(response.errors![0]!.message).toBe("Not allowed: sensor:create");
    });

    it("forbids a reader to triage and an operator to create sensors", async () => {
      const triage = `mutation($id: ID!) { updateAlertStatus(id: $id, status: CLOSED) { id } }`;
      expect(codes(await gql(app, await token(tenantA, "reader"), triage, { id: alertOfA }))).toEqual(["FORBIDDEN"]);
      expect(codes(await gql(app, await token(tenantA, "operator"), CREATE_SENSOR))).toEqual(["FORBIDDEN"]);
    });
  });

  describe("query limits", () => {
    it("rejects a query deeper than the limit", async () => {
      const tight = await startServer(kind, fixtures, { maxDepth: 4 });
      try {
        const deep = `{ alerts { edges { node { evidence { id } } } } }`;
        const response = await gql(tight, await token(tenantA, "reader"), deep);
        expect(response.status).toBe(400);
        expect(codes(response)).toEqual(["QUERY_TOO_DEEP"]);
        expect(response.errors![0]!.message).toBe("Query depth 5 exceeds the limit of 4");
      } finally {
        await tight.close();
      }
    });

    it("rejects a query whose estimated cost is above the ceiling", async () => {
      const costly = `{ alerts(first: 100) { edges { node { id evidence(first: 100) { id eventId } } } } }`;
      const response = await gql(app, await token(tenantA, "reader"), costly);
      expect(response.status).toBe(400);
      expect(codes(response)).toEqual(["QUERY_TOO_COMPLEX"]);
      expect(response.errors![0]!.message).toMatch(/^Query complexity \d+ exceeds the limit of 5000$/);
    });

    it("reports other invalid queries as GRAPHQL_VALIDATION_FAILED", async () => {
      expect(codes(await gql(app, await token(tenantA, "reader"), `{ sensors { nope } }`))).toEqual(["GRAPHQL_VALIDATION_FAILED"]);
    });
  });

  it("answers unusable requests with BAD_REQUEST and bad variables with BAD_USER_INPUT", async () => {
    const reader = await token(tenantA, "reader");
    const overHttp = await gql(app, reader, `subscription { alertCreated { id } }`);
    expect(overHttp.status).toBe(400);
    expect(codes(overHttp)).toEqual(["BAD_REQUEST"]);
    const empty = await app.inject({ method: "POST", url: "/graphql", headers: { "content-type": "application/json" }, payload: "{}" });
    expect(empty.statusCode).toBe(400);
    expect(empty.json().errors.map((e: { extensions: { code: string } }) => e.extensions.code)).toEqual(["BAD_REQUEST"]);
    const badVariable = await gql(app, reader, `query($n: Int) { alerts(first: $n) { pageInfo { hasNextPage } } }`, { n: "many" });
    expect(codes(badVariable)).toEqual(["BAD_USER_INPUT"]);
  });

  it("answers INTERNAL without details when the store fails", async () => {
    const failing = {
      health: fixtures.store.health,
      prisma: fixtures.store.prisma,
      forTenant: () => {
        throw new Error("connect ECONNREFUSED 10.1.2.3:5432 (user vigil_app)");
      },
    };
    const broken = await startServer(kind, { store: failing, feed: fixtures.feed });
    try {
      const response = await gql(broken, await token(tenantA, "reader"), SENSORS);
      expect(response.errors).toEqual([expect.objectContaining({ message: "Internal server error", extensions: { code: "INTERNAL" } })]);
      expect(JSON.stringify(response)).not.toMatch(/ECONNREFUSED|10\.1\.2\.3|vigil_app/);
    } finally {
      await broken.close();
    }
  });

  describe("tenant isolation", () => {
    it("shows tenant B none of tenant A's alerts, sensors or entities", async () => {
      const b = await token(tenantB, "admin");
      const alerts = await gql<{ alerts: { edges: unknown[] } }>(app, b, `{ alerts { edges { node { id } } } }`);
      expect(alerts.data!.alerts.edges).toEqual([]);
      expect((await gql(app, b, SENSORS)).data).toEqual({ sensors: [] });
      expect((await gql(app, b, `query($id: ID!) { alert(id: $id) { id } }`, { id: alertOfA })).data).toEqual({ alert: null });
      expect((await gql(app, b, `{ entity(id: "user:S-1-5-21-4-4-4-1000") { id } }`)).data).toEqual({ entity: null });
    });

    it("answers NOT_FOUND, not FORBIDDEN, when tenant B triages tenant A's alert", async () => {
      const response = await gql(
        app,
        await token(tenantB, "admin"),
        `mutation($id: ID!) { updateAlertStatus(id: $id, status: CLOSED) { id } }`,
        {
          id: alertOfA,
        },
      );
      expect(codes(response)).toEqual(["NOT_FOUND"]);
      const row = await fixtures.store.forTenant(tenantA).alert.findFirst({ where: { tenantId: tenantA, id: alertOfA } });
      expect(row!.status).toBe("open");
      expect(await fixtures.store.forTenant(tenantB).auditEntry.count()).toBe(0);
    });

    it("lets tenant A still see its own data", async () => {
      const a = await token(tenantA, "reader");
      const alerts = await gql<{ alerts: { edges: { node: { id: string } }[] } }>(app, a, `{ alerts { edges { node { id } } } }`);
      expect(alerts.data!.alerts.edges.map((e) => e.node.id)).toEqual([alertOfA]);
      expect((await gql<{ sensors: { name: string }[] }>(app, a, SENSORS)).data!.sensors.map((s) => s.name)).toEqual(["dc-a"]);
    });
  });
});
