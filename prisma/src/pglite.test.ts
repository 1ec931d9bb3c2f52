// The relational-store contract on embedded PGlite (unit tier: no services needed), plus what only the
// embedded adapter has: a data directory that survives restarts, and the switch to an unprivileged role.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { uniqueTenantId } from "../../test-support/services.ts";
import { openRelationalStore } from "./open.ts";
import { EMBEDDED_APP_ROLE } from "./pglite.ts";
import { relationalStoreContract } from "./relational-store.contract.ts";
import { countAll, ONE_OF_EACH, seedTenant } from "./test-fixtures.ts";

relationalStoreContract("PGlite (in memory)", () => openRelationalStore());

describe("embedded PGlite store", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "vigil-pglite-test-"));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it("keeps its data and migration history in dataDir across restarts", async () => {
    const first = await openRelationalStore({ dataDir: join(dataDir, "db") });
    expect(first.migrations?.applied.length).toBeGreaterThanOrEqual(2);
    const seeded = await seedTenant(first, uniqueTenantId("persist"));
    await first.close();
    await first.close();

    const second = await openRelationalStore({ dataDir: join(dataDir, "db") });
    try {
      expect(second.migrations?.applied).toEqual([]);
      expect(await countAll(second.forTenant(seeded.tenantId))).toEqual(ONE_OF_EACH);
    } finally {
      await second.close();
    }
  });

  it("runs queries as an unprivileged role, which cannot read the migration history", async () => {
    const store = await openRelationalStore();
    try {
      const [me] = await store.prisma.$queryRaw<{ user: string; superuser: boolean; bypass: boolean }[]>`
        SELECT current_user AS "user", rolsuper AS superuser, rolbypassrls AS bypass FROM pg_roles WHERE rolname = current_user`;
      expect(me).toEqual({ user: EMBEDDED_APP_ROLE, superuser: false, bypass: false });
      await expect(store.prisma.$queryRaw`SELECT count(*) FROM "_prisma_migrations"`).rejects.toThrow(/permission denied/);
      // Still unprivileged after a later deploy.
      await store.migrate();
      expect(await store.prisma.$queryRaw`SELECT current_user AS "user"`).toEqual([{ user: EMBEDDED_APP_ROLE }]);
    } finally {
      await store.close();
    }
  });

  it("opens without migrating when asked, still unprivileged", async () => {
    const store = await openRelationalStore({ migrate: false });
    try {
      expect(store.migrations).toBeUndefined();
      expect(await store.prisma.$queryRaw`SELECT current_user AS "user"`).toEqual([{ user: EMBEDDED_APP_ROLE }]);
      expect(await store.health()).toMatchObject({ ok: true });
    } finally {
      await store.close();
    }
  });
});
