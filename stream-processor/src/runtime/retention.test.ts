// Audit retention against the embedded store (real PostgreSQL engine in PGlite, RLS on), with a
// clock the test moves.
import { type RelationalStore, openRelationalStore } from "@vigil/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRetentionJob } from "./retention.ts";

const DAY = 86_400_000;
let store: RelationalStore;
beforeAll(async () => {
  store = await openRelationalStore({});
});
afterAll(async () => {
  await store?.close();
});

async function tenantWithAudit(id: string, ages: number[], now: Date) {
  await store.prisma.tenant.create({ data: { id, name: id } });
  await store.forTenant(id).auditEntry.createMany({
    data: ages.map((days, i) => ({
      tenantId: id,
      actor: "admin",
      action: "sensor:create",
      target: `t${i}`,
      at: new Date(now.getTime() - days * DAY),
    })),
  });
}

const targets = async (tenantId: string) =>
  (await store.forTenant(tenantId).auditEntry.findMany({ select: { target: true }, orderBy: { target: "asc" } })).map((r) => r.target);

describe("retention job", () => {
  it("deletes audit entries older than 90 days in every tenant, and keeps the rest until their time comes", async () => {
    let now = new Date("2027-03-01T12:00:00Z");
    await tenantWithAudit("ret-a", [200, 90.5, 89.9, 1], now);
    await tenantWithAudit("ret-b", [91, 10], now);
    const lines: string[] = [];
    const job = createRetentionJob({ store, now: () => now, log: (l) => lines.push(l) });

    const first = await job.runOnce();
    expect(first).toMatchObject({ auditEntriesDeleted: 3, failed: [] });
    expect(await targets("ret-a")).toEqual(["t2", "t3"]);
    expect(await targets("ret-b")).toEqual(["t1"]);
    expect(lines).toEqual(["retention: deleted 3 audit entries and 0 posture scores"]);

    expect((await job.runOnce()).auditEntriesDeleted).toBe(0);
    now = new Date(now.getTime() + DAY / 20); // t2 of ret-a is now 89.95 days old: still kept
    expect((await job.runOnce()).auditEntriesDeleted).toBe(0);
    now = new Date(now.getTime() + DAY / 10); // 90.05 days: past the limit
    expect((await job.runOnce()).auditEntriesDeleted).toBe(1);
    expect(await targets("ret-a")).toEqual(["t3"]);
  });

  it("deletes posture scores older than 90 days", async () => {
    const now = new Date("2027-04-01T00:00:00Z");
    await store.prisma.tenant.create({ data: { id: "ret-p", name: "ret-p" } });
    const score = (days: number) => ({
      tenantId: "ret-p",
      score: days,
      categories: {},
      complete: true,
      unknown: [],
      evaluatedAt: new Date(now.getTime() - days * DAY),
    });
    await store.forTenant("ret-p").postureScore.createMany({ data: [score(120), score(91), score(30)] });
    const report = await createRetentionJob({ store, now: () => now, log: () => {} }).runOnce();
    expect(report.postureScoresDeleted).toBe(2);
    expect((await store.forTenant("ret-p").postureScore.findMany({ select: { score: true } })).map((r) => r.score)).toEqual([30]);
  });

  it("honours a shorter policy and runs on its schedule until stopped", async () => {
    const now = new Date("2027-06-01T00:00:00Z");
    await tenantWithAudit("ret-c", [3, 1], now);
    const lines: string[] = [];
    const job = createRetentionJob({
      store,
      now: () => now,
      log: (l) => lines.push(l),
      policy: { auditDays: 2, firstRunDelayMs: 10, intervalMs: 20 },
    });
    job.start();
    await expect.poll(() => targets("ret-c"), { timeout: 5000 }).toEqual(["t1"]);
    await job.stop();
    expect(lines.some((l) => l.startsWith("retention: deleted"))).toBe(true);
  });

  it("keeps purging the other tenants when one fails, and reports it", async () => {
    const now = new Date("2027-09-01T00:00:00Z");
    await tenantWithAudit("ret-d", [100], now);
    const lines: string[] = [];
    // The store port itself refuses one tenant (as a broken connection would), not a stand-in of our code.
    const failingStore = {
      prisma: store.prisma,
      forTenant: (id: string) => (id === "ret-a" ? store.forTenant("bad tenant id!") : store.forTenant(id)),
    };
    const report = await createRetentionJob({ store: failingStore, now: () => now, log: (l) => lines.push(l) }).runOnce();
    expect(report.failed).toEqual(["ret-a"]);
    expect(await targets("ret-d")).toEqual([]);
    expect(lines.find((l) => l.includes("ret-a"))).toMatch(/purging tenant ret-a failed: tenant id must be/);
  });
});
