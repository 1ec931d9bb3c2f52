// Fixture chain for the black-box API suites (Hive style): store → tenants → tokens → server → requests.
import type { FastifyInstance } from "fastify";
import { type RelationalStore, openRelationalStore } from "@vigil/db";
import type { IdentityGraph } from "@vigil/graph-model";
import {
  type AlertPayload,
  type PublishableAlertFeed,
  type Role,
  type Store,
  createApiServer,
  createDevToken,
  createInProcessAlertFeed,
} from "../index.ts";
import type { QueryLimits } from "../limits.ts";

export const SECRET = "test-secret-test-secret-test-secret!";
export const ISSUER = "https://idp.test";
export const AUDIENCE = "vigil-api-test";
export type ServerKind = "mercurius" | "apollo";

/** A token the suite's servers accept, unless overridden to make it fail. */
export function token(tenantId: string, role: Role, over: { secret?: string; audience?: string; expiresIn?: number | string } = {}) {
  return createDevToken({
    secret: over.secret ?? SECRET,
    tenantId,
    role,
    subject: `${role}@${tenantId}`,
    issuer: ISSUER,
    audience: over.audience ?? AUDIENCE,
    expiresIn: over.expiresIn,
  });
}

/** One embedded store (PGlite, migrations applied) and an in-process feed for a test file. */
export async function openFixtures(): Promise<{ store: RelationalStore; feed: PublishableAlertFeed }> {
  return { store: await openRelationalStore({}), feed: createInProcessAlertFeed() };
}

export async function startServer(
  kind: ServerKind,
  fixtures: { store: Store; feed: PublishableAlertFeed; graph?: IdentityGraph },
  limits?: Partial<QueryLimits>,
): Promise<FastifyInstance> {
  return createApiServer({
    kind,
    store: fixtures.store,
    alertFeed: fixtures.feed,
    graph: fixtures.graph,
    auth: { keys: { kind: "secret", secret: SECRET }, issuer: ISSUER, audience: AUDIENCE },
    limits,
  });
}

/** Creates a tenant row (platform-level, outside any tenant scope). */
export async function createTenant(store: RelationalStore, id: string): Promise<string> {
  await store.prisma.tenant.create({ data: { id, name: `Tenant ${id}` } });
  return id;
}

export interface GraphQLResponse<T = Record<string, unknown>> {
  status: number;
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

/** POST /graphql through inject(), as a client would. */
export async function gql<T = Record<string, unknown>>(
  app: FastifyInstance,
  bearer: string | undefined,
  query: string,
  variables?: Record<string, unknown>,
): Promise<GraphQLResponse<T>> {
  const response = await app.inject({
    method: "POST",
    url: "/graphql",
    headers: { "content-type": "application/json", ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
    payload: JSON.stringify({ query, variables }),
  });
  return { status: response.statusCode, ...(response.json() as Omit<GraphQLResponse<T>, "status">) };
}

/** The codes of a response's errors, for compact assertions. */
export const codes = (response: GraphQLResponse) => (response.errors ?? []).map((e) => e.extensions?.code);

/** Alert columns for a tenant, with defaults; seed through `store.forTenant(t).alert.create`. */
export function alertRow(tenantId: string, over: Partial<AlertSeed> & { minutesAgo: number }) {
  const lastSeen = new Date(Date.now() - over.minutesAgo * 60_000);
  return {
    tenantId,
    detectionId: over.detectionId ?? "kerberoasting",
    severity: over.severity ?? "high",
    status: over.status ?? "open",
    title: over.title ?? "Suspected Kerberoasting",
    description: "Many service tickets requested with RC4 by one account.",
    primaryEntity: over.primaryEntity ?? "user:S-1-5-21-1-2-3-1104",
    entities: over.entities ?? [{ kind: "user", key: over.primaryEntity ?? "user:S-1-5-21-1-2-3-1104" }],
    mitre: ["T1558.003"],
    firstSeen: new Date(lastSeen.getTime() - 5 * 60_000),
    lastSeen,
    recommendedActions: ["Reset the service account passwords"],
  };
}

export interface AlertSeed {
  detectionId: string;
  severity: "low" | "medium" | "high";
  status: "open" | "closed" | "suppressed";
  title: string;
  primaryEntity: string;
  entities: { kind: string; key: string }[];
}

/** An alert as the processor would announce it on the feed. */
export function alertPayload(tenantId: string, id: string, severity: AlertPayload["severity"] = "high"): AlertPayload {
  const now = new Date();
  return {
    tenantId,
    id,
    detectionId: "dcsync",
    severity,
    status: "open",
    title: `DCSync by ${id}`,
    description: "Replication request from a non-DC.",
    primaryEntity: "user:S-1-5-21-9-9-9-1105",
    entities: [{ kind: "user", key: "user:S-1-5-21-9-9-9-1105" }],
    mitre: ["T1003.006"],
    firstSeen: now,
    lastSeen: now,
    count: 1,
    recommendedActions: ["Disable the account"],
  };
}
