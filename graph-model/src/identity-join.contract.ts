/**
 * Contract of name-key aliases and LMP openings (aliases.ts, lmp-openings.ts), run against both
 * adapters by memory.test.ts and neo4j.int.test.ts on the drawn graph of fixtures/identity-join.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { uniqueTenantId } from "../../test-support/services.ts";
import { JOIN, joinAt, joinDirectoryEdges, joinEdge, joinPrincipals, ws01FromDirectory, ws01FromEvents } from "./fixtures/identity-join.ts";
import { randomGraph } from "./fixtures/lmp-random.ts";
import type { IdentityGraph } from "./port.ts";

const ids = (paths: { nodes: { objectId: string }[] }[]) => paths.map((p) => p.nodes.map((n) => n.objectId));

/** Runs the identity-join and LMP-openings contract against graphs made by `factory`. */
export function identityJoinContract(name: string, factory: () => IdentityGraph | Promise<IdentityGraph>): void {
  describe(`identity join and LMP openings: ${name}`, () => {
    let g: IdentityGraph;
    beforeAll(async () => {
      g = await factory();
      await g.ensureSchema();
    });
    afterAll(async () => g?.close());

    /** Events first: a session on the host-named WS01, then the directory's SID node and its admin edge. */
    async function eventsThenDirectory(t: string, precompute: boolean): Promise<void> {
      await g.upsertNodes(t, [...joinPrincipals(), ws01FromEvents()]);
      await g.upsertEdges(t, [...joinDirectoryEdges(), joinEdge("HAS_SESSION", JOIN.ws01Name, JOIN.dadmin, joinAt(1))]);
      if (precompute) await g.precomputeLateralMovement(t, { asOf: joinAt(2) });
      await g.upsertNodes(t, [ws01FromDirectory()]);
      await g.upsertEdges(t, [joinEdge("ADMIN_TO", JOIN.alice, JOIN.ws01)]);
    }

    it("merges the host-named node into the SID node when the directory arrives second, keeping edges, times and sources", async () => {
      const t = uniqueTenantId("join-ev");
      await eventsThenDirectory(t, false);
      expect((await g.counts(t)).nodes).toEqual({ User: 4, Computer: 2, Group: 2, Domain: 0 });
      const node = await g.getNode(t, JOIN.ws01Name.toLowerCase());
      expect(node).toMatchObject({ objectId: JOIN.ws01, name: "WS01", domain: "ACME", kind: "Computer" });
      expect(node?.properties).toEqual({ os: "Windows 11", seenBy: "4624" }); // the directory's value wins, gaps filled
      const out = await g.neighbours(t, JOIN.ws01, { direction: "both" });
      expect(out.map((n) => [n.edge.kind, n.edge.from, n.edge.to, n.edge.source, n.edge.lastSeen])).toEqual([
        ["ADMIN_TO", JOIN.alice, JOIN.ws01, "sharphound", joinAt(0)],
        ["HAS_SESSION", JOIN.ws01, JOIN.dadmin, "event:4624", joinAt(1)],
      ]);
      expect(await g.neighbours(t, JOIN.ws01Name)).toHaveLength(2);
      const path = await g.shortestPath(t, JOIN.alice, JOIN.dadmin, { maxHops: 4 });
      expect(path?.nodes.map((n) => n.objectId)).toEqual([JOIN.alice, JOIN.ws01, JOIN.dadmin]);
    });

    it("sends later writes by the host name to the SID node when the directory arrives first", async () => {
      const t = uniqueTenantId("join-dir");
      await g.upsertNodes(t, [...joinPrincipals(), ws01FromDirectory()]);
      await g.upsertEdges(t, [...joinDirectoryEdges(), joinEdge("ADMIN_TO", JOIN.alice, JOIN.ws01)]);
      expect(await g.upsertNodes(t, [ws01FromEvents()])).toBe(1);
      const result = await g.upsertEdges(t, [
        joinEdge("HAS_SESSION", JOIN.ws01Name, JOIN.dadmin, joinAt(1)),
        joinEdge("HAS_SESSION", "computer:ws01", JOIN.dadmin, joinAt(3)), // spelled differently: the same edge
      ]);
      expect(result).toEqual({ written: 1, skipped: [] });
      expect((await g.counts(t)).nodes.Computer).toBe(2);
      const [session] = await g.neighbours(t, JOIN.ws01Name, { direction: "out" });
      expect(session?.edge).toMatchObject({ from: JOIN.ws01, to: JOIN.dadmin, firstSeen: joinAt(1), lastSeen: joinAt(3) });
      expect(await g.removeEdges(t, [{ kind: "HAS_SESSION", from: JOIN.ws01Name, to: JOIN.dadmin }])).toBe(1);
    });

    it("folds an edge both halves had into one observation span, and merges users named DOMAIN\\account", async () => {
      const t = uniqueTenantId("join-fold");
      await g.upsertNodes(t, [...joinPrincipals(), ws01FromEvents(), { kind: "User", objectId: JOIN.aliceName, name: "alice" }]);
      await g.upsertEdges(t, [
        joinEdge("MEMBER_OF", JOIN.ws01Name, JOIN.helpdesk, joinAt(5)),
        { ...joinEdge("MEMBER_OF", JOIN.aliceName, JOIN.helpdesk, joinAt(6)), source: "event:4728" },
      ]);
      await g.upsertNodes(t, [ws01FromDirectory(), { kind: "User", objectId: JOIN.alice, aliases: [JOIN.aliceName] }]);
      await g.upsertEdges(t, [
        joinEdge("MEMBER_OF", JOIN.ws01, JOIN.helpdesk, joinAt(2)),
        joinEdge("MEMBER_OF", JOIN.alice, JOIN.helpdesk, joinAt(4)),
      ]);
      const members = await g.neighbours(t, JOIN.helpdesk, { direction: "in" });
      expect(members.map((n) => [n.edge.from, n.edge.source, n.edge.firstSeen, n.edge.lastSeen])).toEqual(
        [
          [JOIN.alice, "event:4728", joinAt(4), joinAt(6)],
          [JOIN.ws01, "ldap", joinAt(2), joinAt(5)],
        ].sort((a, b) => (String(a[0]) < String(b[0]) ? -1 : 1)),
      );
      expect(await g.getNode(t, JOIN.aliceName)).toMatchObject({ objectId: JOIN.alice, name: "alice" });
      expect((await g.counts(t)).nodes).toEqual({ User: 4, Computer: 2, Group: 2, Domain: 0 });
    });

    it("keeps precomputed paths right through a merge, and a merge alone opens no path", async () => {
      const t = uniqueTenantId("join-lmp");
      await g.upsertNodes(t, [...joinPrincipals(), ws01FromEvents()]);
      await g.upsertEdges(t, [...joinDirectoryEdges(), joinEdge("HAS_SESSION", JOIN.ws01Name, JOIN.dadmin, joinAt(1))]);
      await g.precomputeLateralMovement(t, { asOf: joinAt(2) });
      expect(await g.exposure(t, JOIN.dadmin)).toEqual({ reachingAccounts: 1, shortestHops: 1 }); // WS01 by name
      await g.upsertNodes(t, [ws01FromDirectory()]);
      expect(await g.exposure(t, JOIN.dadmin)).toEqual({ reachingAccounts: 1, shortestHops: 1 }); // WS01 by SID now
      expect(ids(await g.lateralMovementPaths(t, JOIN.dadmin))).toEqual([[JOIN.ws01, JOIN.dadmin]]);
      expect(await g.lmpOpenings(t)).toEqual([]);
    });

    it.each([11, 23, 37])(
      "after merging host-named computers of random graph %i, answers as if it had been written by SID",
      async (seed) => {
        const asOf = new Date("2026-03-01T00:00:00Z");
        const rg = randomGraph(seed, asOf);
        const named = new Map(rg.computers.filter((_, i) => i % 2 === 1).map((id, i) => [id, `COMPUTER:HOST${i}`]));
        const byName = (id: string) => named.get(id) ?? id;
        const [bySid, merged] = [uniqueTenantId(`join-rand-sid-${seed}`), uniqueTenantId(`join-rand-merged-${seed}`)];
        await g.upsertNodes(bySid, rg.nodes);
        await g.upsertEdges(bySid, rg.edges);
        await g.precomputeLateralMovement(bySid, { asOf });
        // Events first: half the computers known by host name only; then the directory claims the names.
        await g.upsertNodes(
          merged,
          rg.nodes.map((n) => ({ ...n, objectId: byName(n.objectId) })),
        );
        await g.upsertEdges(
          merged,
          rg.edges.map((e) => ({ ...e, from: byName(e.from), to: byName(e.to) })),
        );
        await g.precomputeLateralMovement(merged, { asOf });
        await g.upsertNodes(
          merged,
          [...named].map(([objectId, alias]) => ({ kind: "Computer" as const, objectId, aliases: [alias] })),
        );
        const answers = async (t: string) => {
          const out: unknown[] = [(await g.counts(t)).nodes];
          for (const s of await g.sensitiveAccounts(t)) {
            const paths = await g.lateralMovementPaths(t, s.objectId, 100);
            out.push([s.objectId, await g.exposure(t, s.objectId), paths.map((p) => [p.nodes[0]!.objectId, p.edges.length])]);
          }
          return out;
        };
        expect(await answers(merged)).toEqual(await answers(bySid));
        expect(await g.lmpOpenings(merged)).toEqual([]);
      },
    );

    it("journals one opening when an imported ADMIN_TO meets an observed session on the same machine", async () => {
      const t = uniqueTenantId("open-admin");
      await eventsThenDirectory(t, true);
      expect(await g.exposure(t, JOIN.dadmin)).toEqual({ reachingAccounts: 2, shortestHops: 1 });
      const openings = await g.lmpOpenings(t);
      expect(openings).toHaveLength(1);
      expect(openings[0]).toMatchObject({
        target: JOIN.dadmin,
        source: JOIN.alice,
        sources: [JOIN.alice],
        newSources: 1,
        edge: { kind: "ADMIN_TO", from: JOIN.alice, to: JOIN.ws01, source: "sharphound", lastSeen: joinAt(0) },
        path: { nodes: [JOIN.alice, JOIN.ws01, JOIN.dadmin], kinds: ["ADMIN_TO", "HAS_SESSION"] },
        reachingBefore: 1,
        reachingAfter: 2,
        at: joinAt(0),
      });
      expect(openings[0]!.id).toMatch(/^[0-9a-f]{32}$/);
      // Writing the same edge again, or another route for a source that already reaches, opens nothing.
      await g.upsertEdges(t, [joinEdge("ADMIN_TO", JOIN.alice, JOIN.ws01, joinAt(3)), joinEdge("ADMIN_TO", JOIN.alice, JOIN.ws02)]);
      expect(await g.lmpOpenings(t)).toHaveLength(1);
      expect(await g.ackLmpOpenings(t, [openings[0]!.id, "unknown"])).toBe(1);
      expect(await g.lmpOpenings(t)).toEqual([]);
    });

    it("journals an observed session that opens paths for every account administering the machine", async () => {
      const t = uniqueTenantId("open-session");
      await g.upsertNodes(t, [...joinPrincipals(), ws01FromDirectory()]);
      await g.upsertEdges(t, [...joinDirectoryEdges(), joinEdge("ADMIN_TO", JOIN.alice, JOIN.ws01)]);
      await g.precomputeLateralMovement(t, { asOf: joinAt(2) });
      await g.upsertNodes(t, [ws01FromEvents()]);
      await g.upsertEdges(t, [joinEdge("HAS_SESSION", JOIN.ws01Name, JOIN.dadmin, joinAt(1))]);
      const [opening, ...rest] = await g.lmpOpenings(t);
      expect(rest).toEqual([]);
      expect(opening).toMatchObject({
        target: JOIN.dadmin,
        source: JOIN.alice, // WS01 itself, holding the session, is no new source
        sources: [JOIN.alice],
        newSources: 1,
        edge: { kind: "HAS_SESSION", from: JOIN.ws01, to: JOIN.dadmin, source: "event:4624" },
        reachingBefore: 0,
        reachingAfter: 2,
      });
    });

    it("journals nothing for a tenant never precomputed, or for an edge into a machine without sensitive sessions", async () => {
      const t = uniqueTenantId("open-none");
      await eventsThenDirectory(t, false);
      expect(await g.lmpOpenings(t)).toEqual([]);
      const u = uniqueTenantId("open-near");
      await g.upsertNodes(u, [...joinPrincipals(), ws01FromDirectory()]);
      await g.upsertEdges(u, [...joinDirectoryEdges(), joinEdge("HAS_SESSION", JOIN.ws02, JOIN.carol, joinAt(1))]);
      await g.precomputeLateralMovement(u, { asOf: joinAt(2) });
      await g.upsertEdges(u, [joinEdge("ADMIN_TO", JOIN.alice, JOIN.ws02), joinEdge("ADMIN_TO", JOIN.alice, JOIN.ws01)]);
      expect(await g.lmpOpenings(u)).toEqual([]);
    });

    it("keeps aliases and openings per tenant: tenant B's writes never redirect or journal in tenant A", async () => {
      const [a, b] = [uniqueTenantId("join-iso-a"), uniqueTenantId("join-iso-b")];
      await eventsThenDirectory(a, true);
      const inA = await g.lmpOpenings(a);
      await g.upsertNodes(b, [...joinPrincipals(), ws01FromEvents()]);
      await g.upsertEdges(b, [...joinDirectoryEdges(), joinEdge("HAS_SESSION", JOIN.ws01Name, JOIN.dadmin, joinAt(1))]);
      await g.precomputeLateralMovement(b, { asOf: joinAt(2) });
      expect((await g.getNode(b, JOIN.ws01Name))?.objectId).toBe(JOIN.ws01Name); // A's alias does not apply in B
      await g.upsertEdges(b, [joinEdge("ADMIN_TO", JOIN.bob, JOIN.ws01Name)]);
      expect((await g.lmpOpenings(b)).map((o) => [o.source, o.edge.to])).toEqual([[JOIN.bob, JOIN.ws01Name]]);
      expect(await g.lmpOpenings(a)).toEqual(inA);
      expect(
        await g.ackLmpOpenings(
          a,
          (await g.lmpOpenings(b)).map((o) => o.id),
        ),
      ).toBe(0);
      expect(await g.exposure(a, JOIN.dadmin)).toEqual({ reachingAccounts: 2, shortestHops: 1 });
    });

    it("rejects aliases that are not name keys of the node's kind, or claimed by a name-keyed node", async () => {
      const t = uniqueTenantId("join-bad");
      const invalid = { code: "GRAPH_INVALID_INPUT" };
      await expect(g.upsertNodes(t, [{ kind: "Computer", objectId: JOIN.ws01, aliases: ["USER:ACME\\WS01"] }])).rejects.toMatchObject(
        invalid,
      );
      await expect(g.upsertNodes(t, [{ kind: "Computer", objectId: JOIN.ws01, aliases: [JOIN.ws02] }])).rejects.toMatchObject(invalid);
      await expect(g.upsertNodes(t, [{ kind: "Computer", objectId: JOIN.ws01Name, aliases: ["COMPUTER:WS01X"] }])).rejects.toMatchObject(
        invalid,
      );
      await expect(g.ackLmpOpenings(t, [""])).rejects.toMatchObject(invalid);
      expect(await g.getNode(t, JOIN.ws01)).toBeNull();
    });
  });
}
