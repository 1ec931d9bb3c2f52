// Entity recent activity from the identity graph, black-box through inject(), run identically on
// Mercurius and Apollo over the embedded store and the embedded graph (createMemoryGraph).
import type { FastifyInstance } from "fastify";
import type { RelationalStore } from "@vigil/db";
import { type MemoryIdentityGraph, createMemoryGraph } from "@vigil/graph-model";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PublishableAlertFeed } from "../../index.ts";
import { type ServerKind, codes, createTenant, gql, openFixtures, startServer, token } from "../../testing/api-fixtures.ts";
import { entityKeyOf, graphObjectId } from "./entity-graph.ts";

let fixtures: { store: RelationalStore; feed: PublishableAlertFeed; graph: MemoryIdentityGraph };
beforeAll(async () => {
  fixtures = { ...(await openFixtures()), graph: createMemoryGraph() };
});
afterAll(async () => {
  await fixtures?.graph.close();
  await fixtures?.store.close();
});

const SID = "S-1-5-21-7-7-7-1104";
const GROUP_SID = "S-1-5-21-7-7-7-512";
const ACTIVITY = `query($id: ID!, $first: Int) {
  entity(id: $id) { id tags { kind } recentActivity(first: $first) { kind direction counterpart { objectId kind name entityKey } source firstSeen lastSeen } }
}`;

interface Activity {
  kind: string;
  direction: string;
  counterpart: { objectId: string; kind: string; name: string; entityKey: string | null };
  source: string;
  firstSeen: string;
  lastSeen: string;
}
interface ActivityData {
  entity: { id: string; tags: unknown[]; recentActivity: Activity[] } | null;
}

const at = (minutesAgo: number) => new Date(Date.UTC(2026, 10, 25, 12, 0) - minutesAgo * 60_000);

describe.each<ServerKind>(["mercurius", "apollo"])("entity recent activity on %s", (kind) => {
  let app: FastifyInstance;
  let noGraph: FastifyInstance;
  let readerA: string;
  let readerB: string;

  beforeAll(async () => {
    app = await startServer(kind, fixtures);
    noGraph = await startServer(kind, { store: fixtures.store, feed: fixtures.feed });
    const tenantA = await createTenant(fixtures.store, `${kind}-activity-a`);
    const tenantB = await createTenant(fixtures.store, `${kind}-activity-b`);
    [readerA, readerB] = await Promise.all([token(tenantA, "reader"), token(tenantB, "reader")]);

    const { graph } = fixtures;
    await graph.upsertNodes(tenantA, [
      { kind: "User", objectId: SID, name: "alice", domain: "CORP" },
      { kind: "Computer", objectId: "COMPUTER:WKS01", name: "WKS01" },
      { kind: "Computer", objectId: "COMPUTER:WKS02", name: "WKS02" },
      { kind: "Group", objectId: GROUP_SID, name: "Domain Admins", domain: "CORP" },
    ]);
    const edges = await graph.upsertEdges(tenantA, [
      { kind: "HAS_SESSION", from: "COMPUTER:WKS01", to: SID, source: "event:4624", firstSeen: at(90), lastSeen: at(30) },
      { kind: "HAS_SESSION", from: "COMPUTER:WKS02", to: SID, source: "event:4624", firstSeen: at(20), lastSeen: at(5) },
      { kind: "MEMBER_OF", from: SID, to: GROUP_SID, source: "event:4728", lastSeen: at(60) },
      { kind: "ADMIN_TO", from: GROUP_SID, to: "COMPUTER:WKS01", source: "ldap", lastSeen: at(10) },
    ]);
    expect(edges.skipped).toEqual([]);
    // Tenant B has a node with one of the same objectIds, but none of A's edges.
    await graph.upsertNodes(tenantB, [{ kind: "Computer", objectId: "COMPUTER:WKS01", name: "WKS01" }]);
  });
  afterAll(async () => {
    await app?.close();
    await noGraph?.close();
  });

  const activity = (bearer: string, id: string, first?: number) => gql<ActivityData>(app, bearer, ACTIVITY, { id, first });

  it("lists the user's sessions and group membership, newest lastSeen first", async () => {
    const result = await activity(readerA, `user:${SID.toLowerCase()}`);
    expect(result.errors).toBeUndefined();
    expect(result.data!.entity).toMatchObject({ id: `user:${SID.toLowerCase()}`, tags: [] });
    expect(result.data!.entity!.recentActivity).toEqual([
      {
        kind: "SESSION",
        direction: "IN",
        counterpart: { objectId: "COMPUTER:WKS02", kind: "Computer", name: "WKS02", entityKey: "computer:wks02" },
        source: "event:4624",
        firstSeen: at(20).toISOString(),
        lastSeen: at(5).toISOString(),
      },
      {
        kind: "SESSION",
        direction: "IN",
        counterpart: { objectId: "COMPUTER:WKS01", kind: "Computer", name: "WKS01", entityKey: "computer:wks01" },
        source: "event:4624",
        firstSeen: at(90).toISOString(),
        lastSeen: at(30).toISOString(),
      },
      {
        kind: "MEMBERSHIP",
        direction: "OUT",
        counterpart: { objectId: GROUP_SID, kind: "Group", name: "Domain Admins", entityKey: `group:${GROUP_SID}` },
        source: "event:4728",
        firstSeen: at(60).toISOString(),
        lastSeen: at(60).toISOString(),
      },
    ]);
  });

  it("answers for computers and groups by their keys, with the direction seen from the entity", async () => {
    const wks01 = (await activity(readerA, "computer:WKS01.corp.lab")).data!.entity!.recentActivity;
    expect(wks01.map((a) => [a.kind, a.direction, a.counterpart.objectId])).toEqual([
      ["ADMIN", "IN", GROUP_SID],
      ["SESSION", "OUT", SID],
    ]);
    const group = (await activity(readerA, `group:${GROUP_SID}`)).data!.entity!.recentActivity;
    expect(group.map((a) => [a.kind, a.direction, a.counterpart.entityKey])).toEqual([
      ["ADMIN", "OUT", "computer:wks01"],
      ["MEMBERSHIP", "IN", `user:${SID}`],
    ]);
  });

  it("bounds first: 1 gives the newest only; 0 and 101 are BAD_USER_INPUT", async () => {
    const one = await activity(readerA, `user:${SID}`, 1);
    expect(one.data!.entity!.recentActivity.map((a) => a.counterpart.objectId)).toEqual(["COMPUTER:WKS02"]);
    expect((await activity(readerA, `user:${SID}`, 100)).data!.entity!.recentActivity).toHaveLength(3);
    for (const first of [0, 101]) {
      const result = await gql(app, readerA, ACTIVITY, { id: `user:${SID}`, first });
      expect(codes(result), String(first)).toEqual(["BAD_USER_INPUT"]);
      expect(result.errors![0]!.message).toMatch(/first must be between 1 and 100/);
    }
  });

  it("keeps tenants apart: tenant B with the same ids sees no entity and no activity", async () => {
    for (const id of [`user:${SID}`, `group:${GROUP_SID}`]) {
      const result = await activity(readerB, id);
      expect(result.errors, id).toBeUndefined();
      expect(result.data!.entity, id).toBeNull();
    }
    const own = await activity(readerB, "computer:wks01");
    expect(own.errors).toBeUndefined();
    expect(own.data!.entity).toEqual({ id: "computer:wks01", tags: [], recentActivity: [] });
  });

  it("returns null for keys the graph cannot hold (ip:, unknown nodes) and needs a token", async () => {
    expect((await activity(readerA, "ip:10.0.0.5")).data!.entity).toBeNull();
    expect((await activity(readerA, "user:S-1-5-21-7-7-7-9999")).data!.entity).toBeNull();
    expect(codes(await gql(app, undefined, ACTIVITY, { id: `user:${SID}` }))).toEqual(["UNAUTHENTICATED"]);
  });

  it("without a graph: entity(id) falls back to tags and alerts, and recentActivity is empty without error", async () => {
    const missing = await gql<ActivityData>(noGraph, readerA, ACTIVITY, { id: `user:${SID}` });
    expect(missing.errors).toBeUndefined();
    expect(missing.data!.entity).toBeNull();
    const tagged = await gql<ActivityData>(
      noGraph,
      await token(`${kind}-activity-a`, "admin"),
      `mutation { tagEntity(entityKey: "user:${SID}", tag: SENSITIVE) { created } }`,
    );
    expect(tagged.errors).toBeUndefined();
    const result = await gql<ActivityData>(noGraph, readerA, ACTIVITY, { id: `user:${SID}` });
    expect(result.errors).toBeUndefined();
    expect(result.data!.entity).toEqual({ id: `user:${SID}`, tags: [{ kind: "SENSITIVE" }], recentActivity: [] });
    // With the graph, the tagged entity has both.
    expect((await activity(readerA, `user:${SID}`)).data!.entity!.recentActivity).toHaveLength(3);
  });
});

describe("entity keys ↔ graph objectIds", () => {
  it("maps user/computer/group keys as the processor names nodes, and ip: to none", () => {
    expect(graphObjectId(`user:${SID.toLowerCase()}`)).toBe(SID);
    expect(graphObjectId(`sid:${SID}`)).toBe(SID);
    expect(graphObjectId(SID)).toBe(SID);
    expect(graphObjectId("computer:wks01")).toBe("COMPUTER:WKS01");
    expect(graphObjectId("host:WKS01.corp.lab")).toBe("COMPUTER:WKS01");
    expect(graphObjectId("computer:WKS01$")).toBe("COMPUTER:WKS01");
    expect(graphObjectId("account:CORP\\bob")).toBe("USER:CORP\\BOB");
    expect(graphObjectId("user:bob@corp.lab")).toBe("USER:CORP\\BOB");
    expect(graphObjectId("user:bob")).toBe("USER:BOB");
    expect(graphObjectId("group:CORP\\Domain Admins")).toBe("GROUP:CORP\\DOMAIN ADMINS");
    for (const none of ["ip:10.0.0.5", "ip:S-1-5-21-1-2-3-4", "host:10.0.0.5", "bob", "entity:ws01", "user:", "computer:a b"]) {
      expect(graphObjectId(none), none).toBeUndefined();
    }
  });

  it("names graph nodes by keys that map back to them", () => {
    const nodes = [
      { kind: "User", objectId: SID },
      { kind: "Computer", objectId: "COMPUTER:WKS01" },
      { kind: "User", objectId: "USER:CORP\\BOB" },
      { kind: "Group", objectId: "GROUP:DOMAIN ADMINS" },
    ] as const;
    for (const node of nodes) expect(graphObjectId(entityKeyOf(node)!)).toBe(node.objectId);
    expect(entityKeyOf({ kind: "Domain", objectId: "S-1-5-21-7-7-7" })).toBeNull();
    expect(entityKeyOf({ kind: "User", objectId: "USER:DN:CN=BOB,DC=CORP" })).toBeNull();
  });
});
