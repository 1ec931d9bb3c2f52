/**
 * SharpHound import benchmark: a synthetic collection of a mid-sized domain (default 20 000 users,
 * 5 000 computers with 3 local admins and 2 sessions each, 2 000 groups of 25 members) is zipped,
 * then imported into the embedded graph and, when Neo4j is up (scripts/services.sh up), into Neo4j.
 * Prints the archive size, read+parse time, and write time with objects/s and edges/s per graph.
 *   [BATCH=inputs-per-port-call] node --import tsx bench/import-sharphound.ts [users] [computers] [groups]
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { zipSync } from "fflate";
import { createMemoryGraph, createNeo4jGraph, type IdentityGraph } from "@vigil/graph-model";
import { readSharpHoundCollection } from "@vigil/sensor";
import { planSharpHoundImport } from "../cli/src/import/sharphound-plan.ts";
import { writeImportPlan } from "../cli/src/import/sharphound-loader.ts";
import { testServices, uniqueTenantId } from "../test-support/services.ts";

const users = Number(process.argv[2] ?? 20_000);
const computers = Number(process.argv[3] ?? 5_000);
const groups = Number(process.argv[4] ?? 2_000);
const D = "S-1-5-21-1111-2222-3333";
const u = (i: number) => `${D}-${100_000 + i}`;
const c = (i: number) => `${D}-${200_000 + i}`;
const g = (i: number) => `${D}-${300_000 + i}`;
const file = (type: string, data: unknown[]) =>
  Buffer.from(JSON.stringify({ data, meta: { methods: 0, type, count: data.length, version: 6 } }));
const props = (name: string) => ({ name, domain: "BENCH.LOCAL", enabled: true, samaccountname: name.split("@")[0] });

function collectionZip(dir: string): string {
  const userData = Array.from({ length: users }, (_, i) => ({
    ObjectIdentifier: u(i),
    PrimaryGroupSID: `${D}-513`,
    Properties: props(`USER${i}@BENCH.LOCAL`),
    Aces: [],
  }));
  const groupData = Array.from({ length: groups }, (_, i) => ({
    ObjectIdentifier: g(i),
    Properties: props(`GROUP${i}@BENCH.LOCAL`),
    Members: Array.from({ length: 25 }, (_, k) =>
      k === 0 && i > 0
        ? { ObjectIdentifier: g(i - 1), ObjectType: "Group" }
        : { ObjectIdentifier: u((i * 25 + k) % users), ObjectType: "User" },
    ),
  }));
  const computerData = Array.from({ length: computers }, (_, i) => ({
    ObjectIdentifier: c(i),
    PrimaryGroupSID: `${D}-515`,
    Properties: props(`WS${i}.BENCH.LOCAL`),
    LocalGroups: [
      {
        ObjectIdentifier: `${c(i)}-544`,
        Name: `ADMINISTRATORS@WS${i}.BENCH.LOCAL`,
        Collected: true,
        Results: [0, 1, 2].map((k) => ({ ObjectIdentifier: g((i * 3 + k) % groups), ObjectType: "Group" })),
      },
    ],
    PrivilegedSessions: { Collected: true, Results: [0, 1].map((k) => ({ UserSID: u((i * 2 + k) % users), ComputerSID: c(i) })) },
    Sessions: { Collected: true, Results: [] },
    RegistrySessions: { Collected: true, Results: [] },
  }));
  const path = join(dir, "bench.zip");
  writeFileSync(
    path,
    zipSync({
      "b_users.json": file("users", userData),
      "b_groups.json": file("groups", groupData),
      "b_computers.json": file("computers", computerData),
    }),
  );
  return path;
}

async function run(name: string, graph: IdentityGraph, plan: ReturnType<typeof planSharpHoundImport>): Promise<void> {
  await graph.ensureSchema();
  const start = performance.now();
  const summary = await writeImportPlan(plan, {
    graph,
    tenantId: uniqueTenantId("bench-sh"),
    batchSize: Number(process.env.BATCH ?? 1000),
  });
  const s = (performance.now() - start) / 1000;
  const edges = Object.values(summary.edges).reduce((a, b) => a + b, 0);
  const nodes = summary.nodes + summary.stubNodes;
  console.log(
    `${name}: ${nodes} nodes + ${edges} edges written in ${s.toFixed(2)} s (${Math.round(nodes / s)} nodes/s, ${Math.round(edges / s)} edges/s)`,
  );
  await graph.close();
}

const dir = mkdtempSync(join(tmpdir(), "vigil-bench-sh-"));
try {
  const path = collectionZip(dir);
  console.log(
    `collection: ${users} users, ${computers} computers, ${groups} groups; zip ${(statSync(path).size / 1048576).toFixed(1)} MiB`,
  );
  const t = performance.now();
  const collection = await readSharpHoundCollection(path);
  const plan = planSharpHoundImport(collection, new Date());
  console.log(
    `read + parse + plan: ${((performance.now() - t) / 1000).toFixed(2)} s (${plan.nodes.length + plan.stubs.length} nodes, ${plan.edges.length} edges planned)`,
  );
  await run("embedded graph", createMemoryGraph(), plan);
  const neo4j = createNeo4jGraph(testServices.neo4j);
  if ((await neo4j.health()).ok) await run("Neo4j", neo4j, plan);
  else {
    console.log("Neo4j: not reachable, skipped (scripts/services.sh up)");
    await neo4j.close();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
