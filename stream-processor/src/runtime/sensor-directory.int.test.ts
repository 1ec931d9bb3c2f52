/** The sensor directory against real PostgreSQL with row-level security: whole-tenant loads, names, TTL, limits. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openRelationalStore, type RelationalStore } from "@vigil/db";
import { testServices, uniqueTenantId } from "../../../test-support/services.ts";
import { InvalidTenantError, SensorDirectory } from "./sensor-directory.ts";
import { createSensor, createTenant } from "./test-harness.ts";

describe("SensorDirectory", () => {
  let store: RelationalStore;
  const [A, B] = [uniqueTenantId("sdir-a"), uniqueTenantId("sdir-b")];

  beforeAll(async () => {
    store = await openRelationalStore({ databaseUrl: testServices.postgresUrl });
    await createTenant(store, A);
    await createTenant(store, B);
  }, 60_000);
  afterAll(async () => {
    await store?.prisma.tenant.deleteMany({ where: { id: { in: [A, B] } } });
    await store?.close();
  });

  it("finds a tenant's sensors by id and by name, and never another tenant's", async () => {
    const dc01 = await createSensor(store, A, "dc01");
    const dc02 = await createSensor(store, A, "dc02", new Date("2026-01-01T00:00:00Z"));
    const other = await createSensor(store, B, "dc01");
    const dir = new SensorDirectory(store);
    expect(await dir.find(A, dc01.id)).toMatchObject({ id: dc01.id, name: "dc01", keyHash: dc01.keyHash, revokedAt: null });
    expect(await dir.find(A, "dc01")).toMatchObject({ id: dc01.id });
    expect((await dir.find(A, dc02.id))?.revokedAt).toEqual(new Date("2026-01-01T00:00:00Z"));
    expect(await dir.find(A, other.id)).toBeNull();
    expect(await dir.find(B, dc01.id)).toBeNull();
    expect(await dir.find(B, "dc01")).toMatchObject({ id: other.id });
  });

  it("sees a new sensor only after the TTL, then immediately", async () => {
    let now = 1_000;
    const dir = new SensorDirectory(store, { ttlMs: 5_000, now: () => now });
    expect(await dir.find(B, "late")).toBeNull();
    const late = await createSensor(store, B, "late");
    expect(await dir.find(B, "late")).toBeNull();
    now += 5_001;
    expect(await dir.find(B, "late")).toMatchObject({ id: late.id });
  });

  it("falls back to per-sensor lookups for a tenant beyond the per-tenant limit, with the same answers", async () => {
    const C = uniqueTenantId("sdir-c");
    await createTenant(store, C);
    try {
      const sensors = await Promise.all(["s1", "s2", "s3"].map((n) => createSensor(store, C, n)));
      const dir = new SensorDirectory(store, { perTenantLimit: 2 });
      for (const s of sensors) {
        expect(await dir.find(C, s.id)).toMatchObject({ id: s.id, name: s.name });
        expect(await dir.find(C, s.name)).toMatchObject({ id: s.id });
      }
      expect(await dir.find(C, "nope")).toBeNull();
    } finally {
      await store.prisma.tenant.delete({ where: { id: C } });
    }
  });

  it("a burst of lookups for one tenant shares one load; a bad tenant id is refused with a reason", async () => {
    const dir = new SensorDirectory(store);
    const found = await Promise.all(Array.from({ length: 50 }, () => dir.find(A, "dc01")));
    expect(new Set(found.map((s) => s?.name))).toEqual(new Set(["dc01"]));
    expect(dir.size).toBe(1);
    await expect(dir.find("bad tenant!", "dc01")).rejects.toBeInstanceOf(InvalidTenantError);
  });
});
