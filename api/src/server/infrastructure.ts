import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import type { GraphQLSchema } from "graphql";
import { type Infrastructure, type Managers, type VigilContext, createContext, createManagers } from "../context.ts";
import type { Authentication } from "../auth/viewer.ts";
import type { QueryLimits } from "../limits.ts";
import { buildVigilSchema } from "../schema.ts";

/** Everything the GraphQL plugins need, decorated on the Fastify instance as `vigil`. */
export interface VigilServices extends Infrastructure {
  managers: Managers;
  schema: GraphQLSchema;
  limits: QueryLimits;
  /** The request context for an `Authorization` header value (HTTP) or connectionInit value (WebSocket); `known` skips re-verifying. */
  contextFor(authorization: string | undefined | null, known?: Authentication): Promise<VigilContext>;
}

declare module "fastify" {
  interface FastifyInstance {
    vigil: VigilServices;
  }
}

/** Options of the infrastructure plugin: the ports plus the query limits. */
export interface InfrastructurePluginOptions extends Infrastructure {
  limits: QueryLimits;
}

/**
 * Registers store, alert feed, token verifier and the optional identity graph (owned by the caller, which also closes them)
 * and the managers built on them. Named so the GraphQL and health plugins can declare it as a
 * dependency and fail fast when it is missing.
 */
export const infrastructurePlugin = fp<InfrastructurePluginOptions>(
  async (app: FastifyInstance, options) => {
    const infra: Infrastructure = {
      store: options.store,
      alertFeed: options.alertFeed,
      verifier: options.verifier,
      graph: options.graph,
      secretBox: options.secretBox,
      directoryTester: options.directoryTester,
      healthFeed: options.healthFeed,
      siemTests: options.siemTests,
      ingestQuotaDefaults: options.ingestQuotaDefaults,
      sensorNats: options.sensorNats,
    };
    const managers = createManagers(infra);
    app.decorate("vigil", {
      ...infra,
      managers,
      schema: buildVigilSchema(),
      limits: options.limits,
      contextFor: (authorization, known) => createContext(infra, managers, authorization, known),
    } satisfies VigilServices);
  },
  { name: "vigil-infrastructure", fastify: "5.x" },
);
