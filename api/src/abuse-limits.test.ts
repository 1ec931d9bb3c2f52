// Per-tenant rate limits and the body size limit, black-box on both servers over the embedded store.
import type { RelationalStore } from "@vigil/db";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PublishableAlertFeed, createApiServer } from "./index.ts";
import { createRateLimiter } from "./server/rate-limit.ts";
import { AUDIENCE, ISSUER, SECRET, type ServerKind, codes, createTenant, gql, openFixtures, token } from "./testing/api-fixtures.ts";

let fixtures: { store: RelationalStore; feed: PublishableAlertFeed };
beforeAll(async () => {
  fixtures = await openFixtures();
});
afterAll(async () => {
  await fixtures?.store.close();
});

describe("createRateLimiter", () => {
  it("allows the burst, then one request per refill interval, per key", () => {
    let now = 0;
    const limiter = createRateLimiter({ perMinute: 60, burst: 2, now: () => now });
    expect([limiter.take("a"), limiter.take("a"), limiter.take("a")]).toEqual([0, 0, 1000]);
    expect(limiter.take("b")).toBe(0);
    now = 999;
    expect(limiter.take("a")).toBe(1);
    now = 1000;
    expect(limiter.take("a")).toBe(0);
  });
});

describe.each<ServerKind>(["mercurius", "apollo"])("abuse limits on %s", (kind) => {
  let app: FastifyInstance;
  const A = `${kind}-abuse-a`;
  const B = `${kind}-abuse-b`;

  beforeAll(async () => {
    app = await createApiServer({
      kind,
      store: fixtures.store,
      alertFeed: fixtures.feed,
      auth: { keys: { kind: "secret", secret: SECRET }, issuer: ISSUER, audience: AUDIENCE },
      ratePerMinute: 3,
      bodyLimitBytes: 2048,
    });
    await createTenant(fixtures.store, A);
    await createTenant(fixtures.store, B);
  });
  afterAll(async () => {
    await app?.close();
  });

  it("answers 429 RATE_LIMITED with Retry-After once a tenant spends its budget, without touching other tenants", async () => {
    const [readerA, adminA, readerB] = await Promise.all([token(A, "reader"), token(A, "admin"), token(B, "reader")]);
    // Two users of one tenant share the tenant's budget.
    for (const bearer of [readerA, adminA, readerA]) expect((await gql(app, bearer, `{ sensors { id } }`)).status).toBe(200);
    const response = await app.inject({
      method: "POST",
      url: "/graphql",
      headers: { "content-type": "application/json", authorization: `Bearer ${adminA}` },
      payload: JSON.stringify({ query: `{ sensors { id } }` }),
    });
    expect(response.statusCode).toBe(429);
    expect(Number(response.headers["retry-after"])).toBeGreaterThanOrEqual(1);
    expect(response.json()).toEqual({
      data: null,
      errors: [{ message: expect.stringMatching(/^Rate limit exceeded/), extensions: { code: "RATE_LIMITED" } }],
    });
    expect((await gql(app, readerB, `{ sensors { id } }`)).status).toBe(200);
  });

  it("charges unauthenticated requests to the client address", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await gql(app, undefined, `{ sensors { id } }`)).status);
    expect(statuses.slice(0, 3).every((s) => s !== 429)).toBe(true);
    expect(statuses[3]).toBe(429);
  });

  it("refuses a body above the limit with 413 and a coded error", async () => {
    const response = await app.inject({
      method: "POST",
      url: "/graphql",
      headers: { "content-type": "application/json", authorization: `Bearer ${await token(B, "reader")}` },
      payload: JSON.stringify({ query: `{ sensors { id } }`, variables: { pad: "x".repeat(4096) } }),
    });
    expect(response.statusCode).toBe(413);
    expect(codes(response.json())).toEqual(["PAYLOAD_TOO_LARGE"]);
  });
});
