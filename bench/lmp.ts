/**
 * Lateral-movement paths at BloodHound scale, in the embedded graph and in real Neo4j (issue 6 goal:
 * full precompute, then p95 < 50 ms for lateralMovementPaths and exposure, and < 1 s incremental update
 * after one new session edge).
 *   node --import tsx bench/lmp.ts [scale=1] [adapters=memory,neo4j]
 * scale 1 = 100k users, 50k computers, 10k groups, ~2.1M edges; 0.05 is a quick run.
 *
 * Tenant shape (seeded, so every run builds the same graph):
 *  - groups: 7,500 "org" groups nested up to 4 levels deep (100 roots → 900 → 6,500 in two more levels)
 *    that hold no admin rights, and 2,500 "local admin" groups of 4 direct users each (10% nested in
 *    another admin group); users belong to 11 org groups, computers to 1.
 *  - computers: 90% workstations (each has an owner), 10% servers; 20 domain controllers in Domain
 *    Controllers (RID 516), plus AD CS / AD FS / Entra Connect servers tagged by role (Tier Zero).
 *  - admin rights: 2 admin groups per workstation, 3 per server; 20% of owners are local admin of
 *    their own workstation.
 *  - sessions: every user on its own workstation plus 4 others; 60 random users per server; lastSeen
 *    spread over the 72 h before asOf, so about a third fall outside the 48 h window.
 *  - sensitive: 30 direct + 40 nested Domain Admins (RID 512, via a "Tier0 Admins" group),
 *    5 Enterprise Admins, 10 Account Operators, 10 Backup Operators; each admin has sessions on 3 DCs,
 *    2 servers and their own workstation (the sessions that create lateral-movement paths).
 */
import neo4j from "neo4j-driver";
import { createMemoryGraph, createNeo4jGraph, type EdgeInput, type IdentityGraph, type NodeInput } from "@vigil/graph-model";
import { testServices, uniqueTenantId } from "../test-support/services.ts";

const scale = Number(process.argv[2] ?? 1);
const adapters = (process.argv[3] ?? "memory,neo4j").split(",");
const D = "S-1-5-21-3000-4000-5000";
const ASOF = new Date("2026-04-01T12:00:00Z");
const HOUR = 3_600_000;
const SAMPLES = 200;

/** mulberry32, so every run builds the same tenant. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Tenant {
  nodes: NodeInput[];
  edges: EdgeInput[];
  workstations: string[];
  users: string[];
}

function generate(): Tenant {
  const rnd = prng(20260401);
  const int = (n: number) => Math.floor(rnd() * n);
  const n = (x: number) => Math.max(1, Math.round(x * scale));
  const [nUsers, nComputers, nOrg, nAdminGroups] = [n(100_000), n(50_000), n(7_500), n(2_500)];
  const users = Array.from({ length: nUsers }, (_, i) => `${D}-${100_000 + i}`);
  const computers = Array.from({ length: nComputers }, (_, i) => `${D}-${300_000 + i}`);
  const org = Array.from({ length: nOrg }, (_, i) => `${D}-${500_000 + i}`);
  const adminGroups = Array.from({ length: nAdminGroups }, (_, i) => `${D}-${600_000 + i}`);
  const nWorkstations = Math.floor(nComputers * 0.9);
  const workstations = computers.slice(0, nWorkstations);
  const servers = computers.slice(nWorkstations);
  const dcs = servers.slice(0, 20);
  const tier0Roles = [["ADCS"], ["ADFS"], ["ENTRA_CONNECT"]];
  const g = {
    domainAdmins: `${D}-512`,
    tier0Admins: `${D}-700001`,
    enterpriseAdmins: `${D}-519`,
    dcGroup: `${D}-516`,
    accountOps: "S-1-5-32-548",
    backupOps: "S-1-5-32-551",
  };
  const nodes: NodeInput[] = [
    ...users.map((objectId, i): NodeInput => ({ kind: "User", objectId, name: `user${i}` })),
    ...computers.map((objectId, i): NodeInput => ({
      kind: "Computer",
      objectId,
      name: `host${i}`,
      ...(i >= nWorkstations + 20 && i < nWorkstations + 23 ? { properties: { roles: tier0Roles[i - nWorkstations - 20]! } } : {}),
    })),
    ...[...org, ...adminGroups].map((objectId, i): NodeInput => ({ kind: "Group", objectId, name: `group${i}` })),
    ...Object.entries(g).map(([name, objectId]): NodeInput => ({ kind: "Group", objectId, name })),
  ];
  const edges: EdgeInput[] = [];
  const e = (kind: EdgeInput["kind"], from: string, to: string, lastSeen = ASOF) =>
    edges.push({ kind, from, to, source: "bench", lastSeen });
  const session = (c: string, u: string) => e("HAS_SESSION", c, u, new Date(ASOF.getTime() - rnd() * 72 * HOUR));
  // Org nesting: roots (1.3%), level 2 (12%), then two levels below.
  const roots = Math.max(1, Math.floor(nOrg / 75));
  const level2 = Math.max(roots + 1, Math.floor(nOrg * 0.133));
  const level3 = Math.floor((level2 + nOrg) / 2);
  for (let i = roots; i < nOrg; i++) {
    const parentRange = i < level2 ? [0, roots] : i < level3 ? [roots, level2] : [level2, level3];
    e("MEMBER_OF", org[i]!, org[parentRange[0]! + int(parentRange[1]! - parentRange[0]!)]!);
  }
  for (const u of users) {
    const seen = new Set<number>();
    while (seen.size < Math.min(11, nOrg)) seen.add(int(nOrg));
    for (const k of seen) e("MEMBER_OF", u, org[k]!);
  }
  for (const c of computers) e("MEMBER_OF", c, org[int(nOrg)]!);
  adminGroups.forEach((ag, i) => {
    for (let k = 0; k < 4; k++) e("MEMBER_OF", users[int(nUsers)]!, ag);
    if (i > 0 && rnd() < 0.1) e("MEMBER_OF", ag, adminGroups[int(i)]!);
  });
  workstations.forEach((w, i) => {
    const owner = users[i % nUsers]!;
    e("ADMIN_TO", adminGroups[int(nAdminGroups)]!, w);
    e("ADMIN_TO", adminGroups[int(nAdminGroups)]!, w);
    if (rnd() < 0.2) e("ADMIN_TO", owner, w);
  });
  for (const s of servers) for (let k = 0; k < 3; k++) e("ADMIN_TO", adminGroups[int(nAdminGroups)]!, s);
  users.forEach((u, i) => {
    session(workstations[i % nWorkstations]!, u);
    for (let k = 0; k < 4; k++) session(workstations[int(nWorkstations)]!, u);
  });
  for (const s of servers) for (let k = 0; k < 60; k++) session(s, users[int(nUsers)]!);
  for (const dc of dcs) e("MEMBER_OF", dc, g.dcGroup);
  // Sensitive people: the tail of the user list, so their owned workstations are ordinary ones.
  const admins = users.slice(-95);
  const member = (from: number, to: number, group: string) => admins.slice(from, to).forEach((u) => e("MEMBER_OF", u, group));
  member(0, 30, g.domainAdmins);
  member(30, 70, g.tier0Admins);
  e("MEMBER_OF", g.tier0Admins, g.domainAdmins);
  member(70, 75, g.enterpriseAdmins);
  member(75, 85, g.accountOps);
  member(85, 95, g.backupOps);
  for (const a of admins) {
    for (let k = 0; k < 3; k++) session(dcs[int(dcs.length)]!, a);
    for (let k = 0; k < 2; k++) session(servers[int(servers.length)]!, a);
  }
  return { nodes, edges: dedupe(edges), workstations, users };
}

/** Repeated edges (random picks collide) would be folded by the adapters anyway; counting them would overstate the size. */
function dedupe(edges: EdgeInput[]): EdgeInput[] {
  const byKey = new Map<string, EdgeInput>();
  for (const x of edges) {
    const k = `${x.kind} ${x.from} ${x.to}`;
    const prev = byKey.get(k);
    if (!prev || prev.lastSeen < x.lastSeen) byKey.set(k, x);
  }
  return [...byKey.values()];
}

const ms = (t0: number) => performance.now() - t0;
const fmt = (x: number) => (x >= 1000 ? `${(x / 1000).toFixed(1)} s` : `${x.toFixed(1)} ms`);
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

async function run(name: string, graph: IdentityGraph, tenant: Tenant): Promise<void> {
  const tenantId = uniqueTenantId("bench-lmp");
  const rnd = prng(7);
  const batch = name === "neo4j" ? 10_000 : 100_000;
  let t0 = performance.now();
  for (let i = 0; i < tenant.nodes.length; i += batch) await graph.upsertNodes(tenantId, tenant.nodes.slice(i, i + batch));
  for (let i = 0; i < tenant.edges.length; i += batch) {
    const { skipped } = await graph.upsertEdges(tenantId, tenant.edges.slice(i, i + batch));
    if (skipped.length) throw new Error(`${skipped.length} edges skipped`);
  }
  console.log(`${name}: load ${tenant.nodes.length} nodes + ${tenant.edges.length} edges: ${fmt(ms(t0))}`);
  try {
    t0 = performance.now();
    const { targets } = await graph.precomputeLateralMovement(tenantId, { asOf: ASOF });
    console.log(`${name}: full precompute, ${targets} sensitive accounts: ${fmt(ms(t0))}`);
    const sensitive = (await graph.sensitiveAccounts(tenantId)).map((s) => s.objectId);
    // First read of every target: the embedded graph builds each target's top list on first read.
    const cold: number[] = [];
    for (const target of sensitive) {
      t0 = performance.now();
      await graph.lateralMovementPaths(tenantId, target, 10);
      cold.push(ms(t0));
    }
    console.log(`${name}: lateralMovementPaths(first 10), first read per target: p50 ${fmt(pct(cold, 50))} p95 ${fmt(pct(cold, 95))}`);
    const pathsT: number[] = [];
    const exposureT: number[] = [];
    let reach = 0;
    for (let i = 0; i < SAMPLES; i++) {
      const target = sensitive[Math.floor(rnd() * sensitive.length)]!;
      t0 = performance.now();
      await graph.lateralMovementPaths(tenantId, target, 10);
      pathsT.push(ms(t0));
      t0 = performance.now();
      reach += (await graph.exposure(tenantId, target))?.reachingAccounts ?? 0;
      exposureT.push(ms(t0));
    }
    console.log(
      `${name}: lateralMovementPaths(first 10) p50 ${fmt(pct(pathsT, 50))} p95 ${fmt(pct(pathsT, 95))} (${SAMPLES} random targets)`,
    );
    console.log(
      `${name}: exposure p50 ${fmt(pct(exposureT, 50))} p95 ${fmt(pct(exposureT, 95))}; mean reaching accounts ${Math.round(reach / SAMPLES)}`,
    );
    for (const [label, to] of [
      ["sensitive user", () => sensitive[Math.floor(rnd() * sensitive.length)]!],
      ["ordinary user", () => tenant.users[Math.floor(rnd() * (tenant.users.length - 100))]!],
    ] as const) {
      const times: number[] = [];
      for (let k = 0; k < 5; k++) {
        const from = tenant.workstations[Math.floor(rnd() * tenant.workstations.length)]!;
        t0 = performance.now();
        await graph.upsertEdges(tenantId, [{ kind: "HAS_SESSION", from, to: to(), source: "bench", lastSeen: ASOF }]);
        times.push(ms(t0));
      }
      console.log(`${name}: incremental update after one new HAS_SESSION to a ${label}: ${times.map(fmt).join(", ")}`);
    }
  } finally {
    if (name === "neo4j") await dropTenant(tenantId);
  }
}

/** Removes the bench tenant from the shared test server in small transactions (not a port operation). */
async function dropTenant(tenantId: string): Promise<void> {
  const { uri, user, password } = testServices.neo4j;
  const driver = neo4j.driver(uri, neo4j.auth.basic(user, password));
  try {
    const q =
      "MATCH (x {tenantId: $tenantId}) WHERE x:Entity OR x:LmpExposure OR x:LmpState WITH x LIMIT 300 DETACH DELETE x RETURN count(*) AS n";
    for (;;) {
      const { records } = await driver.executeQuery(q, { tenantId }, { database: "neo4j" });
      if (Number(records[0]?.get("n") ?? 0) === 0) break;
    }
  } finally {
    await driver.close();
  }
}

let t0 = performance.now();
const tenant = generate();
const byKind = tenant.edges.reduce<Record<string, number>>((acc, x) => ({ ...acc, [x.kind]: (acc[x.kind] ?? 0) + 1 }), {});
console.log(
  `generated scale ${scale}: ${tenant.nodes.length} nodes, ${tenant.edges.length} edges ${JSON.stringify(byKind)} in ${fmt(ms(t0))}`,
);
for (const name of adapters) {
  const graph = name === "neo4j" ? createNeo4jGraph({ ...testServices.neo4j, transactionTimeoutMs: 600_000 }) : createMemoryGraph();
  t0 = performance.now();
  try {
    await run(name, graph, tenant);
  } finally {
    await graph.close();
  }
}
