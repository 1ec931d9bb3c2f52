#!/usr/bin/env node
// Offline replacement for `prisma migrate dev --create-only` (the CLI needs a native engine that
// cannot be downloaded here; ../../shared/STACK.md §4).
//
//   node prisma/scripts/migrate.mjs create <name>   diff migrations/ → schema.prisma into
//                                                   migrations/<UTC timestamp>_<name>/migration.sql
//                                                   (an empty, commented file when they already agree,
//                                                   for hand-written migrations such as `rls`)
//   node prisma/scripts/migrate.mjs check           exit 1 if schema.prisma has changes no migration holds
//
// Migrations are applied by `deployMigrations` in prisma/src/migrate.ts (exported from @vigil/db).
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { packageDir, migrationsDir } from "./paths.mjs";
import { diffMigrationsToSchema, LOCKFILE_CONTENT, LOCKFILE_NAME } from "./schema-engine.mjs";

const EMPTY_MIGRATION = "-- This is an empty migration.\n";

function timestamp(now = new Date()) {
  return now.toISOString().replace(/[-:T]/g, "").slice(0, 14);
}

async function create(name) {
  if (!name || !/^[a-z0-9_]+$/.test(name)) throw new Error("usage: migrate.mjs create <name>  (name: lower-case letters, digits, _)");
  mkdirSync(migrationsDir, { recursive: true });
  const lockPath = join(migrationsDir, LOCKFILE_NAME);
  if (!existsSync(lockPath)) writeFileSync(lockPath, LOCKFILE_CONTENT);
  const sql = await diffMigrationsToSchema();
  const dir = join(migrationsDir, `${timestamp()}_${name}`);
  mkdirSync(dir);
  writeFileSync(join(dir, "migration.sql"), sql === "" ? EMPTY_MIGRATION : sql);
  const where = relative(join(packageDir, ".."), join(dir, "migration.sql"));
  console.log(sql === "" ? `No schema changes: wrote an empty ${where} to fill in by hand.` : `Wrote ${where}.`);
}

async function check() {
  const sql = await diffMigrationsToSchema();
  if (sql !== "") {
    console.error(
      `prisma/schema.prisma has changes that no migration holds:\n\n${sql}\nRun \`node prisma/scripts/migrate.mjs create <name>\`.`,
    );
    process.exitCode = 1;
    return;
  }
  console.log("vigil: migrations are in sync with prisma/schema.prisma.");
}

const [command, arg] = process.argv.slice(2);
try {
  if (command === "create") await create(arg);
  else if (command === "check") await check();
  else throw new Error("usage: migrate.mjs create <name> | check");
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
}
