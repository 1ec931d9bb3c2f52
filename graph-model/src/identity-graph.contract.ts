/**
 * The one contract suite for the IdentityGraph port; memory.test.ts and neo4j.int.test.ts run it.
 * Every test uses its own tenant, so one server can be shared by parallel suites.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { uniqueTenantId } from "../../test-support/services.ts";
import { LM, T0, lateralMovementEdges, seedLateralMovement } from "./fixtures/lateral-movement.ts";
import type { GraphPath, IdentityGraph } from "./port.ts";
import type { EdgeInput } from "./schema.ts";

const HOUR = 3_600_000;
const at = (hours: number) => new Date(T0.getTime() + hours * HOUR);
const ids = (p: GraphPath | null) => p?.nodes.map((n) => n.objectId) ?? null;

/** Runs the port contract against graphs made by `factory` (called once per suite, plus once for close()). */
export function identityGraphContract(name: string, factory: () => IdentityGraph | Promise<IdentityGraph>): void {
  describe(`IdentityGraph contract: ${name}`, () => {
    let g: IdentityGraph;
    beforeAll(async () => {
      g = await factory();
      await g.ensureSchema();
    });
    afterAll(async () => g?.close());

    it("upserts nodes and reads them back by objectId, optionally by kind", async () => {
      const t = uniqueTenantId("nodes");
      const sid = "S-1-5-21-1-2-3-1104";
      const written = await g.upsertNodes(t, [
        {
          kind: "User",
          objectId: sid.toLowerCase(),
          name: "alice",
          domain: "CORP.LOCAL",
          honeytoken: true,
          properties: { spn: ["http/a"], pwdAgeDays: 40 },
        },
      ]);
      expect(written).toBe(1);
      const expected = {
        tenantId: t,
        kind: "User",
        objectId: sid,
        name: "alice",
        domain: "CORP.LOCAL",
        sensitive: false,
        honeytoken: true,
        enabled: true,
        properties: { spn: ["http/a"], pwdAgeDays: 40 },
      };
      expect(await g.getNode(t, sid)).toEqual(expected);
      expect(await g.getNode(t, "User", sid.toLowerCase())).toEqual(expected);
      expect(await g.getNode(t, undefined, sid)).toEqual(expected);
      expect(await g.getNode(t, "Group", sid)).toBeNull();
      expect(await g.getNode(t, "S-1-5-21-1-2-3-9999")).toBeNull();
    });

    it("keeps omitted fields on update, merges properties shallowly, deletes null properties", async () => {
      const t = uniqueTenantId("nodes");
      await g.upsertNodes(t, [
        { kind: "Computer", objectId: "S-1-5-21-9-2001", name: "WS01", properties: { os: "Windows 11", laps: true } },
      ]);
      await g.upsertNodes(t, [
        { kind: "Computer", objectId: "S-1-5-21-9-2001", sensitive: true, enabled: false, properties: { laps: null, tier: 1 } },
      ]);
      const node = await g.getNode(t, "Computer", "S-1-5-21-9-2001");
      expect(node).toMatchObject({ name: "WS01", sensitive: true, enabled: false, honeytoken: false });
      expect(node?.properties).toEqual({ os: "Windows 11", tier: 1 });
    });

    it("rejects a node whose objectId is stored under another kind, writing nothing of that batch", async () => {
      const t = uniqueTenantId("nodes");
      await g.upsertNodes(t, [{ kind: "Group", objectId: "S-1-5-21-9-512", name: "Domain Admins" }]);
      const batch = [
        { kind: "User" as const, objectId: "S-1-5-21-9-1104", name: "alice" },
        { kind: "User" as const, objectId: "S-1-5-21-9-512", name: "oops" },
      ];
      await expect(g.upsertNodes(t, batch)).rejects.toMatchObject({ code: "GRAPH_KIND_CONFLICT" });
      expect(await g.getNode(t, "S-1-5-21-9-1104")).toBeNull();
      expect((await g.getNode(t, "S-1-5-21-9-512"))?.kind).toBe("Group");
    });

    it("upserts edges idempotently: repeats keep counts, widen [firstSeen, lastSeen], source follows the latest", async () => {
      const t = uniqueTenantId("edges");
      await seedLateralMovement(g, t);
      const before = await g.counts(t);
      expect(before.nodes).toEqual({ User: 4, Computer: 2, Group: 4, Domain: 1 });
      expect(before.edges).toEqual({ MEMBER_OF: 5, HAS_SESSION: 2, ADMIN_TO: 2 });

      const session = (source: string, firstSeen: Date, lastSeen: Date): EdgeInput => ({
        kind: "HAS_SESSION",
        from: LM.ws01,
        to: LM.bob,
        source,
        firstSeen,
        lastSeen,
      });
      const repeat = await g.upsertEdges(t, [
        ...lateralMovementEdges(),
        session("sharphound", at(3), at(5)),
        session("event:4624", at(4), at(4)),
      ]);
      expect(repeat).toEqual({ written: 9, skipped: [] });
      await g.upsertEdges(t, [session("event:4624", at(-1), at(1))]); // older observation: lastSeen and source must not regress
      expect(await g.counts(t)).toEqual(before);

      const out = await g.neighbours(t, LM.ws01, { direction: "out", edgeKinds: ["HAS_SESSION"] });
      expect(out).toHaveLength(1);
      expect(out[0]!.edge).toEqual({
        kind: "HAS_SESSION",
        from: LM.ws01,
        to: LM.bob,
        source: "sharphound",
        firstSeen: at(-1),
        lastSeen: at(5),
      });
    });

    it("skips (and reports) edges whose endpoint is missing or of a kind the edge does not allow", async () => {
      const t = uniqueTenantId("edges");
      await seedLateralMovement(g, t);
      const bad: EdgeInput[] = [
        { kind: "MEMBER_OF", from: LM.alice, to: "S-1-5-21-404", source: "ldap", lastSeen: at(0) },
        { kind: "HAS_SESSION", from: LM.alice, to: LM.bob, source: "event:4624", lastSeen: at(0) }, // tail must be a Computer
      ];
      const good: EdgeInput = { kind: "MEMBER_OF", from: LM.carol, to: LM.helpdesk, source: "ldap", lastSeen: at(0) };
      expect(await g.upsertEdges(t, [bad[0]!, good, bad[1]!])).toEqual({ written: 1, skipped: bad });
      expect((await g.counts(t)).edges).toEqual({ MEMBER_OF: 6, HAS_SESSION: 2, ADMIN_TO: 2 });
    });

    it("writes hundreds of edges in one call", async () => {
      const t = uniqueTenantId("batch");
      const users = Array.from({ length: 300 }, (_, i) => ({ kind: "User" as const, objectId: `S-1-5-21-7-${10_000 + i}` }));
      await g.upsertNodes(t, [...users, { kind: "Computer", objectId: "S-1-5-21-7-2001" }, { kind: "Group", objectId: "S-1-5-21-7-513" }]);
      const edges: EdgeInput[] = users.flatMap((u) => [
        { kind: "HAS_SESSION" as const, from: "S-1-5-21-7-2001", to: u.objectId, source: "event:4624", lastSeen: at(0) },
        { kind: "MEMBER_OF" as const, from: u.objectId, to: "S-1-5-21-7-513", source: "ldap", lastSeen: at(0) },
      ]);
      expect((await g.upsertEdges(t, edges)).written).toBe(600);
      expect((await g.counts(t)).edges).toEqual({ MEMBER_OF: 300, HAS_SESSION: 300, ADMIN_TO: 0 });
    });

    it("lists neighbours by direction and edge kind, ordered by kind then objectId", async () => {
      const t = uniqueTenantId("nbr");
      await seedLateralMovement(g, t);
      const both = await g.neighbours(t, LM.alice);
      expect(both.map((n) => [n.edge.kind, n.node.objectId])).toEqual([
        ["ADMIN_TO", LM.ws02],
        ["MEMBER_OF", LM.helpdesk],
      ]);
      const inbound = await g.neighbours(t, LM.domainAdmins, { direction: "in" });
      expect(inbound.map((n) => n.node.name)).toEqual(["bob", "IT Admins"]);
      expect(inbound.every((n) => n.edge.to === LM.domainAdmins)).toBe(true);
      expect(await g.neighbours(t, LM.domainAdmins, { direction: "out" })).toEqual([]);
      expect(await g.neighbours(t, LM.alice, { edgeKinds: ["HAS_SESSION"] })).toEqual([]);
      expect(await g.neighbours(t, LM.domainAdmins, { direction: "in", limit: 1 })).toHaveLength(1);
      expect(await g.neighbours(t, "S-1-5-21-404")).toEqual([]);
    });

    it("finds the shortest membership/admin/session path to a Domain Admins member, respecting maxHops", async () => {
      const t = uniqueTenantId("path");
      await seedLateralMovement(g, t);
      const path = await g.shortestPath(t, LM.alice, LM.domainAdmins, { maxHops: 6 });
      expect(ids(path)).toEqual([LM.alice, LM.helpdesk, LM.ws01, LM.bob, LM.domainAdmins]);
      expect(path!.edges.map((e) => [e.kind, e.from, e.to])).toEqual([
        ["MEMBER_OF", LM.alice, LM.helpdesk],
        ["ADMIN_TO", LM.helpdesk, LM.ws01],
        ["HAS_SESSION", LM.ws01, LM.bob],
        ["MEMBER_OF", LM.bob, LM.domainAdmins],
      ]);
      expect(path!.nodes[4]).toMatchObject({ kind: "Group", name: "Domain Admins", sensitive: true, tenantId: t });
      expect(ids(await g.shortestPath(t, LM.alice, LM.bob, { maxHops: 3 }))).toEqual([LM.alice, LM.helpdesk, LM.ws01, LM.bob]);
      expect(await g.shortestPath(t, LM.alice, LM.domainAdmins, { maxHops: 4 })).not.toBeNull();
      expect(await g.shortestPath(t, LM.alice, LM.domainAdmins, { maxHops: 3 })).toBeNull();
    });

    it("returns null when there is no path (direction, edge kinds, unknown nodes) and a 0-hop path to itself", async () => {
      const t = uniqueTenantId("path");
      await seedLateralMovement(g, t);
      expect(await g.shortestPath(t, LM.carol, LM.domainAdmins, { maxHops: 12 })).toBeNull();
      expect(await g.shortestPath(t, LM.domainAdmins, LM.alice, { maxHops: 12 })).toBeNull();
      expect(await g.shortestPath(t, LM.alice, LM.domainAdmins, { maxHops: 12, edgeKinds: ["MEMBER_OF"] })).toBeNull();
      expect(ids(await g.shortestPath(t, LM.bob, LM.domainAdmins, { maxHops: 2, edgeKinds: ["MEMBER_OF"] }))).toEqual([
        LM.bob,
        LM.domainAdmins,
      ]);
      expect(await g.shortestPath(t, LM.alice, "S-1-5-21-404", { maxHops: 12 })).toBeNull();
      const self = await g.shortestPath(t, LM.alice, LM.alice, { maxHops: 1 });
      expect(self).toMatchObject({ nodes: [{ objectId: LM.alice }], edges: [] });
    });

    it("expires only sessions last seen before the cutoff", async () => {
      const t = uniqueTenantId("expiry");
      await seedLateralMovement(g, t);
      expect(await g.removeExpiredSessions(t, at(1))).toBe(1);
      expect((await g.counts(t)).edges).toEqual({ MEMBER_OF: 5, HAS_SESSION: 1, ADMIN_TO: 2 });
      expect(await g.neighbours(t, LM.ws02, { direction: "out" })).toHaveLength(1);
      const path = await g.shortestPath(t, LM.alice, LM.domainAdmins, { maxHops: 6 });
      expect(ids(path)).toEqual([LM.alice, LM.ws02, LM.eve, LM.tier1, LM.itAdmins, LM.domainAdmins]);
      expect(await g.removeExpiredSessions(t, at(2))).toBe(0); // strictly before the cutoff
    });

    it("removes edges by (kind, from, to), ignoring absent ones and other tenants' edges", async () => {
      const [t, other] = [uniqueTenantId("rm"), uniqueTenantId("rm-other")];
      await seedLateralMovement(g, t);
      await seedLateralMovement(g, other);
      const removed = await g.removeEdges(t, [
        { kind: "MEMBER_OF", from: LM.alice.toLowerCase(), to: LM.helpdesk },
        { kind: "MEMBER_OF", from: LM.alice, to: LM.helpdesk }, // the same edge twice counts once
        { kind: "ADMIN_TO", from: LM.alice, to: LM.helpdesk }, // no such edge
        { kind: "HAS_SESSION", from: LM.ws01, to: LM.bob },
      ]);
      expect(removed).toBe(2);
      expect((await g.counts(t)).edges).toEqual({ MEMBER_OF: 4, HAS_SESSION: 1, ADMIN_TO: 2 });
      expect((await g.counts(other)).edges).toEqual({ MEMBER_OF: 5, HAS_SESSION: 2, ADMIN_TO: 2 });
      expect(ids(await g.shortestPath(t, LM.alice, LM.domainAdmins, { maxHops: 6 }))).toEqual([
        LM.alice,
        LM.ws02,
        LM.eve,
        LM.tier1,
        LM.itAdmins,
        LM.domainAdmins,
      ]);
      expect(await g.removeEdges(uniqueTenantId("rm-none"), [{ kind: "MEMBER_OF", from: LM.alice, to: LM.helpdesk }])).toBe(0);
      expect(await g.removeEdges(t, [])).toBe(0);
    });

    it("never lets one tenant see another's nodes, edges or paths, even with identical objectIds", async () => {
      const a = uniqueTenantId("iso-a");
      const b = uniqueTenantId("iso-b");
      await seedLateralMovement(g, a);
      await g.upsertNodes(b, [
        { kind: "User", objectId: LM.alice, name: "alice-in-b" },
        { kind: "Group", objectId: LM.domainAdmins, name: "DA-in-b" },
        { kind: "Computer", objectId: LM.ws01, name: "WS01-in-b" },
      ]);
      const cross = await g.upsertEdges(b, [{ kind: "MEMBER_OF", from: LM.alice, to: LM.helpdesk, source: "ldap", lastSeen: at(0) }]);
      expect(cross.written).toBe(0); // Helpdesk exists only in tenant a

      expect((await g.getNode(b, LM.alice))?.name).toBe("alice-in-b");
      expect((await g.getNode(a, LM.alice))?.name).toBe("alice");
      expect(await g.getNode(b, LM.bob)).toBeNull();
      expect(await g.neighbours(b, LM.alice)).toEqual([]);
      expect(await g.shortestPath(b, LM.alice, LM.domainAdmins, { maxHops: 12 })).toBeNull();
      expect(await g.removeExpiredSessions(b, at(100))).toBe(0);
      expect(await g.counts(b)).toEqual({
        nodes: { User: 1, Computer: 1, Group: 1, Domain: 0 },
        edges: { MEMBER_OF: 0, HAS_SESSION: 0, ADMIN_TO: 0 },
      });
      expect((await g.counts(a)).edges.HAS_SESSION).toBe(2);
      expect((await g.shortestPath(a, LM.alice, LM.domainAdmins, { maxHops: 6 }))?.nodes.every((n) => n.tenantId === a)).toBe(true);
    });

    it("rejects malformed input with GRAPH_INVALID_INPUT", async () => {
      const t = uniqueTenantId("bad");
      const invalid = { code: "GRAPH_INVALID_INPUT" };
      await expect(g.upsertNodes("", [{ kind: "User", objectId: "S-1" }])).rejects.toMatchObject(invalid);
      await expect(g.upsertNodes(t, [{ kind: "Printer" as never, objectId: "S-1" }])).rejects.toMatchObject(invalid);
      await expect(g.upsertNodes(t, [{ kind: "User", objectId: "S-1", properties: { nested: { a: 1 } as never } }])).rejects.toMatchObject(
        invalid,
      );
      await expect(
        g.upsertEdges(t, [{ kind: "MEMBER_OF", from: "S-1", to: "S-2", source: "ldap", lastSeen: new Date(NaN) }]),
      ).rejects.toMatchObject(invalid);
      await expect(g.shortestPath(t, "S-1", "S-2", { maxHops: 0 })).rejects.toMatchObject(invalid);
      await expect(g.shortestPath(t, "S-1", "S-2", { maxHops: 13 })).rejects.toMatchObject(invalid);
      await expect(g.neighbours(t, "S-1", { direction: "up" as never })).rejects.toMatchObject(invalid);
    });

    it("reports health and refuses use after close()", async () => {
      const other = await factory();
      expect(await other.health()).toMatchObject({ ok: true });
      await other.close();
      await expect(other.counts(uniqueTenantId())).rejects.toMatchObject({ code: "GRAPH_CLOSED" });
      expect((await other.health()).ok).toBe(false);
    });
  });
}
