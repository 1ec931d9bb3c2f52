/**
 * Personal-data deletion and activity retention against one relational store and one graph (PGlite +
 * embedded graph in the unit tier, PostgreSQL + Neo4j in the integration tier), with a clock the test moves.
 */
import type { RelationalStore } from "@vigil/db";
import type { IdentityGraph } from "@vigil/graph-model";
import { finalizeEvent, type EventDraft, type VigilEvent } from "@vigil/sensor/contract";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { uniqueTenantId } from "../../../test-support/services.ts";
import { createPersonalDataJob, SYSTEM_ACTOR } from "./personal-data.ts";

const DAY = 86_400_000;
const D = "S-1-5-21-70-80-90";
const BOB = `${D}-1105`;
const CAROL = `${D}-1106`;
const GROUP = `${D}-1200`;
let record = 0;

function snapshot(tenantId: string, sid: string, sam: string, time: Date, deleted: boolean): VigilEvent {
  return finalizeEvent({
    kind: "entity.snapshot",
    tenantId,
    sensorId: "ldap01",
    time: time.toISOString(),
    entity: {
      objectType: "user",
      objectId: sid,
      dn: `CN=${sam},CN=Users,DC=acme,DC=local`,
      name: deleted ? `${sam}\nDEL:0f1e2d3c` : sam,
      attributes: { sAMAccountName: sam },
      deleted,
    },
    origin: { format: "ldap", recordId: String(++record) },
  } as EventDraft);
}

async function seedTenant(store: RelationalStore, graph: IdentityGraph, tenantId: string, t0: Date) {
  await store.prisma.tenant.create({ data: { id: tenantId, name: tenantId } });
  await graph.upsertNodes(tenantId, [
    { kind: "User", objectId: BOB, name: "bob" },
    { kind: "User", objectId: CAROL, name: "carol" },
    { kind: "Group", objectId: GROUP, name: "Helpdesk" },
    { kind: "Computer", objectId: "WKS07", name: "WKS07" },
    { kind: "Computer", objectId: "WKS08", name: "WKS08" },
    // Bob as an event without his SID named him (graph-keys.ts).
    { kind: "User", objectId: "USER:ACME\\BOB", name: "bob", domain: "ACME" },
  ]);
  const ago = (days: number) => new Date(t0.getTime() - days * DAY);
  await graph.upsertEdges(tenantId, [
    { kind: "HAS_SESSION", from: "WKS07", to: BOB, source: "event:4624", lastSeen: ago(1) },
    { kind: "HAS_SESSION", from: "WKS08", to: "USER:ACME\\BOB", source: "event:4624", lastSeen: ago(2) },
    { kind: "ADMIN_TO", from: BOB, to: "WKS08", source: "sharphound", lastSeen: ago(1) },
    { kind: "MEMBER_OF", from: BOB, to: GROUP, source: "ldap", lastSeen: ago(1) },
    { kind: "HAS_SESSION", from: "WKS07", to: CAROL, source: "event:4624", lastSeen: ago(200) },
    { kind: "HAS_SESSION", from: "WKS08", to: CAROL, source: "event:4624", lastSeen: ago(179) },
    { kind: "MEMBER_OF", from: CAROL, to: GROUP, source: "event:4728", lastSeen: ago(400) },
  ]);
  await store.forTenant(tenantId).entityTag.createMany({
    data: [
      { tenantId, entityKey: `user:${BOB}`, tag: "sensitive", createdBy: "admin" },
      { tenantId, entityKey: "user:bob", tag: "honeytoken", createdBy: "admin" },
      { tenantId, entityKey: `user:${CAROL}`, tag: "sensitive", createdBy: "admin" },
    ],
  });
}

async function openAlert(store: RelationalStore, tenantId: string, key: string, t0: Date) {
  const row = await store.forTenant(tenantId).alert.create({
    data: {
      tenantId,
      detectionId: "brute-force",
      severity: "medium",
      title: "Brute force",
      description: "many failures",
      primaryEntity: `host:10.0.0.5 ${key}`,
      entities: [{ key, role: "target", kind: "user", id: key.slice(key.indexOf(":") + 1) }],
      mitre: [],
      firstSeen: t0,
      lastSeen: t0,
      recommendedActions: [],
    },
  });
  return row.id;
}

/** Entries of these tenants only: the job reloads every tenant's stored deletions, other suites' included. */
const ofTenants = <T extends { tenantId: string }>(items: T[], ...tenants: string[]) => items.filter((i) => tenants.includes(i.tenantId));

const pendingRows = (store: RelationalStore, tenantId: string) =>
  store.forTenant(tenantId).transaction((tx) =>
    tx.pendingPersonalDataDeletion.findMany({
      select: { sid: true, names: true, attempts: true },
      where: { tenantId },
      orderBy: { sid: "asc" },
    }),
  );

const edgesOf = async (graph: IdentityGraph, tenantId: string, sid: string) =>
  (await graph.neighbours(tenantId, sid)).map(({ edge }) => `${edge.kind} ${edge.from}>${edge.to}`).sort();

/** Registers the suite for one store and graph. */
export function personalDataCases(name: string, open: () => Promise<{ store: RelationalStore; graph: IdentityGraph }>): void {
  // Each job's first runOnce reloads stored deletions from every tenant in the store, one transaction
  // per tenant; a shared test database holds every earlier run's tenants, so allow for that.
  describe(`personal data follows the directory (${name})`, { timeout: 180_000 }, () => {
    let store: RelationalStore;
    let graph: IdentityGraph;
    beforeAll(async () => {
      ({ store, graph } = await open());
      await graph.ensureSchema();
    });
    afterAll(async () => {
      await graph?.close();
      await store?.close();
    });

    it("deletes a deleted user's tags and activity edges, audits it, and leaves other people and tenants alone", async () => {
      const t0 = new Date("2027-02-01T12:00:00Z");
      const [T, OTHER] = [uniqueTenantId("pd"), uniqueTenantId("pd-other")];
      await seedTenant(store, graph, T, t0);
      await seedTenant(store, graph, OTHER, t0);
      const job = createPersonalDataJob({ store, graph, now: () => t0, log: () => {} });
      job.observe(snapshot(T, BOB.toLowerCase(), "bob", t0, true));
      job.observe(snapshot(T, CAROL, "carol", t0, false)); // alive: nothing scheduled
      expect(job.pending().map((p) => p.sid)).toEqual([BOB]);

      const report = await job.runOnce();
      expect(ofTenants(report.deleted, T, OTHER)).toEqual([{ tenantId: T, sid: BOB, tagsDeleted: 2, activitiesDeleted: 4 }]);
      expect(ofTenants(job.pending(), T, OTHER)).toEqual([]);
      expect(await pendingRows(store, T)).toEqual([]);
      expect(await edgesOf(graph, T, BOB)).toEqual([]);
      expect(await edgesOf(graph, T, "USER:ACME\\BOB")).toEqual([]);
      expect(await store.forTenant(T).entityTag.count({ where: { entityKey: { in: [`user:${BOB}`, "user:bob"] } } })).toBe(0);
      // Carol is alive; only her 200-day-old session went, to activity retention (the tenant's event time is t0).
      expect(report.expired).toEqual([{ tenantId: T, olderThan: new Date(t0.getTime() - 180 * DAY), removed: 1 }]);
      expect(await edgesOf(graph, T, CAROL)).toEqual([`HAS_SESSION WKS08>${CAROL}`, `MEMBER_OF ${CAROL}>${GROUP}`]);
      expect(await edgesOf(graph, OTHER, BOB)).toHaveLength(3);
      expect(await store.forTenant(OTHER).entityTag.count()).toBe(3);
      const audit = await store.forTenant(T).auditEntry.findMany({ where: { action: "personal-data:delete" } });
      expect(audit.map((a) => [a.actor, a.target, a.after])).toEqual([
        [SYSTEM_ACTOR, `entity:user:${BOB}`, { reason: "deleted from the directory", deleted: true, tagsDeleted: 2, activitiesDeleted: 4 }],
      ]);
      expect(await store.forTenant(OTHER).auditEntry.count()).toBe(0);
    });

    it("keeps a person an open alert lists (by SID or by name), and deletes them on the first run after it closes", async () => {
      const t0 = new Date("2027-03-01T12:00:00Z");
      const T = uniqueTenantId("pd-open");
      await seedTenant(store, graph, T, t0);
      const bySid = await openAlert(store, T, `user:${BOB.toLowerCase()}`, t0);
      const byName = await openAlert(store, T, "user:BOB", t0);
      let now = t0;
      const job = createPersonalDataJob({ store, graph, now: () => now, log: () => {} });
      job.observe(snapshot(T, BOB, "bob", t0, true));

      const kept = await job.runOnce();
      expect(ofTenants(kept.deleted, T)).toEqual([]);
      expect(ofTenants(kept.blocked, T)).toEqual([
        { tenantId: T, sid: BOB, blockingAlerts: expect.arrayContaining([bySid, byName]) as string[] },
      ]);
      expect(await pendingRows(store, T)).toEqual([{ sid: BOB, names: ["bob", "acme\\bob"], attempts: 1 }]);
      expect(await edgesOf(graph, T, BOB)).toHaveLength(3);
      expect(await store.forTenant(T).auditEntry.count({ where: { action: "personal-data:delete" } })).toBe(0);

      await store.forTenant(T).alert.update({ where: { id: bySid }, data: { status: "closed" } });
      now = new Date(t0.getTime() + DAY);
      expect(ofTenants((await job.runOnce()).blocked, T)[0]?.blockingAlerts).toEqual([byName]);
      expect((await pendingRows(store, T))[0]?.attempts).toBe(2);
      expect(await edgesOf(graph, T, BOB)).toHaveLength(3);

      await store.forTenant(T).alert.update({ where: { id: byName }, data: { status: "suppressed" } });
      now = new Date(t0.getTime() + 2 * DAY);
      expect(ofTenants((await job.runOnce()).deleted, T)).toEqual([{ tenantId: T, sid: BOB, tagsDeleted: 2, activitiesDeleted: 4 }]);
      expect(await pendingRows(store, T)).toEqual([]);
      expect(await edgesOf(graph, T, BOB)).toEqual([]);
      expect(await store.forTenant(T).auditEntry.count({ where: { action: "personal-data:delete", actor: SYSTEM_ACTOR } })).toBe(1);
      // The alerts themselves stay: they are the security record.
      expect(await store.forTenant(T).alert.count()).toBe(2);
    });

    it("remembers a blocked deletion across a restart and deletes after the alert closes without seeing the tombstone again", async () => {
      const t0 = new Date("2027-07-01T12:00:00Z");
      const [T, OTHER] = [uniqueTenantId("pd-restart"), uniqueTenantId("pd-restart-other")];
      await seedTenant(store, graph, T, t0);
      await seedTenant(store, graph, OTHER, t0);
      const alert = await openAlert(store, T, `user:${BOB}`, t0);
      const before = createPersonalDataJob({ store, graph, now: () => t0, log: () => {}, firstRunDelayMs: 60_000 });
      before.start();
      before.observe(snapshot(T, BOB, "bob", t0, true));
      // Stopped before its first run (a crash right after the tombstone was acknowledged): the row is written.
      await before.stop();
      expect(await pendingRows(store, T)).toEqual([{ sid: BOB, names: ["bob", "acme\\bob"], attempts: 0 }]);

      const blocked = createPersonalDataJob({ store, graph, now: () => t0, log: () => {} });
      expect(ofTenants((await blocked.runOnce()).blocked, T, OTHER)).toEqual([{ tenantId: T, sid: BOB, blockingAlerts: [alert] }]);
      await blocked.stop();
      expect(await edgesOf(graph, T, BOB)).toHaveLength(3);

      await store.forTenant(T).alert.update({ where: { id: alert }, data: { status: "closed" } });
      // On its schedule, as the processor runs it: the reload starts with start(), a later run deletes.
      const after = createPersonalDataJob({
        store,
        graph,
        now: () => new Date(t0.getTime() + DAY),
        log: () => {},
        firstRunDelayMs: 10,
        intervalMs: 50,
      });
      expect(ofTenants(after.pending(), T)).toEqual([]); // nothing observed by this instance yet
      after.start();
      await expect.poll(() => edgesOf(graph, T, BOB), { timeout: 150_000, interval: 200 }).toEqual([]);
      await after.stop();
      expect(await edgesOf(graph, OTHER, BOB)).toHaveLength(3);
      expect(await pendingRows(store, T)).toEqual([]);
      expect(await pendingRows(store, OTHER)).toEqual([]);
      expect(await store.forTenant(T).auditEntry.count({ where: { action: "personal-data:delete", actor: SYSTEM_ACTOR } })).toBe(1);
      // A later run finds nothing left to do.
      expect(ofTenants((await after.runOnce()).deleted, T)).toEqual([]);
    });

    it("removes only sessions last seen more than 180 days before the tenant's event time capped by the wall clock", async () => {
      const t0 = new Date("2027-04-01T12:00:00Z");
      const [T, OTHER] = [uniqueTenantId("pd-ret"), uniqueTenantId("pd-ret-other")];
      await seedTenant(store, graph, T, t0);
      await seedTenant(store, graph, OTHER, t0);
      let wall = t0;
      const job = createPersonalDataJob({ store, graph, now: () => wall, log: () => {} });
      // An event from a sensor whose clock runs a year ahead: the wall clock caps it.
      job.observe(snapshot(T, CAROL, "carol", new Date(t0.getTime() + 365 * DAY), false));

      const first = await job.runOnce();
      expect(first.expired).toEqual([{ tenantId: T, olderThan: new Date(t0.getTime() - 180 * DAY), removed: 1 }]);
      // The 400-day-old membership is configuration, not activity: it stays.
      expect(await edgesOf(graph, T, CAROL)).toEqual([`HAS_SESSION WKS08>${CAROL}`, `MEMBER_OF ${CAROL}>${GROUP}`]);
      expect(await edgesOf(graph, T, BOB)).toHaveLength(3);
      expect(await edgesOf(graph, OTHER, CAROL)).toHaveLength(3); // never observed: not swept
      const audit = await store.forTenant(T).auditEntry.findMany({ where: { action: "activity:retention" } });
      expect(audit.map((a) => [a.actor, a.after])).toEqual([
        [SYSTEM_ACTOR, { removed: 1, olderThan: new Date(t0.getTime() - 180 * DAY).toISOString() }],
      ]);

      wall = new Date(t0.getTime() + 2 * DAY); // the 179-day session is now 181 days old
      expect((await job.runOnce()).expired[0]?.removed).toBe(1);
      expect(await edgesOf(graph, T, CAROL)).toEqual([`MEMBER_OF ${CAROL}>${GROUP}`]);
    });

    it("keeps a deletion pending when its tenant's store refuses, deletes the other tenants' people, and retries", async () => {
      const t0 = new Date("2027-06-01T12:00:00Z");
      const [BAD, GOOD] = [uniqueTenantId("pd-bad"), uniqueTenantId("pd-good")];
      await seedTenant(store, graph, BAD, t0);
      await seedTenant(store, graph, GOOD, t0);
      let refuse = true;
      // The store port itself refuses one tenant (as a broken connection would), not a stand-in of our code.
      const flaky = { prisma: store.prisma, forTenant: (id: string) => store.forTenant(refuse && id === BAD ? "bad tenant id!" : id) };
      const lines: string[] = [];
      const job = createPersonalDataJob({ store: flaky, graph, now: () => t0, log: (l) => lines.push(l) });
      job.observe(snapshot(BAD, BOB, "bob", t0, true));
      job.observe(snapshot(GOOD, BOB, "bob", t0, true));

      const first = await job.runOnce();
      expect(ofTenants(first.deleted, BAD, GOOD).map((d) => d.tenantId)).toEqual([GOOD]);
      // Loading its stored deletions, the deletion and the retention audit of that tenant failed; nothing of the other tenant did.
      const failed = first.failed.filter((f) => f.startsWith(`${BAD}:`) || f.startsWith(`${GOOD}:`));
      expect(failed).toHaveLength(3);
      for (const f of failed) expect(f).toMatch(new RegExp(`^${BAD}: tenant id must be`));
      expect(lines.some((l) => l.includes(`tenant ${BAD} failed (retried next run)`))).toBe(true);
      expect(await edgesOf(graph, BAD, BOB)).toHaveLength(3);
      expect(ofTenants(job.pending(), BAD, GOOD).map((p) => p.tenantId)).toEqual([BAD]);
      // The refused tenant's row could not be written; the other's was written and removed with the deletion.
      expect(await pendingRows(store, BAD)).toEqual([]);
      expect(await pendingRows(store, GOOD)).toEqual([]);

      refuse = false;
      expect(ofTenants((await job.runOnce()).deleted, BAD, GOOD).map((d) => d.tenantId)).toEqual([BAD]);
      expect(await edgesOf(graph, BAD, BOB)).toEqual([]);
      expect(await pendingRows(store, BAD)).toEqual([]);
    });

    it("runs on its schedule until stopped", async () => {
      const t0 = new Date("2027-05-01T12:00:00Z");
      const T = uniqueTenantId("pd-sched");
      await seedTenant(store, graph, T, t0);
      const job = createPersonalDataJob({ store, graph, now: () => t0, log: () => {}, firstRunDelayMs: 10, intervalMs: 20 });
      job.observe(snapshot(T, BOB, "bob", t0, true));
      job.start();
      await expect.poll(() => edgesOf(graph, T, BOB), { timeout: 10_000 }).toEqual([]);
      await job.stop();
      expect(ofTenants(job.pending(), T)).toEqual([]);
    });
  });
}
