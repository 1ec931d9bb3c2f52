// The health API black-box: healthIssues, setHealthIssueStatus (suppress 7 days, audited),
// sendTestSiemNotification and the healthIssueChanged subscription over a real graphql-ws WebSocket,
// on the embedded store (PGlite, real Postgres with row-level security). Two tenants throughout.
import type { FastifyInstance } from "fastify";
import type { RelationalStore } from "@vigil/db";
import { type Client, createClient } from "graphql-ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import {
  createApiServer,
  createInProcessAlertFeed,
  createInProcessHealthFeed,
  type HealthFeed,
  type SiemTestRequester,
} from "../../index.ts";
import { AUDIENCE, ISSUER, SECRET, codes, createTenant, gql, token } from "../../testing/api-fixtures.ts";
import { SUPPRESS_MS } from "./health.manager.ts";

let store: RelationalStore;
let app: FastifyInstance;
let bare: FastifyInstance;
let url: string;
let healthFeed: HealthFeed;
const requested: string[] = [];
const clients: Client[] = [];
const A = "health-a";
const B = "health-b";

beforeAll(async () => {
  const { openRelationalStore } = await import("@vigil/db");
  store = await openRelationalStore({});
  healthFeed = createInProcessHealthFeed();
  // The requester the CLI wires publishes on the bus; here the request is recorded where the bus would carry it.
  const siemTests: SiemTestRequester = { request: async (tenantId) => void requested.push(tenantId) };
  const auth = { keys: { kind: "secret" as const, secret: SECRET }, issuer: ISSUER, audience: AUDIENCE };
  app = await createApiServer({ kind: "mercurius", store, alertFeed: createInProcessAlertFeed(), healthFeed, siemTests, auth });
  bare = await createApiServer({ kind: "mercurius", store, alertFeed: createInProcessAlertFeed(), auth });
  await app.listen({ port: 0, host: "127.0.0.1" });
  const address = app.server.address();
  if (!address || typeof address === "string") throw new Error("expected a TCP address");
  url = `ws://127.0.0.1:${address.port}/graphql`;
  await createTenant(store, A);
  await createTenant(store, B);
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  await app?.close();
  await bare?.close();
  await store?.close();
});

async function seedIssue(tenantId: string, over: { type?: string; status?: "open" | "closed" | "suppressed"; minutesAgo?: number } = {}) {
  const at = new Date(Date.now() - (over.minutesAgo ?? 1) * 60_000);
  return store.forTenant(tenantId).healthIssue.create({
    data: {
      tenantId,
      type: over.type ?? "sensor-stopped-communicating",
      severity: "medium",
      status: over.status ?? "open",
      description: `issue of ${tenantId}`,
      details: { lastSeen: at.toISOString() },
      firstSeen: at,
      lastSeen: at,
    },
  });
}

const LIST = `query($status: HealthIssueStatus) { healthIssues(status: $status) { id type subject severity status description details firstSeen closedAt suppressedUntil } }`;
const SET = `mutation($id: ID!, $status: HealthIssueStatus!) { setHealthIssueStatus(id: $id, status: $status) { id status closedAt suppressedUntil } }`;
const TEST = `mutation { sendTestSiemNotification }`;

describe("healthIssues", () => {
  it("lists the caller's tenant only, filtered by status, newest first", async () => {
    const older = await seedIssue(A, { minutesAgo: 10 });
    const newer = await seedIssue(A, { type: "dc-no-traffic", minutesAgo: 2 });
    const closed = await seedIssue(A, { status: "closed" });
    const other = await seedIssue(B);
    const all = await gql<{ healthIssues: { id: string }[] }>(app, await token(A, "reader"), LIST);
    expect(all.errors).toBeUndefined();
    const ids = all.data!.healthIssues.map((i) => i.id);
    expect(ids).toEqual(expect.arrayContaining([older.id, newer.id, closed.id]));
    expect(ids).not.toContain(other.id);
    expect(ids.indexOf(newer.id)).toBeLessThan(ids.indexOf(older.id));
    const open = await gql<{ healthIssues: { id: string; status: string }[] }>(app, await token(A, "reader"), LIST, { status: "OPEN" });
    expect(open.data!.healthIssues.every((i) => i.status === "OPEN")).toBe(true);
    expect(open.data!.healthIssues.map((i) => i.id)).not.toContain(closed.id);
  });

  it("requires a token", async () => {
    expect(codes(await gql(app, undefined, LIST))).toEqual(["UNAUTHENTICATED"]);
  });
});

describe("setHealthIssueStatus", () => {
  it("suppresses for 7 days, closes and reopens, writing an audit entry each time", async () => {
    const issue = await seedIssue(A);
    const admin = await token(A, "admin");
    const before = Date.now();
    const suppressed = await gql<{ setHealthIssueStatus: { status: string; suppressedUntil: string } }>(app, admin, SET, {
      id: issue.id,
      status: "SUPPRESSED",
    });
    expect(suppressed.errors).toBeUndefined();
    expect(suppressed.data!.setHealthIssueStatus.status).toBe("SUPPRESSED");
    const until = Date.parse(suppressed.data!.setHealthIssueStatus.suppressedUntil);
    expect(until - before).toBeGreaterThanOrEqual(SUPPRESS_MS);
    expect(until - Date.now()).toBeLessThanOrEqual(SUPPRESS_MS);
    const closed = await gql<{ setHealthIssueStatus: { status: string; closedAt: string; suppressedUntil: null } }>(app, admin, SET, {
      id: issue.id,
      status: "CLOSED",
    });
    expect(closed.data!.setHealthIssueStatus).toMatchObject({ status: "CLOSED", suppressedUntil: null });
    expect(closed.data!.setHealthIssueStatus.closedAt).toBeTruthy();
    const reopened = await gql<{ setHealthIssueStatus: { status: string; closedAt: null } }>(app, admin, SET, {
      id: issue.id,
      status: "OPEN",
    });
    expect(reopened.data!.setHealthIssueStatus).toMatchObject({ status: "OPEN", closedAt: null });
    const audit = await store.forTenant(A).auditEntry.findMany({ where: { target: `health-issue:${issue.id}` }, orderBy: { at: "asc" } });
    expect(audit.map((e) => [e.action, (e.after as { status: string }).status])).toEqual([
      ["health:update", "suppressed"],
      ["health:update", "closed"],
      ["health:update", "open"],
    ]);
  });

  it("refuses readers, and another tenant's issue is not found (nothing changes)", async () => {
    const issue = await seedIssue(A);
    expect(codes(await gql(app, await token(A, "reader"), SET, { id: issue.id, status: "CLOSED" }))).toEqual(["FORBIDDEN"]);
    expect(codes(await gql(app, await token(B, "admin"), SET, { id: issue.id, status: "CLOSED" }))).toEqual(["NOT_FOUND"]);
    expect((await store.forTenant(A).healthIssue.findUnique({ where: { id: issue.id } }))?.status).toBe("open");
  });

  it("rejects a status outside the enum", async () => {
    const issue = await seedIssue(A);
    expect(codes(await gql(app, await token(A, "admin"), SET, { id: issue.id, status: "deleted" }))).toEqual(["BAD_USER_INPUT"]);
  });
});

describe("sendTestSiemNotification", () => {
  it("needs a SIEM target, then asks the forwarder for the caller's tenant only", async () => {
    const admin = await token(A, "admin");
    expect(codes(await gql(app, admin, TEST))).toEqual(["BAD_USER_INPUT"]);
    await store.forTenant(A).siemTarget.create({ data: { tenantId: A, host: "127.0.0.1", port: 514, protocol: "udp", format: "rfc5424" } });
    const ok = await gql<{ sendTestSiemNotification: boolean }>(app, admin, TEST);
    expect(ok.errors).toBeUndefined();
    expect(ok.data!.sendTestSiemNotification).toBe(true);
    expect(requested).toEqual([A]);
    expect(codes(await gql(app, await token(B, "admin"), TEST))).toEqual(["BAD_USER_INPUT"]);
    expect(codes(await gql(app, await token(A, "operator"), TEST))).toEqual(["FORBIDDEN"]);
    expect(requested).toEqual([A]);
    expect(await store.forTenant(A).auditEntry.count({ where: { target: "siem:test-notification" } })).toBe(1);
  });

  it("answers NOT_CONFIGURED on a server without a forwarder link", async () => {
    expect(codes(await gql(bare, await token(A, "admin"), TEST))).toEqual(["NOT_CONFIGURED"]);
  });
});

describe("healthIssueChanged", () => {
  function subscribe(bearer: string) {
    const client = createClient({
      url,
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      connectionParams: { authorization: `Bearer ${bearer}` },
    });
    clients.push(client);
    const state = { received: [] as { change: string; issue: { id: string; status: string } }[], error: undefined as unknown };
    client.subscribe<{ healthIssueChanged: (typeof state.received)[number] }>(
      { query: `subscription { healthIssueChanged { change issue { id status type } } }` },
      {
        next: (r) => r.data && state.received.push(r.data.healthIssueChanged),
        error: (e) => (state.error = e ?? "error"),
        complete: () => {},
      },
    );
    return { client, state };
  }
  const connected = (c: Client) => new Promise<void>((r) => c.on("connected", () => r()));
  const settle = () => new Promise((r) => setTimeout(r, 200));

  it("delivers the caller's tenant's changes (processor announcements and admin changes), never another tenant's", async () => {
    const a = subscribe(await token(A, "reader"));
    const b = subscribe(await token(B, "reader"));
    await Promise.all([connected(a.client), connected(b.client)]);
    await settle();
    const issue = await seedIssue(A);
    await healthFeed.publish({ change: "raised", issue: { ...issue, tenantId: A } });
    await gql(app, await token(A, "admin"), SET, { id: issue.id, status: "SUPPRESSED" });
    await new Promise<void>((resolve, reject) => {
      const t = setInterval(() => a.state.received.length >= 2 && (clearInterval(t), resolve()), 20);
      setTimeout(() => (clearInterval(t), reject(new Error(`received ${JSON.stringify(a.state.received)}`))), 5000);
    });
    expect(a.state.received).toEqual([
      { change: "RAISED", issue: { id: issue.id, status: "OPEN", type: "sensor-stopped-communicating" } },
      { change: "SUPPRESSED", issue: { id: issue.id, status: "SUPPRESSED", type: "sensor-stopped-communicating" } },
    ]);
    await settle();
    expect(b.state.received).toEqual([]);
    expect(a.state.error).toBeUndefined();
  });
});
