// Row-level security seen from outside Prisma: plain SQL over node-postgres as the application role
// (the `vigil` owner of vigil_test, no superuser, no BYPASSRLS) against real PostgreSQL.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testServices, uniqueTenantId } from "../../test-support/services.ts";
import { openRelationalStore, type RelationalStore } from "./open.ts";
import { seedTenant } from "./test-fixtures.ts";

let store: RelationalStore;
let client: pg.Client;
const tenant = uniqueTenantId("raw");

beforeAll(async () => {
  store = await openRelationalStore({ databaseUrl: testServices.postgresUrl });
  await seedTenant(store, tenant);
  client = new pg.Client({ connectionString: testServices.postgresUrl });
  await client.connect();
});
afterAll(async () => {
  await client?.end();
  await store?.close();
});

/** Every table with a tenant_id column: the ones that must be isolated. */
async function tenantTables(): Promise<string[]> {
  const { rows } = await client.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.columns WHERE table_schema = 'public' AND column_name = 'tenant_id' ORDER BY table_name`,
  );
  return rows.map((r) => r.table_name);
}

describe("row-level security for raw SQL as the application role", () => {
  it("is enabled and forced on every table that has a tenant_id, and the role cannot bypass it", async () => {
    const tables = await tenantTables();
    expect(tables.length).toBeGreaterThanOrEqual(9);
    const { rows } = await client.query<{ relname: string; relrowsecurity: boolean; relforcerowsecurity: boolean }>(
      `SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class WHERE relname = ANY($1) AND relkind = 'r' ORDER BY relname`,
      [tables],
    );
    expect(rows).toEqual(tables.map((relname) => ({ relname, relrowsecurity: true, relforcerowsecurity: true })));
    const role = await client.query(`SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user`);
    expect(role.rows).toEqual([{ rolsuper: false, rolbypassrls: false }]);
  });

  it("returns no rows without the tenant setting, and the tenant's rows with it", async () => {
    for (const table of await tenantTables()) {
      const bare = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${table}"`);
      expect(bare.rows, table).toEqual([{ n: 0 }]);
      await client.query("BEGIN");
      try {
        await client.query(`SELECT set_config('app.tenant_id', $1, true)`, [tenant]);
        const scoped = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${table}" WHERE tenant_id = $1`, [tenant]);
        expect(scoped.rows[0]!.n, table).toBeGreaterThan(0);
      } finally {
        await client.query("ROLLBACK");
      }
      // The setting was transaction-local: gone again.
      expect((await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${table}"`)).rows, table).toEqual([{ n: 0 }]);
    }
  });

  it("refuses to insert a row for a tenant other than the setting's", async () => {
    await client.query("BEGIN");
    try {
      await client.query(`SELECT set_config('app.tenant_id', $1, true)`, ["someone-else"]);
      const err = await client
        .query(`INSERT INTO audit_entry (id, tenant_id, actor, action) VALUES (gen_random_uuid()::text, $1, 'x', 'y')`, [tenant])
        .catch((e: unknown) => e);
      expect(err).toMatchObject({ code: "42501" });
    } finally {
      await client.query("ROLLBACK");
    }
  });
});
