// Ingest quotas through the API, on the embedded store (PGlite, real Postgres with row-level
// security): a platform operator sets a tenant's quota (audited in that tenant's trail), bad values
// are refused with a reason, a tenant's admins read their own quota and cannot change it, and one
// tenant's quota never shows in another's answer.
import type { FastifyInstance } from "fastify";
import type { RelationalStore } from "@vigil/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiServer, createDevToken, createInProcessAlertFeed } from "../../index.ts";
import { AUDIENCE, ISSUER, SECRET, codes, createTenant, gql, token } from "../../testing/api-fixtures.ts";

let store: RelationalStore;
let app: FastifyInstance;
const A = "quota-a";
const B = "quota-b";
const operator = () =>
  createDevToken({ secret: SECRET, role: "platform-operator", subject: "ops@vigil", issuer: ISSUER, audience: AUDIENCE });
const SET = `mutation($t: ID!, $r: Int, $b: Int) { setTenantIngestQuota(id: $t, ratePerSecond: $r, burst: $b) { ratePerSecond burst customRatePerSecond customBurst } }`;
const READ = `{ ingestQuota { ratePerSecond burst customRatePerSecond customBurst } }`;

beforeAll(async () => {
  const { openRelationalStore } = await import("@vigil/db");
  store = await openRelationalStore({});
  app = await createApiServer({
    kind: "mercurius",
    store,
    alertFeed: createInProcessAlertFeed(),
    auth: { keys: { kind: "secret", secret: SECRET }, issuer: ISSUER, audience: AUDIENCE },
    ingestQuotaDefaults: { ratePerSecond: 300, burst: 3000 },
  });
  await createTenant(store, A);
  await createTenant(store, B);
});
afterAll(async () => {
  await app?.close();
  await store?.close();
});

describe("ingest quotas (API)", () => {
  it("shows a tenant's admins the deployment default until the operator sets theirs", async () => {
    const r = await gql(app, await token(A, "admin"), READ);
    expect(r.errors).toBeUndefined();
    expect(r.data).toEqual({ ingestQuota: { ratePerSecond: 300, burst: 3000, customRatePerSecond: null, customBurst: null } });
  });

  it("lets a platform operator set a tenant's quota, audited with before and after in that tenant's trail", async () => {
    const r = await gql(app, await operator(), SET, { t: A, r: 50, b: 500 });
    expect(r.errors).toBeUndefined();
    expect(r.data).toEqual({ setTenantIngestQuota: { ratePerSecond: 50, burst: 500, customRatePerSecond: 50, customBurst: 500 } });
    const row = await store.prisma.tenant.findUniqueOrThrow({ where: { id: A } });
    expect(row).toMatchObject({ ingestRatePerSecond: 50, ingestBurst: 500 });
    const audit = await store.forTenant(A).auditEntry.findMany({ where: { action: "tenant:set-ingest-quota" } });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      actor: "ops@vigil",
      target: `tenant:${A}`,
      before: { ingestRatePerSecond: null, ingestBurst: null },
      after: { ingestRatePerSecond: 50, ingestBurst: 500 },
    });
    const own = await gql(app, await token(A, "admin"), READ);
    expect(own.data).toEqual({ ingestQuota: { ratePerSecond: 50, burst: 500, customRatePerSecond: 50, customBurst: 500 } });
    // Tenant B is untouched: still the default, and no audit entry of A's change.
    const other = await gql(app, await token(B, "admin"), READ);
    expect(other.data).toEqual({ ingestQuota: { ratePerSecond: 300, burst: 3000, customRatePerSecond: null, customBurst: null } });
    expect(await store.forTenant(B).auditEntry.count({ where: { action: "tenant:set-ingest-quota" } })).toBe(0);
  });

  it("resets a value to the default with null", async () => {
    const r = await gql(app, await operator(), SET, { t: A, r: 80, b: null });
    expect(r.data).toEqual({ setTenantIngestQuota: { ratePerSecond: 80, burst: 3000, customRatePerSecond: 80, customBurst: null } });
  });

  it.each([
    [{ r: 0, b: 10 }, "ratePerSecond must be a whole number from 1 to 1000000, got 0"],
    [{ r: -1, b: 10 }, "ratePerSecond must be a whole number from 1 to 1000000, got -1"],
    [{ r: 2_000_000, b: 10 }, "ratePerSecond must be a whole number from 1 to 1000000"],
    [{ r: 10, b: 0 }, "burst must be a whole number from 1 to 10000000, got 0"],
  ])("refuses the quota %j with BAD_USER_INPUT and changes nothing", async (values, reason) => {
    const before = await store.prisma.tenant.findUniqueOrThrow({ where: { id: A } });
    const r = await gql(app, await operator(), SET, { t: A, ...values });
    expect(codes(r)).toEqual(["BAD_USER_INPUT"]);
    expect(r.errors?.[0]?.message).toContain(reason);
    expect(await store.prisma.tenant.findUniqueOrThrow({ where: { id: A } })).toEqual(before);
  });

  it("refuses a fractional value at the GraphQL layer", async () => {
    const r = await gql(app, await operator(), SET, { t: A, r: 1.5, b: 10 });
    expect(r.errors?.length).toBeGreaterThan(0);
    expect(r.data ?? null).toBeNull();
  });

  it("answers NOT_FOUND for a tenant that does not exist", async () => {
    const r = await gql(app, await operator(), SET, { t: "no-such-tenant", r: 10, b: 10 });
    expect(codes(r)).toEqual(["NOT_FOUND"]);
  });

  it.each(["admin", "operator", "reader"] as const)("does not let a tenant %s set any quota, not even their own", async (role) => {
    const before = await store.prisma.tenant.findUniqueOrThrow({ where: { id: A } });
    const r = await gql(app, await token(A, role), SET, { t: A, r: 1_000_000, b: 10_000_000 });
    expect(codes(r)).toEqual(["FORBIDDEN"]);
    expect(await store.prisma.tenant.findUniqueOrThrow({ where: { id: A } })).toEqual(before);
  });

  it("lets only admins read the quota, and a platform operator reads no tenant's through it", async () => {
    expect(codes(await gql(app, await token(A, "reader"), READ))).toEqual(["FORBIDDEN"]);
    expect(codes(await gql(app, await token(A, "operator"), READ))).toEqual(["FORBIDDEN"]);
    expect(codes(await gql(app, await operator(), READ))).toEqual(["FORBIDDEN"]);
  });
});
