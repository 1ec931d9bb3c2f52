// Lateral movement paths, exposure and entity neighbourhoods, black-box through inject() on both
// servers, over the embedded store and the embedded graph (createMemoryGraph), precomputed as the
// processor does. Known answers come from the small graph drawn below.
import type { FastifyInstance } from "fastify";
import type { RelationalStore } from "@vigil/db";
import { type MemoryIdentityGraph, createMemoryGraph } from "@vigil/graph-model";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PublishableAlertFeed } from "../../index.ts";
import { type ServerKind, codes, createTenant, gql, openFixtures, startServer, token } from "../../testing/api-fixtures.ts";

/*
 * Tenant A:
 *   alice ─ADMIN_TO→ WS01 ─HAS_SESSION→ dadmin ─MEMBER_OF→ Domain Admins (RID 512)
 *   bob ─MEMBER_OF→ Helpdesk ─ADMIN_TO→ WS01
 * dadmin is sensitive; WS01 reaches it in 1 hop, alice in 2, bob in 3.
 * Tenant B holds nodes with the same objectIds and no edges.
 */
const D = "S-1-5-21-61-62-63";
const G = {
  alice: `${D}-1101`,
  bob: `${D}-1102`,
  dadmin: `${D}-1109`,
  helpdesk: `${D}-3001`,
  domainAdmins: `${D}-512`,
  ws01: "COMPUTER:WS01",
} as const;

let fixtures: { store: RelationalStore; feed: PublishableAlertFeed; graph: MemoryIdentityGraph };
const seen = new Date(Date.now() - 3_600_000);
const dirSeen = new Date(Date.now() - 30 * 86_400_000);

async function seedGraph(tenantId: string, withEdges: boolean): Promise<void> {
  const { graph } = fixtures;
  await graph.upsertNodes(tenantId, [
    { kind: "User", objectId: G.alice, name: "alice", domain: "CORP" },
    { kind: "User", objectId: G.bob, name: "bob", domain: "CORP" },
    { kind: "User", objectId: G.dadmin, name: "dadmin", domain: "CORP" },
    { kind: "Group", objectId: G.helpdesk, name: "Helpdesk", domain: "CORP" },
    { kind: "Group", objectId: G.domainAdmins, name: "Domain Admins", domain: "CORP" },
    { kind: "Computer", objectId: G.ws01, name: "WS01" },
  ]);
  if (withEdges) {
    const { skipped } = await graph.upsertEdges(tenantId, [
      { kind: "ADMIN_TO", from: G.alice, to: G.ws01, source: "ldap", lastSeen: dirSeen },
      { kind: "HAS_SESSION", from: G.ws01, to: G.dadmin, source: "event:4624", firstSeen: seen, lastSeen: seen },
      { kind: "MEMBER_OF", from: G.dadmin, to: G.domainAdmins, source: "ldap", lastSeen: dirSeen },
      { kind: "MEMBER_OF", from: G.bob, to: G.helpdesk, source: "ldap", lastSeen: dirSeen },
      { kind: "ADMIN_TO", from: G.helpdesk, to: G.ws01, source: "sharphound", lastSeen: dirSeen },
    ]);
    expect(skipped).toEqual([]);
  }
  await graph.precomputeLateralMovement(tenantId);
}

beforeAll(async () => {
  fixtures = { ...(await openFixtures()), graph: createMemoryGraph() };
});
afterAll(async () => {
  await fixtures?.graph.close();
  await fixtures?.store.close();
});

const NODE = "kind objectId name entityKey sensitive";
const EDGE = "kind from to source firstSeen lastSeen";
const PATHS = `query($to: ID!, $first: Int) { lateralMovementPaths(to: $to, first: $first) { hops nodes { ${NODE} } edges { ${EDGE} } } }`;
const EXPOSURE = `query($account: ID!) { exposure(account: $account) { reachingAccounts shortestHops } }`;
const HOOD = `query($id: ID!, $depth: Int, $first: Int) {
  entityNeighbourhood(id: $id, depth: $depth, first: $first) { center { objectId } nodes { ${NODE} } edges { kind from to } truncated }
}`;

interface Node {
  kind: string;
  objectId: string;
  name: string;
  entityKey: string | null;
  sensitive: boolean;
}
interface PathsData {
  lateralMovementPaths: {
    hops: number;
    nodes: Node[];
    edges: { kind: string; from: string; to: string; source: string; lastSeen: string }[];
  }[];
}
interface HoodData {
  entityNeighbourhood: {
    center: { objectId: string };
    nodes: Node[];
    edges: { kind: string; from: string; to: string }[];
    truncated: boolean;
  } | null;
}

describe.each<ServerKind>(["mercurius", "apollo"])("lateral movement paths on %s", (kind) => {
  let app: FastifyInstance;
  let noGraph: FastifyInstance;
  let readerA: string;
  let readerB: string;

  beforeAll(async () => {
    app = await startServer(kind, fixtures);
    noGraph = await startServer(kind, { store: fixtures.store, feed: fixtures.feed });
    const tenantA = await createTenant(fixtures.store, `${kind}-lmp-a`);
    const tenantB = await createTenant(fixtures.store, `${kind}-lmp-b`);
    await seedGraph(tenantA, true);
    await seedGraph(tenantB, false);
    [readerA, readerB] = await Promise.all([token(tenantA, "reader"), token(tenantB, "reader")]);
  });
  afterAll(async () => {
    await app?.close();
    await noGraph?.close();
  });

  it("lists the shortest path from each reaching account, shortest first, with nodes and edges", async () => {
    const result = await gql<PathsData>(app, readerA, PATHS, { to: `user:${G.dadmin.toLowerCase()}` });
    expect(result.errors).toBeUndefined();
    const paths = result.data!.lateralMovementPaths;
    expect(paths.map((p) => [p.hops, p.nodes.map((n) => n.objectId)])).toEqual([
      [1, [G.ws01, G.dadmin]],
      [2, [G.alice, G.ws01, G.dadmin]],
      [3, [G.bob, G.helpdesk, G.ws01, G.dadmin]],
    ]);
    expect(paths[2]!.nodes[1]).toEqual({
      kind: "Group",
      objectId: G.helpdesk,
      name: "Helpdesk",
      entityKey: `group:${G.helpdesk}`,
      sensitive: false,
    });
    expect(paths[2]!.edges.map((e) => [e.kind, e.from, e.to, e.source])).toEqual([
      ["MEMBER_OF", G.bob, G.helpdesk, "ldap"],
      ["ADMIN_TO", G.helpdesk, G.ws01, "sharphound"],
      ["HAS_SESSION", G.ws01, G.dadmin, "event:4624"],
    ]);
    expect(paths[2]!.edges[2]!.lastSeen).toBe(seen.toISOString());
    const one = await gql<PathsData>(app, readerA, PATHS, { to: G.dadmin, first: 1 });
    expect(one.data!.lateralMovementPaths.map((p) => p.hops)).toEqual([1]);
  });

  it("answers exposure of a sensitive account, and null for others and unknown accounts", async () => {
    const exposure = async (account: string) => (await gql<{ exposure: unknown }>(app, readerA, EXPOSURE, { account })).data!.exposure;
    expect(await exposure(`user:${G.dadmin}`)).toEqual({ reachingAccounts: 3, shortestHops: 1 });
    expect(await exposure(`user:${G.alice}`)).toBeNull();
    expect(await exposure(`user:${D}-9999`)).toBeNull();
    expect((await gql<PathsData>(app, readerA, PATHS, { to: `user:${G.alice}` })).data!.lateralMovementPaths).toEqual([]);
  });

  it("walks the neighbourhood breadth first to depth, bounded by first", async () => {
    const hood = async (id: string, depth?: number, first?: number) => {
      const result = await gql<HoodData>(app, readerA, HOOD, { id, depth, first });
      expect(result.errors).toBeUndefined();
      return result.data!.entityNeighbourhood;
    };
    const one = (await hood("computer:ws01"))!;
    expect(one.center.objectId).toBe(G.ws01);
    expect(one.nodes[0]!.objectId).toBe(G.ws01);
    expect(one.nodes.map((n) => n.objectId).sort()).toEqual([G.alice, G.dadmin, G.helpdesk, G.ws01].sort());
    expect(one.edges.map((e) => `${e.kind} ${e.from} ${e.to}`).sort()).toEqual(
      [`ADMIN_TO ${G.alice} ${G.ws01}`, `ADMIN_TO ${G.helpdesk} ${G.ws01}`, `HAS_SESSION ${G.ws01} ${G.dadmin}`].sort(),
    );
    expect(one.truncated).toBe(false);
    const two = (await hood("computer:ws01", 2))!;
    expect(two.nodes.map((n) => n.objectId).sort()).toEqual(Object.values(G).sort());
    expect(two.edges).toHaveLength(5);
    expect(two.truncated).toBe(false);
    const cut = (await hood("computer:ws01", 2, 2))!;
    expect(cut.nodes).toHaveLength(2);
    expect(cut.truncated).toBe(true);
    for (const e of cut.edges) expect(cut.nodes.map((n) => n.objectId)).toEqual(expect.arrayContaining([e.from, e.to]));
    expect(await hood(`user:${D}-9999`)).toBeNull();
  });

  it("keeps tenants apart: tenant B with the same objectIds sees none of A's paths, exposure or edges", async () => {
    const paths = await gql<PathsData>(app, readerB, PATHS, { to: `user:${G.dadmin}` });
    expect(paths.errors).toBeUndefined();
    expect(paths.data!.lateralMovementPaths).toEqual([]);
    expect((await gql(app, readerB, EXPOSURE, { account: `user:${G.dadmin}` })).data).toEqual({ exposure: null });
    const hood = await gql<HoodData>(app, readerB, HOOD, { id: "computer:ws01", depth: 3 });
    expect(hood.data!.entityNeighbourhood).toEqual({
      center: { objectId: G.ws01 },
      nodes: [{ kind: "Computer", objectId: G.ws01, name: "WS01", entityKey: "computer:ws01", sensitive: false }],
      edges: [],
      truncated: false,
    });
    const unknownInB = await gql<HoodData>(app, readerB, HOOD, { id: "computer:ws02" });
    expect(unknownInB.data!.entityNeighbourhood).toBeNull();
  });

  it("rejects bad ids and bounds with BAD_USER_INPUT, needs a token, and says NOT_CONFIGURED without a graph", async () => {
    for (const to of ["ip:10.0.0.5", "bob", "", "entity:ws01", "x".repeat(513)]) {
      const result = await gql(app, readerA, PATHS, { to });
      expect(codes(result), to.slice(0, 20)).toEqual(["BAD_USER_INPUT"]);
      expect(result.errors![0]!.message).toMatch(/^id must be /);
    }
    expect(codes(await gql(app, readerA, EXPOSURE, { account: "ip:10.0.0.5" }))).toEqual(["BAD_USER_INPUT"]);
    for (const first of [0, 101]) {
      const result = await gql(app, readerA, PATHS, { to: G.dadmin, first });
      expect(codes(result), String(first)).toEqual(["BAD_USER_INPUT"]);
      expect(result.errors![0]!.message).toMatch(/first must be between 1 and 100/);
    }
    for (const depth of [0, 4]) {
      const result = await gql(app, readerA, HOOD, { id: "computer:ws01", depth });
      expect(codes(result), String(depth)).toEqual(["BAD_USER_INPUT"]);
      expect(result.errors![0]!.message).toMatch(/depth must be between 1 and 3/);
    }
    expect(codes(await gql(app, undefined, EXPOSURE, { account: G.dadmin }))).toEqual(["UNAUTHENTICATED"]);
    for (const [query, variables] of [
      [PATHS, { to: G.dadmin }],
      [EXPOSURE, { account: G.dadmin }],
      [HOOD, { id: G.dadmin }],
    ] as const) {
      const result = await gql(noGraph, readerA, query, variables);
      expect(codes(result)).toEqual(["NOT_CONFIGURED"]);
      expect(result.errors![0]!.message).toMatch(/identity graph/);
    }
  });
});
