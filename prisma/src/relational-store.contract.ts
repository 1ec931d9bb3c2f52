// The relational-store contract: every adapter (PostgreSQL, PGlite) must pass these cases unchanged.
// Tenants are unique per test because the PostgreSQL suites share one database with other packages.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { uniqueTenantId } from "../../test-support/services.ts";
import { RelationalStoreError } from "./errors.ts";
import { Prisma } from "./generated/prisma/client.ts";
import { readMigrations } from "./migrate.ts";
import { openRelationalStore, type RelationalStore } from "./open.ts";
import { alertData, countAll, daysAgo, ONE_OF_EACH, seedTenant } from "./test-fixtures.ts";

const NONE = Object.fromEntries(Object.keys(ONE_OF_EACH).map((k) => [k, 0]));

/** Asserts that `promise` rejects with a Prisma known-request error of `code` (e.g. P2002, P2025). */
async function expectPrismaCode(promise: Promise<unknown>, code: string): Promise<void> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(Prisma.PrismaClientKnownRequestError);
  expect((err as Prisma.PrismaClientKnownRequestError).code).toBe(code);
}

/** Asserts a coded RelationalStoreError and returns it. */
async function expectCoded(promise: Promise<unknown>, code: string): Promise<RelationalStoreError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(RelationalStoreError);
  expect((err as RelationalStoreError).code).toBe(code);
  return err as RelationalStoreError;
}

/** Runs the contract against stores produced by `factory` (one store for the whole suite). */
export function relationalStoreContract(name: string, factory: () => Promise<RelationalStore>): void {
  describe(`relational store contract: ${name}`, () => {
    let store: RelationalStore;
    const tenants: string[] = [];
    const newTenant = (label: string) => {
      const id = uniqueTenantId(label);
      tenants.push(id);
      return id;
    };

    beforeAll(async () => {
      store = await factory();
    });
    afterAll(async () => {
      // Platform-level cleanup: deleting a tenant cascades to its rows (FK actions bypass RLS).
      await store?.prisma.tenant.deleteMany({ where: { id: { in: tenants } } });
      await store?.close();
    });

    it("has applied every migration, and re-applying is a no-op", async () => {
      const names = readMigrations().map((m) => m.name);
      expect(names.length).toBeGreaterThanOrEqual(2);
      const atOpen = store.migrations!;
      expect([...atOpen.alreadyApplied, ...atOpen.applied].sort()).toEqual(names);
      const again = await store.migrate();
      expect(again).toEqual({ applied: [], alreadyApplied: names, edited: [] });
    });

    it("answers health()", async () => {
      const health = await store.health();
      expect(health.ok).toBe(true);
    });

    it("stores one row of every model per tenant, visible only to that tenant", async () => {
      const a = await seedTenant(store, newTenant("a"));
      const b = await seedTenant(store, newTenant("b"));
      expect(await countAll(store.forTenant(a.tenantId))).toEqual(ONE_OF_EACH);
      expect(await countAll(store.forTenant(b.tenantId))).toEqual(ONE_OF_EACH);
      const alert = await store
        .forTenant(a.tenantId)
        .alert.findUniqueOrThrow({ where: { id: a.alertId }, include: { evidence: true, comments: true } });
      expect(alert).toMatchObject({
        status: "open",
        count: 1,
        mitre: ["T1558.003"],
        evidence: [{ eventId: "evt-1" }],
        comments: [{ text: "Looking into it" }],
      });
      expect(await store.prisma.tenant.findUnique({ where: { id: b.tenantId } })).toMatchObject({ name: `Tenant ${b.tenantId}` });
    });

    it("keeps tenant A from reading, updating or deleting tenant B's rows", async () => {
      const a = await seedTenant(store, newTenant("a"));
      const b = await seedTenant(store, newTenant("b"));
      const dbA = store.forTenant(a.tenantId);
      expect(await dbA.alert.findUnique({ where: { id: b.alertId } })).toBeNull();
      expect(await dbA.sensor.findMany({ where: { tenantId: b.tenantId } })).toEqual([]);
      expect(await dbA.entityTag.findFirst({ where: { id: b.tagId } })).toBeNull();
      expect(await dbA.auditEntry.findMany({ where: { id: b.auditId } })).toEqual([]);
      expect(await dbA.alert.updateMany({ where: { id: b.alertId }, data: { status: "closed" } })).toEqual({ count: 0 });
      expect(await dbA.sensor.updateMany({ where: { tenantId: b.tenantId }, data: { revokedAt: new Date() } })).toEqual({ count: 0 });
      await expectPrismaCode(dbA.alert.update({ where: { id: b.alertId }, data: { status: "closed" } }), "P2025");
      await expectPrismaCode(dbA.sensor.delete({ where: { id: b.sensorId } }), "P2025");
      expect(await dbA.entityTag.deleteMany({ where: { id: b.tagId } })).toEqual({ count: 0 });
      expect(await dbA.auditEntry.deleteMany({ where: { tenantId: b.tenantId } })).toEqual({ count: 0 });
      // An unfiltered delete still only reaches A's own rows.
      expect(await dbA.alertComment.deleteMany({})).toEqual({ count: 1 });
      const dbB = store.forTenant(b.tenantId);
      expect(await countAll(dbB)).toEqual(ONE_OF_EACH);
      expect(await dbB.alert.findUniqueOrThrow({ where: { id: b.alertId } })).toMatchObject({ status: "open" });
      expect(await dbB.sensor.findUniqueOrThrow({ where: { id: b.sensorId } })).toMatchObject({ revokedAt: null });
    });

    it("rejects writes that name another tenant with TENANT_ISOLATION_VIOLATION (RLS, SQLSTATE 42501)", async () => {
      const a = await seedTenant(store, newTenant("a"));
      const b = await seedTenant(store, newTenant("b"));
      const dbA = store.forTenant(a.tenantId);
      const err = await expectCoded(dbA.alert.create({ data: alertData(b.tenantId) }), "TENANT_ISOLATION_VIOLATION");
      expect(err.message).toContain(`tenant "${a.tenantId}"`);
      expect(err.message).toContain("alert");
      await expectCoded(dbA.auditEntry.create({ data: { tenantId: b.tenantId, actor: "x", action: "y" } }), "TENANT_ISOLATION_VIOLATION");
      // Moving an own row to another tenant fails the policy's WITH CHECK as well.
      await expectCoded(dbA.sensor.update({ where: { id: a.sensorId }, data: { tenantId: b.tenantId } }), "TENANT_ISOLATION_VIOLATION");
      await expectCoded(
        dbA.transaction((tx) =>
          tx.entityTag.create({ data: { tenantId: b.tenantId, entityKey: "user:x", tag: "honeytoken", createdBy: "a" } }),
        ),
        "TENANT_ISOLATION_VIOLATION",
      );
      expect(await countAll(store.forTenant(b.tenantId))).toEqual(ONE_OF_EACH);
    });

    it("shows no tenant rows to the unscoped client, and rejects its inserts", async () => {
      const a = await seedTenant(store, newTenant("a"));
      expect(await countAll(store.prisma)).toEqual(NONE);
      expect(await store.prisma.alert.findUnique({ where: { id: a.alertId } })).toBeNull();
      expect(await store.prisma.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM "audit_entry"`).toEqual([{ n: 0 }]);
      const err = await store.prisma.alert.create({ data: alertData(a.tenantId) }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(Prisma.PrismaClientKnownRequestError);
      expect((err as Prisma.PrismaClientKnownRequestError).meta?.driverAdapterError).toMatchObject({ cause: { originalCode: "42501" } });
    });

    it("keeps concurrent operations of different tenants apart (the setting is transaction-local)", async () => {
      const a = await seedTenant(store, newTenant("a"));
      const b = await seedTenant(store, newTenant("b"));
      const expected = Array.from({ length: 24 }, (_, i) => (i % 3 === 2 ? undefined : i % 3 === 0 ? a.tenantId : b.tenantId));
      const seen = await Promise.all(
        expected.map(async (tenantId) => {
          const rows = tenantId ? await store.forTenant(tenantId).alert.findMany() : await store.prisma.alert.findMany();
          return rows.map((r) => r.tenantId);
        }),
      );
      expect(seen).toEqual(expected.map((t) => (t ? [t] : [])));
    });

    it("makes alert evidence idempotent on (tenant, alert, eventId)", async () => {
      const a = await seedTenant(store, newTenant("a"));
      const b = await seedTenant(store, newTenant("b"));
      const dbA = store.forTenant(a.tenantId);
      const row = { tenantId: a.tenantId, alertId: a.alertId, eventId: "evt-42", time: new Date(), summary: { eventId: 4769 } };
      expect(await dbA.alertEvidence.createMany({ data: [row], skipDuplicates: true })).toEqual({ count: 1 });
      expect(await dbA.alertEvidence.createMany({ data: [row, row], skipDuplicates: true })).toEqual({ count: 0 });
      await expectPrismaCode(dbA.alertEvidence.create({ data: row }), "P2002");
      const upserted = await dbA.alertEvidence.upsert({
        where: { tenantId_alertId_eventId: { tenantId: a.tenantId, alertId: a.alertId, eventId: "evt-42" } },
        create: row,
        update: {},
      });
      expect(upserted.eventId).toBe("evt-42");
      expect(await dbA.alertEvidence.count({ where: { alertId: a.alertId } })).toBe(2);
      // The same event id on another tenant's alert is a different row.
      const dbB = store.forTenant(b.tenantId);
      expect(
        await dbB.alertEvidence.createMany({ data: [{ ...row, tenantId: b.tenantId, alertId: b.alertId }], skipDuplicates: true }),
      ).toEqual({ count: 1 });
    });

    it("deletes a tenant's audit entries older than N days, and only that tenant's", async () => {
      const a = await seedTenant(store, newTenant("a"));
      const b = await seedTenant(store, newTenant("b"));
      const now = new Date();
      const entry = (tenantId: string, days: number) => ({ tenantId, actor: "admin", action: "tag.create", at: daysAgo(days, now) });
      await store
        .forTenant(a.tenantId)
        .auditEntry.createMany({ data: [entry(a.tenantId, 200), entry(a.tenantId, 91), entry(a.tenantId, 89)] });
      await store.forTenant(b.tenantId).auditEntry.createMany({ data: [entry(b.tenantId, 200)] });
      const dbA = store.forTenant(a.tenantId);
      expect(await dbA.auditEntry.deleteMany({ where: { tenantId: a.tenantId, at: { lt: daysAgo(90, now) } } })).toEqual({ count: 2 });
      expect(await dbA.auditEntry.count()).toBe(2);
      expect(await store.forTenant(b.tenantId).auditEntry.count()).toBe(2);
    });

    it("enforces the entity-tag uniqueness, treating 'all detections' (null) as one value", async () => {
      const a = await seedTenant(store, newTenant("a"));
      const dbA = store.forTenant(a.tenantId);
      const tag = { tenantId: a.tenantId, entityKey: "user:svc-backup", tag: "excluded" as const, createdBy: "admin" };
      await dbA.entityTag.create({ data: tag });
      await expectPrismaCode(dbA.entityTag.create({ data: tag }), "P2002");
      await dbA.entityTag.create({ data: { ...tag, detectionId: "kerberoasting" } });
      await expectPrismaCode(dbA.entityTag.create({ data: { ...tag, detectionId: "kerberoasting" } }), "P2002");
      expect(await dbA.entityTag.count({ where: { tag: "excluded" } })).toBe(2);
    });

    it("omits the directory-service secret unless asked for", async () => {
      const a = await seedTenant(store, newTenant("a"));
      const dbA = store.forTenant(a.tenantId);
      const plain = await dbA.directoryServiceCredential.findUniqueOrThrow({ where: { id: a.credentialId } });
      expect(plain).not.toHaveProperty("secretJwe");
      expect(plain).toMatchObject({ username: "svc-vigil", domainName: "corp.example.com" });
      const withSecret = await dbA.directoryServiceCredential.findUniqueOrThrow({
        where: { id: a.credentialId },
        omit: { secretJwe: false },
      });
      expect(withSecret.secretJwe).toBe("eyJhbGciOiJkaXIi.fake.jwe");
    });

    it("runs multi-statement work under the tenant in transaction(), rolling back on error", async () => {
      const a = await seedTenant(store, newTenant("a"));
      const dbA = store.forTenant(a.tenantId);
      const firstSeen = daysAgo(1);
      const counted = await dbA.transaction(async (tx) => {
        const alert = await tx.alert.create({ data: alertData(a.tenantId, { detectionId: "dcsync", firstSeen }) });
        await tx.alertEvidence.create({
          data: { tenantId: a.tenantId, alertId: alert.id, eventId: "evt-9", time: firstSeen, summary: {} },
        });
        await tx.alert.update({ where: { id: alert.id }, data: { count: { increment: 1 }, lastSeen: new Date() } });
        return tx.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM "alert"`;
      });
      expect(counted).toEqual([{ n: 2 }]);
      const boom = new Error("boom");
      await expect(
        dbA.transaction(async (tx) => {
          await tx.alertComment.create({ data: { tenantId: a.tenantId, alertId: a.alertId, author: "x", text: "rolled back" } });
          throw boom;
        }),
      ).rejects.toBe(boom);
      expect(await dbA.alertComment.count()).toBe(1);
    });

    it("rejects malformed tenant ids with INVALID_TENANT_ID", () => {
      for (const bad of ["", " ", "a b", "x".repeat(200), "tenant'; DROP TABLE alert;--"]) {
        expect(() => store.forTenant(bad)).toThrowError(expect.objectContaining({ code: "INVALID_TENANT_ID" }));
      }
    });

    it("reports a malformed DATABASE_URL as INVALID_DATABASE_URL without echoing it", async () => {
      for (const url of ["not a url", "mysql://vigil:hunter22@127.0.0.1/vigil", "postgresql://vigil:hunter22@/vigil_test"]) {
        const err = await expectCoded(openRelationalStore({ databaseUrl: url }), "INVALID_DATABASE_URL");
        expect(err.message).not.toContain("hunter22");
        expect(err.message).toContain("postgresql://user:password@host:port/database");
      }
    });

    it("reports an unreachable PostgreSQL as DATABASE_UNREACHABLE within 5 s, naming host and port", async () => {
      const started = Date.now();
      const err = await expectCoded(
        openRelationalStore({ databaseUrl: "postgresql://vigil:hunter22@127.0.0.1:1/vigil_test" }),
        "DATABASE_UNREACHABLE",
      );
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(err.message).toContain("127.0.0.1:1");
      expect(err.message).not.toContain("hunter22");
    });
  });
}
