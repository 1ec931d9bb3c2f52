import { PrismaPGlite } from "pglite-prisma-adapter";
import { createPrismaClient, type VigilPrismaClient } from "./client.ts";
import type { MigrationReport } from "./migrate.ts";
import { openEmbeddedDatabase } from "./pglite.ts";
import { openPostgresDatabase } from "./postgres.ts";
import { scopeToTenant, type TenantScopedClient } from "./tenant-scope.ts";

/** How to open the relational store. Libraries take options, never env: the deployable passes these. */
export interface OpenRelationalStoreOptions {
  /** postgresql://… → real PostgreSQL. Unset → embedded PGlite. */
  databaseUrl?: string;
  /** PGlite data directory (embedded only); unset → in memory. */
  dataDir?: string;
  /** Apply pending migrations before returning (default true). */
  migrate?: boolean;
  /** PostgreSQL connect timeout in ms (default 3000). */
  connectTimeoutMs?: number;
  /** Migrations to apply (default: this package's prisma/migrations). */
  migrationsDir?: string;
}

/** Result of a health probe; never throws. */
export type RelationalStoreHealth = { ok: true; latencyMs: number } | { ok: false; error: string };

/** The relational-store port: PostgreSQL or PGlite behind one Prisma client. */
export interface RelationalStore {
  /** Which adapter is in use. */
  readonly kind: "postgres" | "pglite";
  /** The raw client for platform-level work (tenants). Outside a tenant scope RLS tables look empty. */
  readonly prisma: VigilPrismaClient;
  /** What opening the store deployed, or undefined when opened with `migrate: false`. */
  readonly migrations: MigrationReport | undefined;
  /** A client whose every operation runs under `tenantId` (row-level security enforced). */
  forTenant(tenantId: string): TenantScopedClient;
  /** Applies pending migrations now; a no-op when none are pending. */
  migrate(): Promise<MigrationReport>;
  /** `SELECT 1` round trip. */
  health(): Promise<RelationalStoreHealth>;
  /** Disconnects (and closes PGlite). Idempotent. */
  close(): Promise<void>;
}

/** Opens the store: PostgreSQL when `databaseUrl` is set, embedded PGlite otherwise. */
export async function openRelationalStore(opts: OpenRelationalStoreOptions = {}): Promise<RelationalStore> {
  const migrate = opts.migrate ?? true;
  if (opts.databaseUrl !== undefined) {
    const pgDb = await openPostgresDatabase({
      databaseUrl: opts.databaseUrl,
      migrate,
      connectTimeoutMs: opts.connectTimeoutMs,
      migrationsDir: opts.migrationsDir,
    });
    const prisma = createPrismaClient(pgDb.adapter);
    return makeStore("postgres", prisma, pgDb.migrations, pgDb.migrate, () => prisma.$disconnect());
  }
  const embedded = await openEmbeddedDatabase({ dataDir: opts.dataDir, migrate, migrationsDir: opts.migrationsDir });
  const prisma = createPrismaClient(new PrismaPGlite(embedded.db));
  return makeStore("pglite", prisma, embedded.migrations, embedded.migrate, async () => {
    await prisma.$disconnect();
    await embedded.db.close();
  });
}

function makeStore(
  kind: RelationalStore["kind"],
  prisma: VigilPrismaClient,
  migrations: MigrationReport | undefined,
  migrate: () => Promise<MigrationReport>,
  shutdown: () => Promise<void>,
): RelationalStore {
  let closing: Promise<void> | undefined;
  return {
    kind,
    prisma,
    migrations,
    forTenant: (tenantId) => scopeToTenant(prisma, tenantId),
    migrate,
    async health() {
      const started = performance.now();
      try {
        await prisma.$queryRaw`SELECT 1`;
        return { ok: true, latencyMs: Math.round((performance.now() - started) * 10) / 10 };
      } catch (err) {
        return { ok: false, error: err instanceof Error ? err.message : String(err) };
      }
    },
    close() {
      closing ??= shutdown();
      return closing;
    },
  };
}
