/**
 * GPO import benchmark: a synthetic domain (default 5 000 computers in 40 OUs × 25 child OUs,
 * 20 000 users, 2 000 groups, 300 GPOs: Restricted Groups as UTF-16LE GptTmpl.inf and GPP Groups.xml,
 * linked at the domain (one enforced), on every top OU and on every fifth child OU, every tenth child
 * OU blocking inheritance) is written to a Policies directory, then imported into the embedded graph
 * and, when Neo4j is up (scripts/services.sh up), into Neo4j. Prints read, evaluate (scope + replay)
 * and plan time, then per graph the write time and the time of a second import after one top-OU
 * link is removed (the reconcile reads every computer's incoming ADMIN_TO edges).
 *   [TRACE=1] node --import tsx bench/import-gpo.ts [computers] [gpos]   (TRACE: timestamped import log)
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createMemoryGraph, createNeo4jGraph, type IdentityGraph } from "@vigil/graph-model";
import { buildGpoDirectory, evaluateLocalAdmins, readGpoPolicies } from "@vigil/sensor";
import { finalizeEvent, type EventOf } from "@vigil/sensor/contract";
import { importGpoLocalAdmins } from "../cli/src/import/gpo-import.ts";
import { planGpoImport } from "../cli/src/import/gpo-plan.ts";
import { testServices, uniqueTenantId } from "../test-support/services.ts";

const computers = Number(process.argv[2] ?? 5_000);
const gpoCount = Number(process.argv[3] ?? 300);
const TOP = 40;
const CHILD = 25;
const USERS = 20_000;
const GROUPS = 2_000;
const BASE = "DC=bench,DC=local";
const D = "S-1-5-21-4444-5555-6666";
const guid = (i: number) => `${i.toString(16).padStart(8, "0")}-0000-4000-8000-000000000000`.toUpperCase();
const topDn = (t: number) => `OU=Top${t},${BASE}`;
const childDn = (t: number, c: number) => `OU=Child${c},${topDn(t)}`;
const link = (i: number, options = 0) => `[LDAP://CN={${guid(i)}},CN=Policies,CN=System,${BASE};${options}]`;

type Snapshot = EventOf<"entity.snapshot">;
let seq = 0;
const snap = (
  objectType: Snapshot["entity"]["objectType"],
  dn: string,
  attributes: Snapshot["entity"]["attributes"],
  objectId = dn,
): Snapshot =>
  finalizeEvent({
    kind: "entity.snapshot",
    tenantId: "bench",
    sensorId: "bench",
    time: "2026-11-26T00:00:00.000Z",
    dc: "dc01.bench.local",
    entity: { objectType, objectId, dn, attributes, deleted: false },
    origin: { format: "ldap", recordId: `bench-${seq++}` },
  }) as Snapshot;

/** GPO i's links: 0 and 1 at the domain (1 enforced), then round-robin over top OUs and every fifth child OU. */
function directory(unlinkTop0 = false): Snapshot[] {
  const out: Snapshot[] = [snap("domain", BASE, { gPLink: link(0) + link(1, 2) })];
  const linksOf = new Map<string, number[]>();
  const containers = [
    ...Array.from({ length: TOP }, (_, t) => topDn(t)),
    ...Array.from({ length: TOP * CHILD }, (_, k) => childDn(Math.floor(k / CHILD), k % CHILD)).filter((_, k) => k % 5 === 0),
  ];
  for (let i = 2; i < gpoCount; i++) {
    const dn = containers[(i - 2) % containers.length]!;
    linksOf.set(dn, [...(linksOf.get(dn) ?? []), i]);
  }
  for (let t = 0; t < TOP; t++) {
    const links = unlinkTop0 && t === 0 ? [] : (linksOf.get(topDn(t)) ?? []);
    out.push(snap("ou", topDn(t), { gPLink: links.map((i) => link(i)).join("") }));
    for (let c = 0; c < CHILD; c++)
      out.push(
        snap("ou", childDn(t, c), {
          gPLink: (linksOf.get(childDn(t, c)) ?? []).map((i) => link(i)).join(""),
          gPOptions: c % 10 === 9 ? 1 : 0,
        }),
      );
  }
  for (let i = 0; i < gpoCount; i++)
    out.push(snap("gpo", `CN={${guid(i)}},CN=Policies,CN=System,${BASE}`, { displayName: `GPO ${i}`, flags: 0 }, `og-${i}`));
  for (let i = 0; i < computers; i++) {
    const k = i % (TOP * CHILD);
    const sid = `${D}-${200_000 + i}`;
    out.push(
      snap("computer", `CN=PC${i},${childDn(Math.floor(k / CHILD), k % CHILD)}`, { objectSid: sid, sAMAccountName: `PC${i}$` }, sid),
    );
  }
  for (let i = 0; i < USERS; i++)
    out.push(
      snap("user", `CN=user${i},CN=Users,${BASE}`, { objectSid: `${D}-${100_000 + i}`, sAMAccountName: `user${i}` }, `${D}-${100_000 + i}`),
    );
  for (let i = 0; i < GROUPS; i++)
    out.push(
      snap(
        "group",
        `CN=group${i},CN=Users,${BASE}`,
        { objectSid: `${D}-${300_000 + i}`, sAMAccountName: `group${i}` },
        `${D}-${300_000 + i}`,
      ),
    );
  return out;
}

function writePolicies(root: string): void {
  for (let i = 0; i < gpoCount; i++) {
    const dir = join(root, `{${guid(i)}}`, "Machine");
    const g = (k: number) => `${D}-${300_000 + ((i * 7 + k) % GROUPS)}`;
    if (i % 3 !== 2) {
      const lines =
        i % 2 === 0
          ? [`*S-1-5-32-544__Members = *${g(0)},*${g(1)}`]
          : [`*${g(2)}__Memberof = *S-1-5-32-544`, `BENCH\\user${i}__Memberof = *S-1-5-32-544`];
      const text = `[Unicode]\r\nUnicode=yes\r\n[Version]\r\nsignature="$CHICAGO$"\r\nRevision=1\r\n[Group Membership]\r\n${lines.join("\r\n")}\r\n`;
      mkdirSync(join(dir, "Microsoft", "Windows NT", "SecEdit"), { recursive: true });
      writeFileSync(
        join(dir, "Microsoft", "Windows NT", "SecEdit", "GptTmpl.inf"),
        Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")]),
      );
    } else {
      mkdirSync(join(dir, "Preferences", "Groups"), { recursive: true });
      writeFileSync(
        join(dir, "Preferences", "Groups", "Groups.xml"),
        `<?xml version="1.0" encoding="utf-8"?><Groups clsid="{3125E937-EB16-4b4c-9934-544FC6D24D26}"><Group clsid="{6D4A79E4-529C-4481-ABD0-F5BD7EA93BA7}" name="Administrators (built-in)">` +
          `<Properties action="U" groupSid="S-1-5-32-544"><Members><Member name="BENCH\\user${i}" action="ADD" sid=""/><Member name="" action="ADD" sid="${g(3)}"/></Members></Properties></Group></Groups>`,
      );
    }
  }
}

/** A timestamped import log when TRACE is set (where the time goes: nodes, edges, reconcile). */
function trace(): { log?: (line: string) => void } {
  if (!process.env.TRACE) return {};
  const t0 = performance.now();
  return { log: (line) => console.log(`  ${((performance.now() - t0) / 1000).toFixed(2)} s ${line}`) };
}

async function run(name: string, graph: IdentityGraph, path: string, linked: Snapshot[], unlinked: Snapshot[]): Promise<void> {
  await graph.ensureSchema();
  const tenantId = uniqueTenantId("bench-gpo");
  let t = performance.now();
  const first = await importGpoLocalAdmins({
    path,
    graph,
    tenantId,
    snapshots: linked,
    observedAt: new Date("2026-11-26T01:00:00Z"),
    ...trace(),
  });
  const s1 = (performance.now() - t) / 1000;
  console.log(
    `${name}: first import ${first.edges.ADMIN_TO} ADMIN_TO edges in ${s1.toFixed(2)} s (${Math.round(first.edges.ADMIN_TO / s1)} edges/s, incl. reconcile)`,
  );
  t = performance.now();
  const second = await importGpoLocalAdmins({
    path,
    graph,
    tenantId,
    snapshots: unlinked,
    observedAt: new Date("2026-11-26T02:00:00Z"),
    ...trace(),
  });
  const s2 = (performance.now() - t) / 1000;
  console.log(
    `${name}: re-import after unlinking Top0's GPOs: ${second.edges.ADMIN_TO} refreshed, ${second.removedEdges} removed in ${s2.toFixed(2)} s`,
  );
  await graph.close();
}

const dir = mkdtempSync(join(tmpdir(), "vigil-bench-gpo-"));
try {
  writePolicies(dir);
  const linked = directory();
  const unlinked = directory(true);
  console.log(`domain: ${computers} computers, ${TOP * (CHILD + 1)} OUs, ${USERS} users, ${GROUPS} groups, ${gpoCount} GPOs`);
  let t = performance.now();
  const policies = await readGpoPolicies(dir);
  console.log(`read ${policies.gpos.length} GPO folders: ${((performance.now() - t) / 1000).toFixed(2)} s`);
  t = performance.now();
  const evaluation = evaluateLocalAdmins(buildGpoDirectory(linked.map((s) => s.entity)), policies.gpos);
  const evalS = (performance.now() - t) / 1000;
  t = performance.now();
  const plan = planGpoImport(evaluation.grants, linked, new Date());
  console.log(
    `evaluate: ${evaluation.grants.length} grants on ${evaluation.computersInScope} computers in ${evalS.toFixed(2)} s; plan ${plan.edges.length} edges, ${plan.nodes.length} nodes in ${((performance.now() - t) / 1000).toFixed(2)} s`,
  );
  await run("embedded graph", createMemoryGraph(), dir, linked, unlinked);
  const neo4j = createNeo4jGraph(testServices.neo4j);
  if ((await neo4j.health()).ok) await run("Neo4j", neo4j, dir, linked, unlinked);
  else {
    console.log("Neo4j: not reachable, skipped (scripts/services.sh up)");
    await neo4j.close();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
