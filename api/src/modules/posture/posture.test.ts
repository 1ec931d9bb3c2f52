// The posture API black-box on both servers (Mercurius and Apollo) over the embedded store (PGlite,
// real Postgres with row-level security): rows stored as the processor's posture runner stores them
// come back for the caller's tenant only, filtered by status; the score is the latest run's.
import type { RelationalStore } from "@vigil/db";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { uniqueTenantId } from "../../../../test-support/services.ts";
import { type ServerKind, codes, createTenant, gql, openFixtures, startServer, token } from "../../testing/api-fixtures.ts";

let store: RelationalStore;
const servers = new Map<ServerKind, FastifyInstance>();
const A = uniqueTenantId("posture-api-a");
const B = uniqueTenantId("posture-api-b");
const T1 = new Date("2026-11-24T12:00:00.000Z");
const T2 = new Date("2026-11-25T12:00:00.000Z");

beforeAll(async () => {
  const fixtures = await openFixtures();
  store = fixtures.store;
  for (const kind of ["mercurius", "apollo"] as const) servers.set(kind, await startServer(kind, fixtures));
  await createTenant(store, A);
  await createTenant(store, B);
  const a = store.forTenant(A);
  await a.postureAssessment.create({
    data: {
      tenantId: A,
      assessmentId: "unsecure-account-attributes",
      title: "Unsecure account attributes",
      category: "privileged-accounts",
      severity: "high",
      status: "failed",
      affected: [{ objectId: "S-1-5-21-1-2-3-1105", name: "carol", reason: "Kerberos pre-authentication is not required" }],
      remediation: "Require Kerberos pre-authentication.",
      evaluatedAt: T2,
      statusSince: T1,
    },
  });
  await a.postureAssessment.create({
    data: {
      tenantId: A,
      assessmentId: "weak-cipher-usage",
      title: "Weak cipher usage",
      category: "kerberos",
      severity: "medium",
      status: "unknown",
      affected: [],
      remediation: "Disable RC4.",
      note: "no traffic observations",
      evaluatedAt: T2,
      statusSince: T2,
    },
  });
  await a.postureScore.create({
    data: { tenantId: A, score: 20, categories: { kerberos: 0 }, complete: false, unknown: ["weak-cipher-usage"], evaluatedAt: T1 },
  });
  await a.postureScore.create({
    data: { tenantId: A, score: 35, categories: { kerberos: 0 }, complete: false, unknown: ["weak-cipher-usage"], evaluatedAt: T2 },
  });
});
afterAll(async () => {
  for (const s of servers.values()) await s.close();
  await store?.close();
});

const LIST = `query($status: PostureStatus) { postureAssessments(status: $status) { id title category severity status affected { objectId name reason } remediation note evaluatedAt statusSince } }`;
const SCORE = `{ postureScore { score categories complete unknown evaluatedAt } }`;
const HISTORY = `query($first: Int) { postureScoreHistory(first: $first) { score evaluatedAt } }`;

interface Listed {
  postureAssessments: { id: string; status: string; affected: unknown[]; note: string | null; statusSince: string }[];
}

describe.each<ServerKind>(["mercurius", "apollo"])("posture on %s", (kind) => {
  const app = () => servers.get(kind)!;

  it("lists the tenant's assessments with affected entities, remediation, note and statusSince, filtered by status", async () => {
    const all = await gql<Listed>(app(), await token(A, "reader"), LIST);
    expect(all.errors).toBeUndefined();
    expect(all.data!.postureAssessments.map((r) => r.id)).toEqual(["unsecure-account-attributes", "weak-cipher-usage"]);
    expect(all.data!.postureAssessments[0]).toMatchObject({
      status: "FAILED",
      affected: [{ objectId: "S-1-5-21-1-2-3-1105", name: "carol", reason: "Kerberos pre-authentication is not required" }],
      statusSince: T1.toISOString(),
    });
    const unknown = await gql<Listed>(app(), await token(A, "reader"), LIST, { status: "UNKNOWN" });
    expect(unknown.data!.postureAssessments).toEqual([
      expect.objectContaining({ id: "weak-cipher-usage", note: "no traffic observations" }),
    ]);
  });

  it("answers the latest score and the history, newest first", async () => {
    const score = await gql<{ postureScore: { score: number; complete: boolean; unknown: string[]; evaluatedAt: string } }>(
      app(),
      await token(A, "reader"),
      SCORE,
    );
    expect(score.errors).toBeUndefined();
    expect(score.data!.postureScore).toMatchObject({
      score: 35,
      complete: false,
      unknown: ["weak-cipher-usage"],
      evaluatedAt: T2.toISOString(),
    });
    const history = await gql<{ postureScoreHistory: { score: number }[] }>(app(), await token(A, "reader"), HISTORY, { first: 5 });
    expect(history.data!.postureScoreHistory.map((s) => s.score)).toEqual([35, 20]);
    const bad = await gql(app(), await token(A, "reader"), HISTORY, { first: 0 });
    expect(codes(bad)).toEqual(["BAD_USER_INPUT"]);
  });

  it("shows tenant B nothing of tenant A, and refuses callers without a token", async () => {
    const list = await gql<Listed>(app(), await token(B, "admin"), LIST);
    expect(list.data!.postureAssessments).toEqual([]);
    const score = await gql<{ postureScore: unknown }>(app(), await token(B, "admin"), SCORE);
    expect(score.data!.postureScore).toBeNull();
    const history = await gql<{ postureScoreHistory: unknown[] }>(app(), await token(B, "admin"), HISTORY);
    expect(history.data!.postureScoreHistory).toEqual([]);
    expect(codes(await gql(app(), undefined, SCORE))).toEqual(["UNAUTHENTICATED"]);
  });
});
