// @vigil/db: the relational-store port (Prisma 7 on PostgreSQL or embedded PGlite). The only public
// entry of this package; nothing else may import from its src/.

export { openRelationalStore } from "./open.ts";
export type { OpenRelationalStoreOptions, RelationalStore, RelationalStoreHealth } from "./open.ts";
export { TENANT_MODELS } from "./tenant-scope.ts";
export type { TenantModelName, TenantScopedClient, TenantTransaction, TenantTransactionOptions } from "./tenant-scope.ts";
export { OMITTED_SECRETS } from "./client.ts";
export type { VigilPrismaClient } from "./client.ts";
export { deployMigrations, readMigrations, defaultMigrationsDir } from "./migrate.ts";
export type { DeployOptions, Migration, MigrationReport, MigrationTarget } from "./migrate.ts";
export { EMBEDDED_APP_ROLE } from "./pglite.ts";
export { parseDatabaseUrl } from "./database-url.ts";
export type { DatabaseUrlInfo } from "./database-url.ts";
export { RelationalStoreError, RelationalStoreErrorCode, isRelationalStoreError, sqlStateOf } from "./errors.ts";

/** Prisma's namespace (error classes, input types) and the enums of schema.prisma. */
export {
  Prisma,
  Severity,
  AlertStatus,
  AlertClassification,
  EntityTagKind,
  HealthIssueStatus,
  SiemProtocol,
  SiemFormat,
  PostureStatus,
} from "./generated/prisma/client.ts";
/** Row types of schema.prisma's models. */
export type {
  Tenant,
  Sensor,
  Alert,
  AlertEvidence,
  AlertComment,
  EntityTag,
  DirectoryServiceCredential,
  HealthIssue,
  AuditEntry,
  SiemTarget,
  PostureAssessment,
  PostureScore,
} from "./generated/prisma/client.ts";
