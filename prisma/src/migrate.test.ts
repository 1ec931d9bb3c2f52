// deployMigrations on PGlite: bookkeeping, failures and edits, and agreement with Prisma's own engine.
import { cpSync, mkdtempSync, rmSync, writeFileSync, appendFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { afterAll, describe, expect, it } from "vitest";
import { diffMigrationsToSchema, engineApplyMigrations } from "../scripts/schema-engine.mjs";
import { RelationalStoreError } from "./errors.ts";
import { defaultMigrationsDir, deployMigrations, readMigrations } from "./migrate.ts";

const scratch = mkdtempSync(join(tmpdir(), "vigil-migrate-test-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A copy of the real migrations directory that a test may extend or edit. */
function copyOfMigrations(name: string): string {
  const dir = join(scratch, name);
  cpSync(defaultMigrationsDir, dir, { recursive: true });
  return dir;
}

describe("deployMigrations on PGlite", () => {
  it("records every migration in _prisma_migrations the way Prisma does, once", async () => {
    const db = await PGlite.create();
    const names = readMigrations().map((m) => m.name);
    expect(await deployMigrations({ pglite: db })).toEqual({ applied: names, alreadyApplied: [], edited: [] });
    expect(await deployMigrations({ pglite: db })).toEqual({ applied: [], alreadyApplied: names, edited: [] });
    const { rows } = await db.query<{ migration_name: string; checksum: string; applied_steps_count: number; done: boolean }>(
      `SELECT migration_name, checksum, applied_steps_count, finished_at IS NOT NULL AND rolled_back_at IS NULL AS done
       FROM _prisma_migrations ORDER BY migration_name`,
    );
    expect(rows).toEqual(
      readMigrations().map((m) => ({ migration_name: m.name, checksum: m.checksum, applied_steps_count: 1, done: true })),
    );
    await db.close();
  });

  it("fails with MIGRATION_FAILED naming the migration, and leaves nothing of it behind", async () => {
    const dir = copyOfMigrations("broken");
    const broken = "29990101000000_broken";
    cpSync(join(dir, readMigrations(dir)[0]!.name), join(dir, broken), { recursive: true });
    writeFileSync(join(dir, broken, "migration.sql"), `CREATE TABLE "half_done" (id int);\nSELECT * FROM "no_such_table";\n`);
    const db = await PGlite.create();
    const err = await deployMigrations({ pglite: db }, { migrationsDir: dir }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RelationalStoreError);
    expect(err).toMatchObject({ code: "MIGRATION_FAILED" });
    expect((err as Error).message).toContain(broken);
    expect((err as Error).message).toContain("no_such_table");
    // PGlite deploys in one transaction: nothing at all was applied.
    expect((await db.query(`SELECT to_regclass('public.half_done') AS t, to_regclass('public.alert') AS a`)).rows).toEqual([
      { t: null, a: null },
    ]);
    await db.close();
  });

  it("reports migrations edited after they were applied", async () => {
    const dir = copyOfMigrations("edited");
    const db = await PGlite.create();
    await deployMigrations({ pglite: db }, { migrationsDir: dir });
    const first = readMigrations(dir)[0]!.name;
    appendFileSync(join(dir, first, "migration.sql"), "\n-- edited later\n");
    expect((await deployMigrations({ pglite: db }, { migrationsDir: dir })).edited).toEqual([first]);
    await db.close();
  });

  it("restores the session's role after deploying as the superuser", async () => {
    const db = await PGlite.create();
    await db.exec(`CREATE ROLE someone_else NOLOGIN; SET ROLE someone_else`);
    await deployMigrations({ pglite: db });
    expect((await db.query(`SELECT current_user AS u`)).rows).toEqual([{ u: "someone_else" }]);
    await db.close();
  });
});

// Prisma's WASM schema engine is the reference: it must accept what deployMigrations wrote, and the
// migrations must produce exactly schema.prisma (a schema change without a migration fails here).
describe("agreement with Prisma's schema engine", () => {
  it("sees a database deployed by deployMigrations as up to date", async () => {
    const db = await PGlite.create();
    await deployMigrations({ pglite: db });
    expect(await engineApplyMigrations(db)).toEqual([]);
    await db.close();
  }, 120_000);

  it("finds no difference between the migrations and schema.prisma", async () => {
    expect(await diffMigrationsToSchema()).toBe("");
  }, 120_000);
});
