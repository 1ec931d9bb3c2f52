import { describe, expect, it } from "vitest";
import { testServices, uniqueTenantId } from "../../test-support/services.ts";
import neo4j from "neo4j-driver";
import { CORP, CORP_T0, edge, seedCorp } from "./fixtures/lmp-graphs.ts";
import { randomGraph } from "./fixtures/lmp-random.ts";
import { identityGraphContract } from "./identity-graph.contract.ts";
import { identityJoinContract } from "./identity-join.contract.ts";
import { lateralMovementContract } from "./lmp.contract.ts";
import { createMemoryGraph } from "./memory/adapter.ts";
import { createNeo4jGraph } from "./neo4j/adapter.ts";
import type { IdentityGraph } from "./port.ts";

identityGraphContract("neo4j", () => createNeo4jGraph(testServices.neo4j));
lateralMovementContract("neo4j", () => createNeo4jGraph(testServices.neo4j));
identityJoinContract("neo4j", () => createNeo4jGraph(testServices.neo4j));

describe("neo4j adapter against a live server", () => {
  it("maps a wrong password to GRAPH_AUTH_FAILED", async () => {
    const g = createNeo4jGraph({ ...testServices.neo4j, password: "wrong-password" });
    await expect(g.counts("t")).rejects.toMatchObject({ code: "GRAPH_AUTH_FAILED" });
    await g.close();
  });

  it("recomputes everything on the next write after an update that failed left the tenant marked stale", async () => {
    const g = createNeo4jGraph(testServices.neo4j);
    const { uri, user, password } = testServices.neo4j;
    const driver = neo4j.driver(uri, neo4j.auth.basic(user, password));
    const t = uniqueTenantId("lmp-stale");
    try {
      await seedCorp(g, t);
      await g.precomputeLateralMovement(t, { asOf: new Date(CORP_T0.getTime() + 3_600_000) });
      // What guarded() leaves behind when an update fails after the edge write committed.
      await driver.executeQuery(
        "MATCH (s:LmpState {tenantId: $t}) MATCH (x:LmpExposure {tenantId: $t, objectId: $admin}) SET s.fingerprint = 'stale', x.reachingAccounts = 999",
        { t, admin: CORP.admin },
        { database: "neo4j" },
      );
      expect(await g.exposure(t, CORP.admin)).toEqual({ reachingAccounts: 999, shortestHops: 1 });
      await g.upsertEdges(t, [edge("MEMBER_OF", CORP.u7, CORP.g0)]); // 7 hops from admin: changes no path
      expect(await g.exposure(t, CORP.admin)).toEqual({ reachingAccounts: 6, shortestHops: 1 });
    } finally {
      await driver.close();
      await g.close();
    }
  });

  it.each([3, 5, 8])("returns the same exposure and equal-length paths as the embedded graph (random seed %i)", async (seed) => {
    const neo = createNeo4jGraph(testServices.neo4j);
    const mem = createMemoryGraph();
    const t = uniqueTenantId(`lmp-pair-${seed}`);
    const asOf = new Date("2026-03-01T00:00:00Z");
    const rg = randomGraph(seed, asOf);
    const answers = async (g: IdentityGraph) => {
      await g.upsertNodes(t, rg.nodes);
      await g.upsertEdges(t, rg.edges);
      await g.precomputeLateralMovement(t, { asOf });
      const out: unknown[] = [];
      for (const s of await g.sensitiveAccounts(t)) {
        const paths = await g.lateralMovementPaths(t, s.objectId, 100);
        out.push([s, await g.exposure(t, s.objectId), paths.map((p) => [p.nodes[0]!.objectId, p.edges.length])]);
      }
      return out;
    };
    try {
      const [a, b] = [await answers(neo), await answers(mem)];
      expect(a.length).toBeGreaterThan(0);
      expect(a).toEqual(b);
    } finally {
      await neo.close();
    }
  });
});
