// The real adapter: PostgreSQL through node-postgres and @prisma/adapter-pg.
import { PrismaPg } from "@prisma/adapter-pg";
import { parseDatabaseUrl } from "./database-url.ts";
import { RelationalStoreError } from "./errors.ts";
import { deployMigrations, type MigrationReport } from "./migrate.ts";
import { connectionError, connectPostgres, DEFAULT_CONNECT_TIMEOUT_MS } from "./pg-connect.ts";

/** A checked PostgreSQL connection target. */
export interface PostgresDatabase {
  adapter: PrismaPg;
  migrations: MigrationReport | undefined;
  /** Deploys pending migrations over a separate connection (serialized by Prisma's advisory lock). */
  migrate(): Promise<MigrationReport>;
}

/**
 * Fails fast, before any pool exists: the URL must parse, the server must answer within the timeout,
 * and the role must be subject to row-level security (not a superuser, no BYPASSRLS), or tenant
 * isolation would silently rest on the application filter alone.
 */
export async function openPostgresDatabase(opts: {
  databaseUrl: string;
  migrate: boolean;
  connectTimeoutMs?: number;
  migrationsDir?: string;
}): Promise<PostgresDatabase> {
  const info = parseDatabaseUrl(opts.databaseUrl);
  const connectTimeoutMs = opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const probe = await connectPostgres(opts.databaseUrl, connectTimeoutMs);
  try {
    const { rows } = await probe.query<{ rolsuper: boolean; rolbypassrls: boolean }>(
      "SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user",
    );
    if (rows[0]?.rolsuper || rows[0]?.rolbypassrls) {
      throw new RelationalStoreError(
        "DATABASE_ROLE_BYPASSES_RLS",
        `PostgreSQL role "${info.user}" at ${info.display} is a superuser or has BYPASSRLS, so row-level security would not isolate tenants; connect as an ordinary role that owns the database`,
      );
    }
  } catch (err) {
    throw err instanceof RelationalStoreError ? err : connectionError(err, opts.databaseUrl, info);
  } finally {
    await probe.end().catch(() => {});
  }
  const migrate = () => deployMigrations({ databaseUrl: opts.databaseUrl, connectTimeoutMs }, { migrationsDir: opts.migrationsDir });
  const migrations = opts.migrate ? await migrate() : undefined;
  const adapter = new PrismaPg({ connectionString: opts.databaseUrl, connectionTimeoutMillis: connectTimeoutMs });
  return { adapter, migrations, migrate };
}
