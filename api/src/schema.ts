import "reflect-metadata";
import { type GraphQLSchema, lexicographicSortSchema, printSchema } from "graphql";
import { type PubSub, buildSchemaSync } from "type-graphql";
import { AlertResolver } from "./modules/alerts/alert.resolver.ts";
import { EntityResolver } from "./modules/entities/entity.resolver.ts";
import { SensorResolver } from "./modules/sensors/sensor.resolver.ts";
import { SiemResolver } from "./modules/siem/siem.resolver.ts";
import { AuditResolver } from "./modules/audit/audit.resolver.ts";
import { CredentialResolver } from "./modules/credentials/credential.resolver.ts";
import { TenantResolver } from "./modules/tenants/tenant.resolver.ts";
import { IngestQuotaResolver } from "./modules/tenants/ingest-quota.resolver.ts";
import { PrivacyResolver } from "./modules/privacy/privacy.resolver.ts";
import { HealthResolver } from "./modules/health/health.resolver.ts";
import { PathResolver } from "./modules/paths/paths.resolver.ts";
import { PostureResolver } from "./modules/posture/index.ts";

let built: GraphQLSchema | undefined;

/**
 * type-graphql demands a pubSub once any subscription exists, even when each one brings its own
 * `subscribe`. Ours all read the tenant-scoped AlertFeed; a topic-based subscription would bypass
 * that scoping, so this one refuses to be used.
 */
const noTopicPubSub: PubSub = {
  publish: () => {
    throw new Error("topic-based subscriptions are not used: publish to an AlertFeed");
  },
  subscribe: () => {
    throw new Error("topic-based subscriptions are not used: subscribe through an AlertFeed");
  },
};

/**
 * The Vigil GraphQL schema, code-first with type-graphql. Built once per process: type-graphql
 * keeps decorator metadata globally, and every server in the process can share one schema.
 */
export function buildVigilSchema(): GraphQLSchema {
  built ??= buildSchemaSync({
    resolvers: [
      AlertResolver,
      SensorResolver,
      EntityResolver,
      SiemResolver,
      AuditResolver,
      CredentialResolver,
      TenantResolver,
      IngestQuotaResolver,
      HealthResolver,
      PrivacyResolver,
      PathResolver,
      PostureResolver,
    ],
    validate: false,
    pubSub: noTopicPubSub,
    emitSchemaFile: false,
  });
  return built;
}

/** SDL of the schema, sorted so the output is stable (for `vigil schema` and review diffs). */
export function printVigilSchema(): string {
  return printSchema(lexicographicSortSchema(buildVigilSchema()));
}
