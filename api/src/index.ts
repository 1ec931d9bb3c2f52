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
import { rateLimitPlugin } from "./server/rate-limit.ts";

const DEFAULT_BODY_LIMIT = 1_048_576;
const DEFAULT_RATE_PER_MINUTE = 600;
import type { DirectoryConnectionTester } from "./modules/credentials/directory-tester.ts";
import { createLdapBindTester } from "./modules/credentials/ldap-bind-tester.ts";
import { createSecretBox } from "./modules/credentials/secret-box.ts";
import type { HealthFeed, SiemTestRequester } from "./modules/health/index.ts";
import { createSensorNatsCredentials, type SensorNatsOptions } from "./modules/sensors/sensor-nats.ts";

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
  /** Live health-issue changes per tenant; absent: the healthIssueChanged subscription has no source. */
  healthFeed?: HealthFeed;
  /** Sends SIEM test notifications through the forwarder; absent: that mutation is NOT_CONFIGURED or as the health module says. */
  siemTests?: SiemTestRequester;
  /** 32-byte key (base64url text or bytes) that seals directory-service passwords; absent: credentials cannot be added. */
  secretsKey?: string | Uint8Array;
  /** Operator-mode NATS (docs/nats-auth.md): sensors get NATS credentials, revoked with their keys; absent: natsCreds is null. */
  sensorNats?: SensorNatsOptions;
  /** Binds to a DC for testDirectoryCredential (default: the built-in LDAP simple-bind tester). */
  directoryTester?: DirectoryConnectionTester;
  /** Query depth / complexity ceilings (default: depth 10, complexity 5000). */
  limits?: Partial<QueryLimits>;
  /** GraphQL HTTP requests per tenant per minute (default 600); unauthenticated ones count per client IP. */
  ratePerMinute?: number;
  /** Largest accepted request body in bytes (default 1 MiB); larger bodies get 413. */
  bodyLimitBytes?: number;
  /** The deployment's sensor ingest quota for tenants that set none (default DEFAULT_INGEST_QUOTA of the sensor contract). */
  ingestQuotaDefaults?: { ratePerSecond: number; burst: number };
  /** Fastify logger setting (default off). */
  logger?: FastifyServerOptions["logger"];
  /** Mercurius only: serve GraphiQL at /graphiql. */
  graphiql?: boolean;
}

/** A Fastify app serving /graphql and /healthz, ready to `listen()` or `inject()`. */
export async function createApiServer(options: ApiServerOptions): Promise<FastifyInstance> {
  const app = Fastify({ logger: options.logger ?? false, bodyLimit: options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT });
  const verifier = "authenticate" in options.auth ? options.auth : createTokenVerifier(options.auth);
  await app.register(infrastructurePlugin, {
    store: options.store,
    alertFeed: options.alertFeed,
    verifier,
    graph: options.graph,
    secretBox: options.secretsKey === undefined ? undefined : createSecretBox(options.secretsKey),
    directoryTester: options.directoryTester ?? createLdapBindTester(),
    healthFeed: options.healthFeed,
    siemTests: options.siemTests,
    ingestQuotaDefaults: options.ingestQuotaDefaults,
    sensorNats: options.sensorNats ? createSensorNatsCredentials(options.sensorNats) : undefined,
    limits: { ...DEFAULT_LIMITS, ...options.limits },
  });
  await app.register(healthPlugin);
  await app.register(rateLimitPlugin, { perMinute: options.ratePerMinute ?? DEFAULT_RATE_PER_MINUTE });
  if (options.kind === "mercurius") await app.register(mercuriusPlugin, { graphiql: options.graphiql });
  else await app.register(apolloPlugin);
  return app;
}

export { createTokenVerifier } from "./auth/token-verifier.ts";
export type { AuthOptions, KeySource, TokenVerifier } from "./auth/token-verifier.ts";
export { createDevToken, DEV_AUDIENCE, DEV_ISSUER } from "./auth/dev-token.ts";
export type { DevTokenOptions } from "./auth/dev-token.ts";
export { TENANT_CLAIM, ROLES_CLAIM, ROLE_CLAIM } from "./auth/claims.ts";
export { ACTIONS, PLATFORM_ACTIONS, assertCan } from "./auth/permissions.ts";
export type { Action, PlatformAction } from "./auth/permissions.ts";
export { ROLES, PLATFORM_OPERATOR } from "./auth/viewer.ts";
export { createLdapBindTester } from "./modules/credentials/ldap-bind-tester.ts";
export type { LdapBindTesterOptions } from "./modules/credentials/ldap-bind-tester.ts";
export type {
  DirectoryBindTarget,
  DirectoryConnectionTester,
  DirectoryTestFailure,
  DirectoryTestResult,
} from "./modules/credentials/directory-tester.ts";
export { createSecretBox } from "./modules/credentials/secret-box.ts";
export type { SensorNatsOptions } from "./modules/sensors/sensor-nats.ts";
export { createInProcessHealthFeed } from "./modules/health/index.ts";
export type { HealthFeed, HealthIssueChangePayload, SiemTestRequester } from "./modules/health/index.ts";
export type { SecretBinding, SecretBox } from "./modules/credentials/secret-box.ts";
export type { Role, Viewer } from "./auth/viewer.ts";
export { ErrorCode, VigilError } from "./errors.ts";
export { createInProcessAlertFeed } from "./feed/alert-feed.ts";
export type { AlertFeed, AlertPayload, PublishableAlertFeed } from "./feed/alert-feed.ts";
export { DEFAULT_LIMITS } from "./limits.ts";
export type { QueryLimits } from "./limits.ts";
export { buildVigilSchema, printVigilSchema } from "./schema.ts";
export { hashSensorKey } from "./modules/sensors/sensor-key.ts";
export type { Store } from "./db.ts";
