// @vigil/api: the GraphQL API. The only public entry of this package.
import "reflect-metadata";
import Fastify, { type FastifyInstance, type FastifyServerOptions } from "fastify";
import type { IdentityGraph } from "@vigil/graph-model";
import { type AuthOptions, type TokenVerifier, createTokenVerifier } from "./auth/token-verifier.ts";
import type { Store } from "./db.ts";
import type { AlertFeed } from "./feed/alert-feed.ts";
import { DEFAULT_LIMITS, type QueryLimits } from "./limits.ts";
import { apolloPlugin } from "./server/apollo.ts";
import { healthPlugin } from "./server/health.ts";
import { infrastructurePlugin } from "./server/infrastructure.ts";
import { mercuriusPlugin } from "./server/mercurius.ts";

/** Options of {@link createApiServer}; every dependency is passed in, nothing is read from env. */
export interface ApiServerOptions {
  /** Mercurius serves subscriptions (graphql-ws); Apollo serves queries and mutations only. */
  kind: "mercurius" | "apollo";
  /** The relational store (`openRelationalStore()` from @vigil/db); the caller closes it. */
  store: Store;
  /** Live alerts per tenant; `createInProcessAlertFeed()` or a NATS-backed one. */
  alertFeed: AlertFeed;
  /** How bearer tokens are verified: options for `createTokenVerifier`, or a verifier. */
  auth: AuthOptions | TokenVerifier;
  /** The identity graph (`createNeo4jGraph` / `createMemoryGraph` from @vigil/graph-model), read for entity recentActivity; the caller closes it. Absent: no activity. */
  graph?: IdentityGraph;
  /** Query depth / complexity ceilings (default: depth 10, complexity 5000). */
  limits?: Partial<QueryLimits>;
  /** Fastify logger setting (default off). */
  logger?: FastifyServerOptions["logger"];
  /** Mercurius only: serve GraphiQL at /graphiql. */
  graphiql?: boolean;
}

/** A Fastify app serving /graphql and /healthz, ready to `listen()` or `inject()`. */
export async function createApiServer(options: ApiServerOptions): Promise<FastifyInstance> {
  const app = Fastify({ logger: options.logger ?? false });
  const verifier = "authenticate" in options.auth ? options.auth : createTokenVerifier(options.auth);
  await app.register(infrastructurePlugin, {
    store: options.store,
    alertFeed: options.alertFeed,
    verifier,
    graph: options.graph,
    limits: { ...DEFAULT_LIMITS, ...options.limits },
  });
  await app.register(healthPlugin);
  if (options.kind === "mercurius") await app.register(mercuriusPlugin, { graphiql: options.graphiql });
  else await app.register(apolloPlugin);
  return app;
}

export { createTokenVerifier } from "./auth/token-verifier.ts";
export type { AuthOptions, KeySource, TokenVerifier } from "./auth/token-verifier.ts";
export { createDevToken, DEV_AUDIENCE, DEV_ISSUER } from "./auth/dev-token.ts";
export type { DevTokenOptions } from "./auth/dev-token.ts";
export { TENANT_CLAIM, ROLES_CLAIM, ROLE_CLAIM } from "./auth/claims.ts";
export { ACTIONS, assertCan } from "./auth/permissions.ts";
export type { Action } from "./auth/permissions.ts";
export { ROLES } from "./auth/viewer.ts";
export type { Role, Viewer } from "./auth/viewer.ts";
export { ErrorCode, VigilError } from "./errors.ts";
export { createInProcessAlertFeed } from "./feed/alert-feed.ts";
export type { AlertFeed, AlertPayload, PublishableAlertFeed } from "./feed/alert-feed.ts";
export { DEFAULT_LIMITS } from "./limits.ts";
export type { QueryLimits } from "./limits.ts";
export { buildVigilSchema, printVigilSchema } from "./schema.ts";
export { hashSensorKey } from "./modules/sensors/sensor-key.ts";
export type { Store } from "./db.ts";
