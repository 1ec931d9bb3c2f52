/**
 * The LMP refresh scheduler against one IdentityGraph adapter (embedded in the unit tier, Neo4j in the
 * integration tier), with a controllable wall clock and known answers on a small drawn graph:
 *
 *   alice ─ADMIN_TO→ WS01 ─HAS_SESSION(T0)→ dadmin ─MEMBER_OF→ Domain Admins (RID 512)
 *
 * dadmin is sensitive; WS01 (1 hop) and alice (2 hops) reach it while the session is inside the 48 h window.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { IdentityGraph } from "@vigil/graph-model";
import { uniqueTenantId } from "../../../test-support/services.ts";
import { createLmpRefresh } from "./lmp-refresh.ts";

const HOUR = 3_600_000;
const T0 = Date.parse("2026-11-25T12:00:00Z");
const D = "S-1-5-21-41-42-43";
/** objectIds of the drawn graph. */
export const LMP_GRAPH = { alice: `${D}-1101`, dadmin: `${D}-1109`, ws01: "COMPUTER:WS01", domainAdmins: `${D}-512` } as const;

/** Writes the drawn graph into `tenantId` (session seen at T0). */
export async function seedLmpGraph(graph: IdentityGraph, tenantId: string): Promise<void> {
  const g = LMP_GRAPH;
  await graph.upsertNodes(tenantId, [
    { kind: "User", objectId: g.alice, name: "alice" },
    { kind: "User", objectId: g.dadmin, name: "dadmin" },
    { kind: "Computer", objectId: g.ws01, name: "WS01" },
    { kind: "Group", objectId: g.domainAdmins, name: "Domain Admins" },
  ]);
  const old = new Date(T0 - 30 * 24 * HOUR);
  const { skipped } = await graph.upsertEdges(tenantId, [
    { kind: "ADMIN_TO", from: g.alice, to: g.ws01, source: "ldap", lastSeen: old },
    { kind: "HAS_SESSION", from: g.ws01, to: g.dadmin, source: "event:4624", lastSeen: new Date(T0) },
    { kind: "MEMBER_OF", from: g.dadmin, to: g.domainAdmins, source: "ldap", lastSeen: old },
  ]);
  expect(skipped).toEqual([]);
}

/** Registers the LMP refresh suite for one graph adapter. */
export function lmpRefreshCases(name: string, factory: () => IdentityGraph | Promise<IdentityGraph>): void {
  describe(`LMP refresh (${name})`, () => {
    let graph: IdentityGraph;
    beforeAll(async () => {
      graph = await factory();
      await graph.ensureSchema();
    });
    afterAll(async () => {
      await graph?.close();
    });

    it("precomputes a tenant once on its first write, as of its latest event time, and not again on later writes", async () => {
      const tenantId = uniqueTenantId("lmpr");
      await seedLmpGraph(graph, tenantId);
      expect(await graph.exposure(tenantId, LMP_GRAPH.dadmin)).toBeNull();
      const refresh = createLmpRefresh({ graph, now: () => T0 + 5 * HOUR });
      refresh.written(tenantId, T0 + HOUR);
      refresh.written(tenantId, T0 + 2 * HOUR); // queued already: no second precompute
      await refresh.idle();
      expect(await graph.exposure(tenantId, LMP_GRAPH.dadmin)).toEqual({ reachingAccounts: 2, shortestHops: 1 });
      const paths = await graph.lateralMovementPaths(tenantId, LMP_GRAPH.dadmin);
      expect(paths.map((p) => p.nodes.map((n) => n.objectId))).toEqual([
        [LMP_GRAPH.ws01, LMP_GRAPH.dadmin],
        [LMP_GRAPH.alice, LMP_GRAPH.ws01, LMP_GRAPH.dadmin],
      ]);
      refresh.written(tenantId, T0 + 3 * HOUR);
      await refresh.idle();
      expect(refresh.stats()).toEqual({ tenants: 1, precomputes: 1, failures: 0, rounds: 0 });
    });

    it("moves the 48 h session window on each scheduled refresh, relative to the tenant's event time", async () => {
      const tenantId = uniqueTenantId("lmpr-window");
      await seedLmpGraph(graph, tenantId);
      let wall = T0 + HOUR;
      const refresh = createLmpRefresh({ graph, now: () => wall });
      refresh.written(tenantId, T0 + HOUR);
      await refresh.idle();
      expect(await graph.exposure(tenantId, LMP_GRAPH.dadmin)).toEqual({ reachingAccounts: 2, shortestHops: 1 });
      // Two days later the T0 session is outside the window: a refresh drops it although the edge stays.
      wall = T0 + 49 * HOUR;
      refresh.written(tenantId, T0 + 49 * HOUR);
      expect(await refresh.refresh()).toEqual([{ tenantId, asOf: new Date(T0 + 49 * HOUR), targets: 1 }]);
      expect(await graph.exposure(tenantId, LMP_GRAPH.dadmin)).toEqual({ reachingAccounts: 0, shortestHops: null });
      expect((await graph.counts(tenantId)).edges.HAS_SESSION).toBe(1);
      expect(refresh.stats()).toMatchObject({ precomputes: 2, rounds: 1 });
    });

    it("caps the event time at the wall clock, so a future-dated event cannot empty the window", async () => {
      const tenantId = uniqueTenantId("lmpr-future");
      await seedLmpGraph(graph, tenantId);
      const refresh = createLmpRefresh({ graph, now: () => T0 + HOUR });
      refresh.written(tenantId, T0 + 365 * 24 * HOUR);
      const [result] = await refresh.refresh();
      expect(result).toEqual({ tenantId, asOf: new Date(T0 + HOUR), targets: 1 });
      expect(await graph.exposure(tenantId, LMP_GRAPH.dadmin)).toEqual({ reachingAccounts: 2, shortestHops: 1 });
    });

    it("precomputes only tenants it saw written: another tenant with the same objectIds stays unprecomputed", async () => {
      const [seen, unseen] = [uniqueTenantId("lmpr-a"), uniqueTenantId("lmpr-b")];
      await seedLmpGraph(graph, seen);
      await seedLmpGraph(graph, unseen);
      const refresh = createLmpRefresh({ graph, now: () => T0 + HOUR });
      refresh.written(seen, T0);
      await refresh.refresh();
      expect(await graph.exposure(seen, LMP_GRAPH.dadmin)).toEqual({ reachingAccounts: 2, shortestHops: 1 });
      expect(await graph.exposure(unseen, LMP_GRAPH.dadmin)).toBeNull();
      expect(await graph.lateralMovementPaths(unseen, LMP_GRAPH.dadmin)).toEqual([]);
    });

    it("runs one more precompute when the tenant is written during its first one", async () => {
      const tenantId = uniqueTenantId("lmpr-race");
      await seedLmpGraph(graph, tenantId);
      const refresh = createLmpRefresh({ graph, now: () => T0 + HOUR });
      refresh.written(tenantId, T0);
      await Promise.resolve(); // the queued precompute starts
      refresh.written(tenantId, T0 + 1);
      await refresh.idle();
      expect(refresh.stats().precomputes).toBe(2);
      refresh.written(tenantId, T0 + 2);
      await refresh.idle();
      expect(refresh.stats().precomputes).toBe(2);
    });

    it("refreshes on its interval once started, and stop() ends it and ignores later writes", async () => {
      const tenantId = uniqueTenantId("lmpr-timer");
      await seedLmpGraph(graph, tenantId);
      const refresh = createLmpRefresh({ graph, intervalMs: 25, now: () => T0 + HOUR });
      refresh.written(tenantId, T0);
      refresh.start();
      const deadline = Date.now() + 10_000;
      while (refresh.stats().rounds < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      await refresh.stop();
      const { rounds, precomputes } = refresh.stats();
      expect(rounds).toBeGreaterThanOrEqual(2);
      expect(precomputes).toBeGreaterThanOrEqual(3);
      await new Promise((r) => setTimeout(r, 100));
      expect(refresh.stats().rounds).toBe(rounds);
      // A write drained after stop() starts nothing.
      refresh.written(uniqueTenantId("lmpr-late"), T0);
      await refresh.idle();
      expect(refresh.stats()).toMatchObject({ tenants: 1, precomputes });
    });
  });
}
