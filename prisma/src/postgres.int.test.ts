// The relational-store contract on real PostgreSQL (integration tier: `scripts/services.sh up postgres`).
// The `vigil` role owns vigil_test and is no superuser, so FORCE ROW LEVEL SECURITY applies to it.
import { randomBytes } from "node:crypto";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testServices } from "../../test-support/services.ts";
import { RelationalStoreError } from "./errors.ts";
import { defaultMigrationsDir, deployMigrations, readMigrations } from "./migrate.ts";
import { openRelationalStore } from "./open.ts";
import { relationalStoreContract } from "./relational-store.contract.ts";

relationalStoreContract("PostgreSQL", () => openRelationalStore({ databaseUrl: testServices.postgresUrl }));

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

describe("PostgreSQL store", () => {
  it("reports a wrong password or a missing database as DATABASE_CONNECTION_REJECTED", async () => {
    const wrongPassword = new URL(testServices.postgresUrl);
    wrongPassword.password = "not-the-password";
    for (const url of [wrongPassword.toString(), withDatabase(testServices.postgresUrl, "vigil_no_such_db")]) {
      const err = await openRelationalStore({ databaseUrl: url }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RelationalStoreError);
      expect(err).toMatchObject({ code: "DATABASE_CONNECTION_REJECTED" });
      expect((err as Error).message).not.toContain("not-the-password");
      expect((err as Error).message).toContain(`${wrongPassword.hostname}:${wrongPassword.port || 5432}`);
    }
  });

  describe("on a fresh database", () => {
    const name = `vigil_migrate_${randomBytes(4).toString("hex")}`;
    const admin = new pg.Client({ connectionString: testServices.postgresUrl });
    beforeAll(async () => {
      await admin.connect();
      await admin.query(`CREATE DATABASE ${name}`);
    });
    afterAll(async () => {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    });

    it("serializes concurrent deploys: one applies everything, the others find nothing to do", async () => {
      const url = withDatabase(testServices.postgresUrl, name);
      const reports = await Promise.all([1, 2, 3].map(() => deployMigrations({ databaseUrl: url })));
      const names = readMigrations().map((m) => m.name);
      expect(reports.map((r) => r.applied).sort((x, y) => y.length - x.length)).toEqual([names, [], []]);
      const store = await openRelationalStore({ databaseUrl: url });
      try {
        expect(store.migrations).toEqual({ applied: [], alreadyApplied: names, edited: [] });
      } finally {
        await store.close();
      }
    });

    it("rolls a failing migration back and does not record it", async () => {
      const url = withDatabase(testServices.postgresUrl, name);
      const dir = mkdtempSync(join(tmpdir(), "vigil-migrations-"));
      try {
        cpSync(defaultMigrationsDir, dir, { recursive: true });
        const broken = "29990101000000_broken";
        cpSync(join(dir, readMigrations(dir)[0]!.name), join(dir, broken), { recursive: true });
        writeFileSync(join(dir, broken, "migration.sql"), `CREATE TABLE "half_done" (id int);\nSELECT * FROM "no_such_table";\n`);
        const err = await deployMigrations({ databaseUrl: url }, { migrationsDir: dir }).catch((e: unknown) => e);
        expect(err).toMatchObject({ code: "MIGRATION_FAILED" });
        expect((err as Error).message).toContain(broken);
        const check = new pg.Client({ connectionString: url });
        await check.connect();
        const { rows } = await check.query(
          `SELECT to_regclass('public.half_done') AS t, (SELECT count(*)::int FROM _prisma_migrations WHERE migration_name = $1) AS n`,
          [broken],
        );
        await check.end();
        expect(rows).toEqual([{ t: null, n: 0 }]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
