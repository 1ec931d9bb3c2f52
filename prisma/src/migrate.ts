// Applies prisma/migrations/*/migration.sql in order and keeps Prisma's own `_prisma_migrations` table,
// so `prisma migrate deploy/status` (where the native engine is available) accept the result.
//
// Why not Prisma's schema engine here: the CLI needs a native binary that cannot be downloaded, and the
// WASM engine (@prisma/schema-engine-wasm) is an internal, exactly-pinned dev dependency built from a
// different engine commit than prisma 7.10.1, adds seconds per start (5 MB wasm plus a shadow PGlite)
// and its PGlite adapter does not await script errors. The WASM engine still writes migrations
// (scripts/migrate.mjs) and a test checks that it sees databases deployed here as up to date.
import { createHash, randomUUID } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { PGlite, Transaction } from "@electric-sql/pglite";
import { parseDatabaseUrl } from "./database-url.ts";
import { RelationalStoreError } from "./errors.ts";
import { connectPostgres } from "./pg-connect.ts";

/** prisma/migrations of this package. */
export const defaultMigrationsDir = fileURLToPath(new URL("../migrations", import.meta.url));

/** One migration directory as read from disk. */
export interface Migration {
  name: string;
  sql: string;
  /** sha256 of migration.sql, the checksum Prisma records. */
  checksum: string;
}

/** What a deploy did. */
export interface MigrationReport {
  /** Applied by this call, in order. */
  applied: string[];
  /** Already recorded as applied before this call. */
  alreadyApplied: string[];
  /** Applied earlier, but migration.sql has changed since (Prisma would report drift). */
  edited: string[];
}

/** Where to deploy: a PostgreSQL URL, or an open PGlite instance. */
export type MigrationTarget = { databaseUrl: string; connectTimeoutMs?: number } | { pglite: PGlite };

/** Options for deployMigrations. */
export interface DeployOptions {
  migrationsDir?: string;
}

interface Session {
  query<T>(sql: string, params?: unknown[]): Promise<{ rows: T[] }>;
  exec(sql: string): Promise<unknown>;
}

// Prisma's DDL for the table, verbatim in shape, so its engine finds what it expects.
const MIGRATIONS_TABLE_DDL = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

// The advisory lock key Prisma Migrate takes, so our deploys and Prisma's exclude each other too.
const PRISMA_MIGRATE_LOCK_KEY = 72707369;

/** Reads the migration directories under `dir`, sorted by name (their timestamp prefix). */
export function readMigrations(dir = defaultMigrationsDir): Migration[] {
  if (!existsSync(dir)) {
    throw new RelationalStoreError("MIGRATION_FAILED", `migrations directory ${dir} does not exist`);
  }
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(dir, e.name, "migration.sql")))
    .map((e) => e.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(join(dir, name, "migration.sql"), "utf8");
      return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    });
}

async function plan(session: Session, migrations: Migration[], where: string): Promise<{ pending: Migration[]; report: MigrationReport }> {
  await session.exec(MIGRATIONS_TABLE_DDL);
  const { rows } = await session.query<{ migration_name: string; checksum: string; finished_at: Date | null; rolled_back_at: Date | null }>(
    `SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations"`,
  );
  const failed = rows.filter((r) => r.finished_at === null && r.rolled_back_at === null).map((r) => r.migration_name);
  if (failed.length > 0) {
    throw new RelationalStoreError(
      "MIGRATION_FAILED",
      `${where}: migration ${failed.join(", ")} is recorded as failed; fix the database, then mark it rolled back or applied (prisma migrate resolve)`,
    );
  }
  const applied = new Map(
    rows.filter((r) => r.finished_at !== null && r.rolled_back_at === null).map((r) => [r.migration_name, r.checksum]),
  );
  const report: MigrationReport = { applied: [], alreadyApplied: [], edited: [] };
  const pending: Migration[] = [];
  for (const m of migrations) {
    const checksum = applied.get(m.name);
    if (checksum === undefined) pending.push(m);
    else {
      report.alreadyApplied.push(m.name);
      if (checksum !== m.checksum) report.edited.push(m.name);
    }
  }
  return { pending, report };
}

async function applyOne(session: Session, m: Migration): Promise<void> {
  await session.exec(m.sql);
  await session.query(
    `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
     VALUES ($1, $2, $3, now(), clock_timestamp(), 1)`,
    [randomUUID(), m.checksum, m.name],
  );
}

function migrationError(name: string, where: string, err: unknown): RelationalStoreError {
  if (err instanceof RelationalStoreError) return err;
  const reason = err instanceof Error ? err.message : String(err);
  return new RelationalStoreError("MIGRATION_FAILED", `${where}: migration ${name} failed: ${reason}`, { cause: err });
}

async function deployOnPostgres(
  databaseUrl: string,
  connectTimeoutMs: number | undefined,
  migrations: Migration[],
): Promise<MigrationReport> {
  const where = `PostgreSQL at ${parseDatabaseUrl(databaseUrl).display}`;
  const client = await connectPostgres(databaseUrl, connectTimeoutMs);
  const session: Session = {
    query: async <T>(sql: string, params?: unknown[]) => ({ rows: (await client.query(sql, params)).rows as T[] }),
    exec: (sql: string) => client.query(sql),
  };
  try {
    await client.query("SET lock_timeout = '60s'");
    await client.query("SELECT pg_advisory_lock($1)", [PRISMA_MIGRATE_LOCK_KEY]);
    await client.query("SET lock_timeout = 0");
    const { pending, report } = await plan(session, migrations, where);
    // One transaction per migration: a failure leaves the database at the previous migration.
    for (const m of pending) {
      try {
        await client.query("BEGIN");
        await applyOne(session, m);
        await client.query("COMMIT");
      } catch (err) {
        await client.query("ROLLBACK").catch(() => {});
        throw migrationError(m.name, where, err);
      }
      report.applied.push(m.name);
    }
    return report;
  } catch (err) {
    throw migrationError("(bookkeeping)", where, err);
  } finally {
    await client.query("SELECT pg_advisory_unlock_all()").catch(() => {});
    await client.end().catch(() => {});
  }
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * Deploys on a PGlite instance inside one PGlite transaction, which also excludes every other query
 * on that instance meanwhile. PGlite has a single session, usually switched to an unprivileged role
 * (see pglite.ts): the session user runs the DDL, and the role in effect before is restored after.
 * `afterApply` runs in the same transaction (pglite.ts grants the application role its privileges).
 */
export async function deployOnPGlite(
  db: PGlite,
  migrations: Migration[],
  afterApply?: (tx: Transaction) => Promise<void>,
): Promise<MigrationReport> {
  const where = "embedded PGlite database";
  let current = "(bookkeeping)";
  try {
    return await db.transaction(async (tx) => {
      const role = (await tx.query<{ role: string }>("SELECT current_user AS role")).rows[0]?.role;
      await tx.exec("RESET ROLE");
      const { pending, report } = await plan(tx, migrations, where);
      for (const m of pending) {
        current = m.name;
        await applyOne(tx, m);
        report.applied.push(m.name);
      }
      current = "(bookkeeping)";
      await afterApply?.(tx);
      if (role) await tx.exec(`SET ROLE ${quoteIdent(role)}`);
      return report;
    });
  } catch (err) {
    throw migrationError(current, where, err);
  }
}

/**
 * Applies the pending migrations to a PostgreSQL URL or a PGlite instance and records them in
 * `_prisma_migrations`; a second call is a no-op. Serialized with concurrent deploys by Prisma's lock.
 */
export async function deployMigrations(target: MigrationTarget, options: DeployOptions = {}): Promise<MigrationReport> {
  const migrations = readMigrations(options.migrationsDir);
  if ("pglite" in target) return deployOnPGlite(target.pglite, migrations);
  return deployOnPostgres(target.databaseUrl, target.connectTimeoutMs, migrations);
}
