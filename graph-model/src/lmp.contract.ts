/**
 * The lateral-movement contract of the IdentityGraph port, run against both adapters (memory.test.ts,
 * neo4j.int.test.ts): sensitivity, precompute, stored paths and exposure, incremental upkeep on every
 * edge write, session expiry, tenant isolation. Known answers come from hand-drawn graphs
 * (fixtures/lmp-graphs.ts) and from an independent oracle on seeded random graphs (fixtures/lmp-random.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { uniqueTenantId } from "../../test-support/services.ts";
import { CORP, CORP_T0, edge, seedCorp } from "./fixtures/lmp-graphs.ts";
import { oracle, prng, randomGraph, type OracleExposure, type RandomGraph } from "./fixtures/lmp-random.ts";
import type { GraphPath, IdentityGraph } from "./port.ts";
import { LMP_MAX_HOPS, LMP_SESSION_WINDOW_MS, type EdgeInput } from "./schema.ts";

const HOUR = 3_600_000;
const after = (hours: number) => new Date(CORP_T0.getTime() + hours * HOUR);
/** [source objectId, hops] per path: what both adapters must agree on (the middle may differ among equals). */
const summary = (paths: GraphPath[]) => paths.map((p) => [p.nodes[0]!.objectId, p.edges.length] as [string, number]);

/** Every path is a real walk ending at `to`, inside `tenantId`. */
function expectWellFormed(paths: GraphPath[], tenantId: string, to: string): void {
  for (const p of paths) {
    expect(p.nodes).toHaveLength(p.edges.length + 1);
    expect(p.nodes.at(-1)!.objectId).toBe(to);
    p.edges.forEach((e, i) => {
      expect([e.from, e.to]).toEqual([p.nodes[i]!.objectId, p.nodes[i + 1]!.objectId]);
      expect(["MEMBER_OF", "ADMIN_TO", "HAS_SESSION"]).toContain(e.kind);
    });
    expect(p.nodes.every((n) => n.tenantId === tenantId)).toBe(true);
  }
}

/** Runs the LMP contract against graphs made by `factory`. */
export function lateralMovementContract(name: string, factory: () => IdentityGraph | Promise<IdentityGraph>): void {
  describe(`lateral movement contract: ${name}`, () => {
    let g: IdentityGraph;
    beforeAll(async () => {
      g = await factory();
      await g.ensureSchema();
    });
    afterAll(async () => g?.close());

    it("computes effective sensitivity: tags, default groups through nesting (SID, RID, name), Tier Zero", async () => {
      const t = uniqueTenantId("lmp-sens");
      await seedCorp(g, t);
      expect(await g.sensitiveAccounts(t)).toEqual([
        { objectId: CORP.admin, kind: "User", reasons: ["sensitive-group"] },
        { objectId: CORP.op, kind: "User", reasons: ["sensitive-group"] },
        { objectId: CORP.dns, kind: "User", reasons: ["sensitive-group"] },
        { objectId: CORP.dc1, kind: "Computer", reasons: ["tier-zero"] },
        { objectId: CORP.srv, kind: "Computer", reasons: ["tagged"] },
      ]);
      expect(await g.sensitiveAccounts(uniqueTenantId("empty"))).toEqual([]);
    });

    it("stores nothing until precomputed, then answers exposure and paths from the drawn graph", async () => {
      const t = uniqueTenantId("lmp-corp");
      await seedCorp(g, t);
      expect(await g.exposure(t, CORP.admin)).toBeNull();
      expect(await g.lateralMovementPaths(t, CORP.admin)).toEqual([]);

      const result = await g.precomputeLateralMovement(t, { asOf: after(1) });
      expect(result).toEqual({ targets: 5, sessionCutoff: new Date(after(1).getTime() - LMP_SESSION_WINDOW_MS) });
      expect(await g.exposure(t, CORP.admin)).toEqual({ reachingAccounts: 6, shortestHops: 1 });
      expect(await g.exposure(t, CORP.dc1)).toEqual({ reachingAccounts: 1, shortestHops: 1 });
      expect(await g.exposure(t, CORP.srv)).toEqual({ reachingAccounts: 1, shortestHops: 1 });
      expect(await g.exposure(t, CORP.op)).toEqual({ reachingAccounts: 0, shortestHops: null });
      expect(await g.exposure(t, CORP.u1)).toBeNull(); // not sensitive
      expect(await g.exposure(t, "S-1-5-21-404")).toBeNull();

      const paths = await g.lateralMovementPaths(t, CORP.admin.toLowerCase(), 10);
      expect(summary(paths)).toEqual([
        [CORP.c1, 1],
        [CORP.u3, 2],
        [CORP.c2, 3],
        [CORP.u1, 4],
        [CORP.u2, 4],
        [CORP.u4, LMP_MAX_HOPS],
      ]);
      expectWellFormed(paths, t, CORP.admin);
      const viaGroups = paths[3]!;
      expect(viaGroups.nodes.map((n) => n.objectId)).toEqual([CORP.u1, CORP.gA, CORP.gB, CORP.c1, CORP.admin]);
      expect(viaGroups.edges.map((e) => e.kind)).toEqual(["MEMBER_OF", "MEMBER_OF", "ADMIN_TO", "HAS_SESSION"]);
      expect(viaGroups.nodes[4]).toMatchObject({ name: "admin", kind: "User", tenantId: t });
      expect(summary(await g.lateralMovementPaths(t, CORP.admin, 2))).toEqual([
        [CORP.c1, 1],
        [CORP.u3, 2],
      ]);
      expect(await g.lateralMovementPaths(t, CORP.op)).toEqual([]);
      expect(await g.lateralMovementPaths(t, CORP.u1)).toEqual([]);
    });

    it("ignores sessions last seen before asOf minus the session window", async () => {
      const t = uniqueTenantId("lmp-window");
      await seedCorp(g, t);
      await g.precomputeLateralMovement(t, { asOf: after(49) }); // every corp session (at T0) is older than 48 h
      expect(await g.exposure(t, CORP.admin)).toEqual({ reachingAccounts: 0, shortestHops: null });
      expect(await g.exposure(t, CORP.dc1)).toEqual({ reachingAccounts: 1, shortestHops: 1 });
      await g.upsertEdges(t, [edge("HAS_SESSION", CORP.c1, CORP.admin, after(48))]); // refreshed past the cutoff
      // C1, u3 (ADMIN_TO C1), u1 (via gA→gB) and u4; not C2 or u2, whose route runs through the stale C2→u3 session
      expect(await g.exposure(t, CORP.admin)).toEqual({ reachingAccounts: 4, shortestHops: 1 });
    });

    it("keeps results current on new edges, removed edges and expiry without another precompute", async () => {
      const t = uniqueTenantId("lmp-incr");
      await seedCorp(g, t);
      await g.precomputeLateralMovement(t, { asOf: after(1) });

      await g.upsertEdges(t, [edge("HAS_SESSION", CORP.c2, CORP.admin, after(1)), edge("ADMIN_TO", CORP.u7, CORP.c2)]);
      expect(await g.exposure(t, CORP.admin)).toEqual({ reachingAccounts: 7, shortestHops: 1 });
      expect(summary(await g.lateralMovementPaths(t, CORP.admin))).toEqual([
        [CORP.c1, 1],
        [CORP.c2, 1],
        [CORP.u2, 2],
        [CORP.u3, 2],
        [CORP.u7, 2],
        [CORP.u1, 4],
        [CORP.u4, LMP_MAX_HOPS],
      ]);

      expect(await g.removeEdges(t, [edge("ADMIN_TO", CORP.u3, CORP.c1), edge("ADMIN_TO", CORP.u3, CORP.c2)])).toBe(1);
      expect(summary(await g.lateralMovementPaths(t, CORP.admin))).toEqual([
        [CORP.c1, 1],
        [CORP.c2, 1],
        [CORP.u2, 2],
        [CORP.u7, 2],
        [CORP.u1, 4],
        [CORP.u4, LMP_MAX_HOPS],
      ]);

      expect(await g.removeExpiredSessions(t, after(0.5))).toBe(2); // C1→admin and C2→u3 (T0); C2→admin (T0+1h) stays
      expect(summary(await g.lateralMovementPaths(t, CORP.admin))).toEqual([
        [CORP.c2, 1],
        [CORP.u2, 2],
        [CORP.u7, 2],
      ]);
      expect(await g.exposure(t, CORP.srv)).toEqual({ reachingAccounts: 1, shortestHops: 1 });
    });

    it("recomputes sources and targets when membership or honeytoken flags change who is sensitive", async () => {
      const t = uniqueTenantId("lmp-sens-change");
      await seedCorp(g, t);
      await g.precomputeLateralMovement(t, { asOf: after(1) });

      await g.upsertEdges(t, [edge("MEMBER_OF", CORP.u3, CORP.gNested)]); // u3 becomes a Domain Admin
      expect((await g.sensitiveAccounts(t)).map((s) => s.objectId)).toContain(CORP.u3);
      expect(await g.exposure(t, CORP.u3)).toEqual({ reachingAccounts: 2, shortestHops: 1 }); // C2, u2
      expect(summary(await g.lateralMovementPaths(t, CORP.admin)).map(([id]) => id)).not.toContain(CORP.u3);
      expect(await g.exposure(t, CORP.admin)).toEqual({ reachingAccounts: 5, shortestHops: 1 });

      await g.upsertNodes(t, [{ kind: "User", objectId: CORP.honey, honeytoken: false }]);
      expect(await g.exposure(t, CORP.admin)).toEqual({ reachingAccounts: 6, shortestHops: 1 });

      await g.removeEdges(t, [{ kind: "MEMBER_OF", from: CORP.u3, to: CORP.gNested }]);
      expect(await g.exposure(t, CORP.u3)).toBeNull();
      expect(await g.exposure(t, CORP.admin)).toEqual({ reachingAccounts: 7, shortestHops: 1 });
    });

    it("keeps tenants apart: results, precompute and updates of one tenant never touch another", async () => {
      const a = uniqueTenantId("lmp-iso-a");
      const b = uniqueTenantId("lmp-iso-b");
      await seedCorp(g, a);
      await g.upsertNodes(b, [
        { kind: "User", objectId: CORP.admin, name: "admin-in-b" },
        { kind: "Group", objectId: CORP.domainAdmins, name: "Domain Admins" },
        { kind: "Computer", objectId: CORP.c1 },
      ]);
      await g.upsertEdges(b, [edge("MEMBER_OF", CORP.admin, CORP.domainAdmins), edge("HAS_SESSION", CORP.c1, CORP.admin)]);
      await g.precomputeLateralMovement(a, { asOf: after(1) });
      expect(await g.exposure(b, CORP.admin)).toBeNull();
      expect(await g.lateralMovementPaths(b, CORP.admin)).toEqual([]);

      await g.precomputeLateralMovement(b, { asOf: after(1) });
      expect(await g.exposure(b, CORP.admin)).toEqual({ reachingAccounts: 1, shortestHops: 1 });
      await g.removeEdges(b, [{ kind: "HAS_SESSION", from: CORP.c1, to: CORP.admin }]);
      expect(await g.exposure(b, CORP.admin)).toEqual({ reachingAccounts: 0, shortestHops: null });
      expect(await g.exposure(a, CORP.admin)).toEqual({ reachingAccounts: 6, shortestHops: 1 });
      const paths = await g.lateralMovementPaths(a, CORP.admin, 100);
      expect(paths.flatMap((p) => p.nodes).every((n) => n.tenantId === a)).toBe(true);
    });

    it.each([11, 23, 37, 41, 59])("matches the oracle on random graph seed %i, before and after random edits", async (seed) => {
      const t = uniqueTenantId(`lmp-rand-${seed}`);
      const asOf = new Date("2026-03-01T00:00:00Z");
      const rg = randomGraph(seed, asOf);
      await g.upsertNodes(t, rg.nodes);
      await g.upsertEdges(t, rg.edges);
      const { sessionCutoff } = await g.precomputeLateralMovement(t, { asOf });
      const edges = new Map(rg.edges.map((e) => [`${e.kind} ${e.from} ${e.to}`, e]));
      await expectOracle(g, t, rg, edges.values(), sessionCutoff.getTime());

      const rnd = prng(seed * 7919);
      const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!;
      for (let step = 0; step < 4; step++) {
        const added: EdgeInput[] = [
          { kind: "HAS_SESSION", from: pick(rg.computers), to: pick(rg.users), source: "gen", lastSeen: asOf },
          { kind: "ADMIN_TO", from: pick(rg.users), to: pick(rg.computers), source: "gen", lastSeen: asOf },
        ];
        await g.upsertEdges(t, added);
        for (const e of added) edges.set(`${e.kind} ${e.from} ${e.to}`, e);
        const victim = pick([...edges.values()].filter((e) => e.kind !== "MEMBER_OF"));
        await g.removeEdges(t, [victim]);
        edges.delete(`${victim.kind} ${victim.from} ${victim.to}`);
        await expectOracle(g, t, rg, edges.values(), sessionCutoff.getTime());
      }
      const expiry = new Date(asOf.getTime() - 24 * HOUR);
      await g.removeExpiredSessions(t, expiry);
      for (const [k, e] of edges) if (e.kind === "HAS_SESSION" && e.lastSeen < expiry) edges.delete(k);
      await expectOracle(g, t, rg, edges.values(), expiry.getTime());
    });

    it("rejects malformed input with GRAPH_INVALID_INPUT", async () => {
      const t = uniqueTenantId("lmp-bad");
      const invalid = { code: "GRAPH_INVALID_INPUT" };
      await expect(g.lateralMovementPaths(t, CORP.admin, 0)).rejects.toMatchObject(invalid);
      await expect(g.lateralMovementPaths(t, CORP.admin, 101)).rejects.toMatchObject(invalid);
      await expect(g.lateralMovementPaths(t, "")).rejects.toMatchObject(invalid);
      await expect(g.exposure("", CORP.admin)).rejects.toMatchObject(invalid);
      await expect(g.removeEdges(t, [{ kind: "OWNS" as never, from: "S-1", to: "S-2" }])).rejects.toMatchObject(invalid);
      await expect(g.precomputeLateralMovement(t, { asOf: new Date(NaN) })).rejects.toMatchObject(invalid);
      expect(await g.removeEdges(t, [{ kind: "MEMBER_OF", from: "S-1", to: "S-2" }])).toBe(0);
    });
  });
}

async function expectOracle(g: IdentityGraph, t: string, rg: RandomGraph, edges: Iterable<EdgeInput>, cutoff: number): Promise<void> {
  const want = oracle(rg, edges, cutoff, LMP_MAX_HOPS);
  const got = new Map<string, OracleExposure>();
  for (const [target, w] of want) {
    const paths = await g.lateralMovementPaths(t, target, 100);
    expectWellFormed(paths, t, target);
    const exposure = await g.exposure(t, target);
    got.set(target, {
      reachingAccounts: exposure?.reachingAccounts ?? -1,
      shortestHops: exposure?.shortestHops ?? null,
      sources: summary(paths),
    });
    void w;
  }
  expect(got).toEqual(new Map([...want].map(([k, w]) => [k, { ...w, sources: w.sources.slice(0, 100) }])));
  expect((await g.sensitiveAccounts(t)).map((s) => s.objectId).sort()).toEqual([...want.keys()].sort());
}
