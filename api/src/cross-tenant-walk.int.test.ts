// The generated cross-tenant walk (issue 7): every query, mutation and subscription of the built
// schema, each with tenant B's admin token aimed at tenant A's objects, on real PostgreSQL with RLS.
// Nothing of A may appear in any answer, no answer may be INTERNAL, and A's rows must be unchanged.
// The operations come from introspecting the schema, so a new field is walked without editing this.
import { type RelationalStore, TENANT_MODELS, openRelationalStore } from "@vigil/db";
import type { FastifyInstance } from "fastify";
import { type Client, createClient } from "graphql-ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { testServices, uniqueTenantId } from "../../test-support/services.ts";
import {
  type HealthFeed,
  type PublishableAlertFeed,
  ErrorCode,
  buildVigilSchema,
  createApiServer,
  createInProcessAlertFeed,
  createInProcessHealthFeed,
} from "./index.ts";
import {
  AUDIENCE,
  ISSUER,
  SECRET,
  type GraphQLResponse,
  alertPayload,
  alertRow,
  createTenant,
  gql,
  token,
} from "./testing/api-fixtures.ts";
import { rootFields, walkSchema } from "./testing/schema-walk.ts";

const SECRETS_KEY = Buffer.alloc(32, 7).toString("base64url");
let store: RelationalStore;
let feed: PublishableAlertFeed;
let healthFeed: HealthFeed;
let app: FastifyInstance;
let apollo: FastifyInstance;
let wsUrl: string;
const A = uniqueTenantId("walk-a");
const B = uniqueTenantId("walk-b");
/** A second "other tenant" for the Apollo walk: the Mercurius walk leaves B with objects named after A's ids. */
const B2 = uniqueTenantId("walk-b2");

/** What A holds: every id, name and text the walk must never see with B's token. */
const a = { probes: [] as string[], texts: [] as string[] };

async function seed(tenant: string, label: string) {
  const admin = await token(tenant, "admin");
  const entity = `user:S-1-5-21-77-77-${label === "a" ? 1 : 2}-4242`;
  const alertId = (
    await store.forTenant(tenant).alert.create({
      data: alertRow(tenant, { minutesAgo: 1, title: `walk ${label} alert title`, primaryEntity: entity }),
    })
  ).id;
  const now = new Date();
  const issueId = (
    await store.forTenant(tenant).healthIssue.create({
      data: {
        tenantId: tenant,
        type: "sensor.silent",
        severity: "medium",
        description: `walk ${label} health issue`,
        firstSeen: now,
        lastSeen: now,
      },
    })
  ).id;
  const posture = await store.forTenant(tenant).postureAssessment.create({
    data: {
      tenantId: tenant,
      assessmentId: "guest-enabled",
      title: "Guest account enabled",
      category: "anomalies",
      severity: "medium",
      status: "failed",
      affected: [{ objectId: `S-1-5-21-77-77-${label === "a" ? 1 : 2}-501`, name: `walk-${label}-guest`, reason: "enabled" }],
      remediation: `walk ${label} posture remediation`,
      evaluatedAt: now,
      statusSince: now,
    },
  });
  const score = await store.forTenant(tenant).postureScore.create({
    data: {
      tenantId: tenant,
      score: label === "a" ? 41 : 7,
      categories: { anomalies: 41 },
      complete: false,
      unknown: [`walk-${label}-unknown`],
      evaluatedAt: now,
    },
  });
  const must = async (query: string, variables?: Record<string, unknown>) => {
    const response = await gql(app, admin, query, variables);
    expect(response.errors, query).toBeUndefined();
    return response.data as Record<string, Record<string, unknown>>;
  };
  const sensor = await must(`mutation { createSensor(name: "walk-${label}-dc01", kind: DC) { key sensor { id keyPrefix } } }`);
  const comment = await must(`mutation($id: ID!) { addAlertComment(id: $id, text: "walk ${label} comment text") { id } }`, { id: alertId });
  await must(`mutation($id: ID!) { assignAlert(id: $id, assignee: "walk-${label}-analyst") { id } }`, { id: alertId });
  await must(`mutation($k: String!) { tagEntity(entityKey: $k, tag: HONEYTOKEN) { created } }`, { k: entity });
  const siem = await must(
    `mutation { setSiemTarget(input: { host: "siem-walk-${label}.example.com", port: 6514, protocol: TCP }) { id } }`,
  );
  const credential = await must(
    `mutation { addDirectoryCredential(input: { name: "walk-${label}-cred", username: "svc-walk-${label}", domainName: "walk-${label}.example.com", ldapUrl: "ldap://127.0.0.1:1", password: "walk-${label}-password" }) { id } }`,
  );
  const ids = [
    alertId,
    issueId,
    posture.id,
    score.id,
    sensor.createSensor!.sensor,
    comment.addAlertComment,
    siem.setSiemTarget,
    credential.addDirectoryCredential,
  ].map((x) => (typeof x === "string" ? x : String((x as { id: string }).id)));
  const texts = [
    `walk ${label} alert title`,
    `walk-${label}-dc01`,
    String((sensor.createSensor!.sensor as { keyPrefix: string }).keyPrefix),
    String(sensor.createSensor!.key),
    `walk ${label} comment text`,
    `walk-${label}-analyst`,
    `siem-walk-${label}.example.com`,
    `walk-${label}-cred`,
    `svc-walk-${label}`,
    `walk-${label}-password`,
    `walk ${label} health issue`,
    `walk-${label}-guest`,
    `walk ${label} posture remediation`,
    `walk-${label}-unknown`,
  ];
  return { probes: [...ids, entity, tenant], texts };
}

/** Every row of every tenant model as the tenant's own scope sees it. */
async function snapshot(tenant: string) {
  const db = store.forTenant(tenant) as unknown as Record<string, { findMany(args: object): Promise<unknown[]> }>;
  const rows: Record<string, unknown[]> = {};
  for (const model of TENANT_MODELS) rows[model] = await db[model]!.findMany({ orderBy: { id: "asc" } });
  return rows;
}

beforeAll(async () => {
  store = await openRelationalStore({ databaseUrl: testServices.postgresUrl });
  feed = createInProcessAlertFeed();
  healthFeed = createInProcessHealthFeed();
  const options = {
    store,
    alertFeed: feed,
    healthFeed,
    auth: { keys: { kind: "secret" as const, secret: SECRET }, issuer: ISSUER, audience: AUDIENCE },
    secretsKey: SECRETS_KEY,
    // The walk selects every field to depth 4; the production ceilings would refuse most of it.
    limits: { maxDepth: 50, maxComplexity: 1_000_000_000 },
    ratePerMinute: 1_000_000,
  };
  app = await createApiServer({ kind: "mercurius", ...options });
  apollo = await createApiServer({ kind: "apollo", ...options });
  await app.listen({ port: 0, host: "127.0.0.1" });
  const address = app.server.address();
  if (!address || typeof address === "string") throw new Error("expected a TCP address");
  wsUrl = `ws://127.0.0.1:${address.port}/graphql`;
  await createTenant(store, A);
  await createTenant(store, B);
  await createTenant(store, B2);
  Object.assign(a, await seed(A, "a"));
  await seed(B, "b");
  await seed(B2, "b2");
}, 60_000);
afterAll(async () => {
  await app?.close();
  await apollo?.close();
  await store?.close();
});

const KNOWN = new Set<string>(Object.values(ErrorCode));

/** The A values in `response` other than `probe` (which the caller sent, so echoing it reveals nothing). */
function leaked(response: unknown, probe: string, includeProbes: boolean): string[] {
  const text = JSON.stringify(response);
  return [...a.texts, ...(includeProbes ? a.probes : [])].filter((secret) => secret !== probe && text.includes(secret));
}

function badErrors(response: GraphQLResponse): unknown[] {
  return (response.errors ?? []).filter((e) => !e.extensions?.code || !KNOWN.has(e.extensions.code) || e.extensions.code === "INTERNAL");
}

const LIVE_MARKER_A = "live event of tenant A";

function healthChange(tenantId: string, id: string, description: string) {
  const now = new Date();
  return {
    change: "raised" as const,
    issue: {
      tenantId,
      id,
      sensorId: null,
      type: "sensor.silent",
      subject: "",
      severity: "medium" as const,
      status: "open" as const,
      description,
      details: null,
      firstSeen: now,
      lastSeen: now,
      closedAt: null,
      suppressedUntil: null,
    },
  };
}

/** How to make each subscription field fire: one event of A (must not arrive) and one of B (must). */
const drivers: Record<string, (round: number) => void> = {
  alertCreated: (i) => {
    feed.publish({ ...alertPayload(A, a.probes[0]!), title: LIVE_MARKER_A });
    feed.publish(alertPayload(B, `b-${i}`));
  },
  healthIssueChanged: (i) => {
    void healthFeed.publish(healthChange(A, a.probes[0]!, LIVE_MARKER_A));
    void healthFeed.publish(healthChange(B, `b-${i}`, "live event of tenant B"));
  },
};

describe("cross-tenant walk (PostgreSQL, RLS on)", () => {
  const schema = buildVigilSchema();

  it("generates an operation for every root field", () => {
    const walked = new Set(walkSchema(schema, ["x"]).map((op) => op.field));
    expect([...walked].sort()).toEqual(rootFields(schema).sort());
    expect(walked.size).toBeGreaterThan(20);
  });

  it("shows tenant A its own data through the same generated queries (the walk can see data)", async () => {
    const adminA = await token(A, "admin");
    let seen = "";
    for (const op of walkSchema(schema, a.probes).filter((o) => o.kind === "query"))
      seen += JSON.stringify(await gql(app, adminA, op.document));
    const visible = a.texts.filter((t) => seen.includes(t));
    // Everything but the password and the one-time sensor key, which no answer ever contains.
    expect(visible.sort()).toEqual(a.texts.filter((t) => !t.endsWith("-password") && !(t.startsWith("vgl_") && t.length > 12)).sort());
  }, 120_000);

  it.each([
    ["mercurius", () => app, B],
    ["apollo", () => apollo, B2],
  ] as const)(
    "leaks nothing of tenant A to another tenant's admin on %s through any query or mutation, and changes none of A's rows",
    async (_kind, server, other) => {
      const before = await snapshot(A);
      const adminB = await token(other, "admin");
      const problems: string[] = [];
      const succeeded: string[] = [];
      const auditBefore = await store.forTenant(other).auditEntry.count();
      const operations = walkSchema(schema, a.probes);
      // Queries first with every A value as a secret; mutations may then create B objects named after
      // A's ids (the probes), so from there on only A's names and texts count as leaks.
      for (const [pass, kind] of (["query", "mutation", "query"] as const).entries()) {
        for (const op of operations.filter((o) => o.kind === kind)) {
          const response = await gql(server(), adminB, op.document);
          if (kind === "mutation" && !response.errors) succeeded.push(op.field);
          const leaks = leaked(response, op.probe, pass === 0);
          if (leaks.length > 0) problems.push(`${op.field}(${op.probe}) leaked ${leaks.join(", ")}`);
          const bad = badErrors(response);
          if (bad.length > 0) problems.push(`${op.field}(${op.probe}) answered ${JSON.stringify(bad)}`);
        }
      }
      expect(problems).toEqual([]);
      expect(await snapshot(A)).toEqual(before);
      // Every mutation that succeeded wrote exactly one audit entry, in B's trail.
      // (Most mutations aim at A's ids and must fail NOT_FOUND; the creating ones succeed on B's side.)
      expect([...new Set(succeeded)]).toEqual(expect.arrayContaining(["createSensor", "setSiemTarget", "removeSiemTarget"]));
      expect((await store.forTenant(other).auditEntry.count()) - auditBefore).toBe(succeeded.length);
    },
    300_000,
  );

  it("delivers nothing of tenant A on any subscription opened by tenant B", async () => {
    const subscriptions = walkSchema(schema, [a.probes[0]!]).filter((o) => o.kind === "subscription");
    expect(subscriptions.length).toBeGreaterThan(0);
    const client: Client = createClient({
      url: wsUrl,
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      connectionParams: { authorization: `Bearer ${await token(B, "admin")}` },
    });
    try {
      for (const op of subscriptions) {
        const received: unknown[] = [];
        const errors: unknown[] = [];
        const stop = client.subscribe(
          { query: op.document },
          { next: (r) => received.push(r), error: (e) => errors.push(e), complete: () => {} },
        );
        const drive = drivers[op.field];
        expect(drive, `${op.field}: add a driver that publishes one event of A and one of B`).toBeDefined();
        // No "subscribed" acknowledgement exists in graphql-ws: publish until B's own event arrives.
        for (let i = 0; i < 100 && received.length === 0 && errors.length === 0; i++) {
          drive!(i);
          await new Promise((r) => setTimeout(r, 50));
        }
        stop();
        expect(errors, op.field).toEqual([]);
        expect(received.length, `${op.field}: B's own events arrive (the subscription is live)`).toBeGreaterThan(0);
        expect(leaked(received, "", true), op.field).toEqual([]);
        expect(JSON.stringify(received), op.field).not.toContain(LIVE_MARKER_A);
      }
    } finally {
      await client.dispose();
    }
  }, 60_000);
});
