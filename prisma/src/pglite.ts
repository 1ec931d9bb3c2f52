// The embedded adapter: PostgreSQL 17 compiled to WebAssembly (PGlite), in-process, persisted under a
// data directory or held in memory. Same migrations and same row-level security as real PostgreSQL.
import { mkdirSync } from "node:fs";
import { PGlite, type Transaction } from "@electric-sql/pglite";
import { RelationalStoreError } from "./errors.ts";
import { deployOnPGlite, readMigrations, type MigrationReport } from "./migrate.ts";

/**
 * PGlite's only user, `postgres`, is a superuser, and superusers bypass row-level security. The single
 * PGlite session therefore switches (SET ROLE) to this unprivileged role once the schema is in place.
 */
export const EMBEDDED_APP_ROLE = "vigil_app";

// Runs as the superuser. Re-run after every deploy so tables added by new migrations are granted too;
// the migrations bookkeeping table stays out of the application's reach.
async function grantAppRole(tx: Transaction): Promise<void> {
  await tx.exec(`
    DO $$ BEGIN
      IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${EMBEDDED_APP_ROLE}') THEN
        CREATE ROLE ${EMBEDDED_APP_ROLE} NOLOGIN NOSUPERUSER NOBYPASSRLS;
      END IF;
    END $$;
    GRANT USAGE ON SCHEMA public TO ${EMBEDDED_APP_ROLE};
    GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${EMBEDDED_APP_ROLE};
    GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${EMBEDDED_APP_ROLE};
    DO $$ BEGIN
      IF to_regclass('public._prisma_migrations') IS NOT NULL THEN
        REVOKE ALL ON "_prisma_migrations" FROM ${EMBEDDED_APP_ROLE};
      END IF;
    END $$;
  `);
}

/** An open embedded database, already switched to the unprivileged application role. */
export interface EmbeddedDatabase {
  db: PGlite;
  migrations: MigrationReport | undefined;
  /** Deploys pending migrations (as the superuser, inside one PGlite transaction) and re-grants. */
  migrate(): Promise<MigrationReport>;
}

/** Opens PGlite under `dataDir` (in memory when unset), optionally migrates, then drops privileges. */
export async function openEmbeddedDatabase(opts: {
  dataDir?: string;
  migrate: boolean;
  migrationsDir?: string;
}): Promise<EmbeddedDatabase> {
  let db: PGlite;
  try {
    if (opts.dataDir) mkdirSync(opts.dataDir, { recursive: true });
    db = await PGlite.create(opts.dataDir ? { dataDir: opts.dataDir } : {});
  } catch (err) {
    const where = opts.dataDir ? `data directory ${opts.dataDir}` : "an in-memory database";
    const reason = err instanceof Error ? err.message : String(err);
    throw new RelationalStoreError("EMBEDDED_DATABASE_FAILED", `PGlite could not open ${where}: ${reason}`, { cause: err });
  }
  const migrate = () => deployOnPGlite(db, readMigrations(opts.migrationsDir), grantAppRole);
  try {
    let migrations: MigrationReport | undefined;
    if (opts.migrate) migrations = await migrate();
    else await db.transaction(grantAppRole);
    await db.exec(`SET ROLE ${EMBEDDED_APP_ROLE}`);
    return { db, migrations, migrate };
  } catch (err) {
    await db.close().catch(() => {});
    throw err;
  }
}
