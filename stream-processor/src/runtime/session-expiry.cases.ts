/**
 * Session expiry against one IdentityGraph adapter (embedded in the unit tier, Neo4j in the
 * integration tier), with a controllable wall clock.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { IdentityGraph } from "@vigil/graph-model";
import { uniqueTenantId } from "../../../test-support/services.ts";
import { createSessionExpiry, SESSION_TTL_MS } from "./session-expiry.ts";

const HOUR = 3_600_000;
const T0 = Date.parse("2026-11-25T12:00:00Z");

/** A small graph: two computers, two users, a membership, a local admin, and sessions of the given ages (hours before T0). */
async function seed(graph: IdentityGraph, tenantId: string, sessionAgesHours: { ws01: number; ws02: number }): Promise<void> {
  await graph.upsertNodes(tenantId, [
    { kind: "Computer", objectId: "WS01" },
    { kind: "Computer", objectId: "WS02" },
    { kind: "User", objectId: "ALICE" },
    { kind: "Group", objectId: "HELPDESK" },
  ]);
  const old = new Date(T0 - 30 * 24 * HOUR);
  await graph.upsertEdges(tenantId, [
    { kind: "HAS_SESSION", from: "WS01", to: "ALICE", source: "event:4624", lastSeen: new Date(T0 - sessionAgesHours.ws01 * HOUR) },
    { kind: "HAS_SESSION", from: "WS02", to: "ALICE", source: "sharphound", lastSeen: new Date(T0 - sessionAgesHours.ws02 * HOUR) },
    { kind: "MEMBER_OF", from: "ALICE", to: "HELPDESK", source: "sharphound", lastSeen: old },
    { kind: "ADMIN_TO", from: "HELPDESK", to: "WS02", source: "sharphound", lastSeen: old },
  ]);
}

const sessionsOf = async (graph: IdentityGraph, tenantId: string) =>
  (await graph.neighbours(tenantId, "ALICE", { edgeKinds: ["HAS_SESSION"], direction: "in" })).map((n) => n.node.objectId);

/** Registers the session-expiry suite for one graph adapter. */
export function sessionExpiryCases(name: string, factory: () => IdentityGraph | Promise<IdentityGraph>): void {
  describe(`session expiry (${name})`, () => {
    let graph: IdentityGraph;
    beforeAll(async () => {
      graph = await factory();
      await graph.ensureSchema();
    });
    afterAll(async () => {
      await graph?.close();
    });

    it("removes sessions last seen more than 48 h before the tenant's latest event, and nothing else", async () => {
      const tenantId = uniqueTenantId("exp");
      await seed(graph, tenantId, { ws01: 47, ws02: 49 });
      let wall = T0 + 5 * HOUR;
      const expiry = createSessionExpiry({ graph, now: () => wall });
      expiry.observe(tenantId, T0 - 10 * HOUR);
      expiry.observe(tenantId, T0);
      expiry.observe(tenantId, T0 - HOUR); // late event: the tenant's time does not go back
      expect(await expiry.sweep()).toEqual([{ tenantId, olderThan: new Date(T0 - SESSION_TTL_MS), removed: 1 }]);
      expect(await sessionsOf(graph, tenantId)).toEqual(["WS01"]);
      expect((await graph.counts(tenantId)).edges).toEqual({ MEMBER_OF: 1, ADMIN_TO: 1, HAS_SESSION: 1 });

      // Events move on two hours: the 47 h session is now 49 h old.
      expiry.observe(tenantId, T0 + 2 * HOUR);
      wall = T0 + 2 * HOUR;
      expect((await expiry.sweep())[0]?.removed).toBe(1);
      expect(await sessionsOf(graph, tenantId)).toEqual([]);
      expect(expiry.stats()).toEqual({ tenants: 1, sweeps: 2, removed: 2, failures: 0 });
    });

    it("caps a tenant's event time at the wall clock, so one future-dated event cannot wipe its sessions", async () => {
      const tenantId = uniqueTenantId("exp");
      await seed(graph, tenantId, { ws01: 1, ws02: 49 });
      const expiry = createSessionExpiry({ graph, now: () => T0 });
      expiry.observe(tenantId, T0 + 365 * 24 * HOUR);
      const [result] = await expiry.sweep();
      expect(result).toMatchObject({ olderThan: new Date(T0 - SESSION_TTL_MS), removed: 1 });
      expect(await sessionsOf(graph, tenantId)).toEqual(["WS01"]);
    });

    it("sweeps each tenant on its own time and leaves tenants it has not seen alone", async () => {
      const [a, b, unseen] = [uniqueTenantId("exp-a"), uniqueTenantId("exp-b"), uniqueTenantId("exp-u")];
      for (const t of [a, b, unseen]) await seed(graph, t, { ws01: 1, ws02: 49 });
      // Tenant b's events are from a replay three days back: relative to them, nothing is stale.
      const expiry = createSessionExpiry({ graph, ttlMs: 48 * HOUR, now: () => T0 });
      expiry.observe(a, T0);
      expiry.observe(b, T0 - 72 * HOUR);
      const results = await expiry.sweep();
      expect(results.map((r) => [r.tenantId, r.removed])).toEqual([
        [a, 1],
        [b, 0],
      ]);
      expect(await sessionsOf(graph, a)).toEqual(["WS01"]);
      expect(await sessionsOf(graph, b)).toEqual(["WS01", "WS02"]);
      expect(await sessionsOf(graph, unseen)).toEqual(["WS01", "WS02"]);
    });

    it("runs on its interval once started, and stop() ends it", async () => {
      const tenantId = uniqueTenantId("exp");
      await seed(graph, tenantId, { ws01: 1, ws02: 49 });
      const expiry = createSessionExpiry({ graph, intervalMs: 25, now: () => T0 });
      expiry.observe(tenantId, T0);
      expiry.start();
      const deadline = Date.now() + 10_000;
      while (expiry.stats().removed < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      await expiry.stop();
      const sweeps = expiry.stats().sweeps;
      expect(expiry.stats().removed).toBe(1);
      expect(await sessionsOf(graph, tenantId)).toEqual(["WS01"]);
      await new Promise((r) => setTimeout(r, 100));
      expect(expiry.stats().sweeps).toBe(sweeps);
    });
  });
}
