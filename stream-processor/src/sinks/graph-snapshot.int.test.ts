/**
 * Directory → graph for real: the LDAP sync reads the Samba AD DC (scripts/samba/), every snapshot
 * goes through writeGraph into Neo4j, and nested group membership becomes a path. Changes are made
 * on groups created for this run only, so the seeded directory stays as other suites expect it.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLdapSync } from "@vigil/sensor";
import type { EventOf } from "@vigil/sensor/contract";
import { createNeo4jGraph, type IdentityGraph } from "@vigil/graph-model";
import { Attribute, Change, Client } from "ldapts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testSamba } from "../../../test-support/samba.ts";
import { testServices, uniqueTenantId } from "../../../test-support/services.ts";
import { writeGraph } from "./graph-writer.ts";

let dir: string;
let graph: IdentityGraph;
let admin: Client;
const tenant = uniqueTenantId("ldapgraph");
const run = tenant.split("-").slice(1).join("");
const outer = `CN=outer-${run},CN=Users,${testSamba.baseDn}`;
const inner = `CN=inner-${run},CN=Users,${testSamba.baseDn}`;
const domainAdmins = `CN=Domain Admins,CN=Users,${testSamba.baseDn}`;

async function syncIntoGraph(): Promise<EventOf<"entity.snapshot">[]> {
  const events: EventOf<"entity.snapshot">[] = [];
  await createLdapSync({
    url: testSamba.url,
    bindDn: testSamba.bindDn,
    password: testSamba.password,
    tenantId: tenant,
    sensorId: "ldap01",
    stateFile: join(dir, "state.json"),
    pageSize: 50,
  }).sync({ onSnapshot: (e) => void events.push(e) });
  for (const e of events) await writeGraph(graph, e);
  return events;
}

const memberChange = (operation: "add" | "delete", member: string) =>
  new Change({ operation, modification: new Attribute({ type: "member", values: [member] }) });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "vigil-ldap-graph-"));
  graph = createNeo4jGraph(testServices.neo4j);
  await graph.ensureSchema();
  admin = new Client({ url: testSamba.url });
  await admin.bind(testSamba.bindDn, testSamba.password);
});

afterAll(async () => {
  for (const dn of [inner, outer]) await admin?.del(dn).catch(() => undefined);
  await admin?.unbind().catch(() => undefined);
  await graph?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("LDAP snapshots in the identity graph (Samba → Neo4j)", () => {
  it("turns nested membership into paths, and follows removals and deletions", async () => {
    const full = await syncIntoGraph();
    const sidOf = (name: string) => full.find((e) => e.entity.name === name)!.entity.objectId;
    const da = sidOf("Domain Admins");
    const hops = async (from: string) =>
      (await graph.shortestPath(tenant, from, da, { edgeKinds: ["MEMBER_OF"], maxHops: 6 }))?.nodes.map((n) => n.name) ?? null;
    expect(await hops(sidOf("dave"))).toEqual(["dave", "Server Admins", "Tier0 Operators", "Domain Admins"]);
    expect(await hops(sidOf("SQL01$"))).toEqual(["SQL01", "Server Admins", "Tier0 Operators", "Domain Admins"]);
    expect(await hops(sidOf("carol"))).toBeNull();
    expect(await graph.getNode(tenant, "Computer", sidOf("WS01$"))).toMatchObject({ name: "WS01", domain: "VIGIL", enabled: false });
    // Another tenant sees none of it.
    expect(await graph.getNode(uniqueTenantId("other"), sidOf("dave"))).toBeNull();

    await admin.add(outer, { objectClass: ["top", "group"], sAMAccountName: `outer-${run}` });
    await admin.add(inner, { objectClass: ["top", "group"], sAMAccountName: `inner-${run}` });
    await admin.modify(outer, memberChange("add", inner));
    await admin.modify(domainAdmins, memberChange("add", outer));
    const added = await syncIntoGraph();
    const innerSid = added.find((e) => e.entity.name === `inner-${run}`)!.entity.objectId;
    expect(await hops(innerSid)).toEqual([`inner-${run}`, `outer-${run}`, "Domain Admins"]);

    await admin.modify(outer, memberChange("delete", inner));
    await syncIntoGraph();
    expect(await hops(innerSid)).toBeNull();

    await admin.modify(outer, memberChange("add", inner));
    await syncIntoGraph();
    expect(await hops(innerSid)).toHaveLength(3);
    await admin.del(outer);
    const deleted = await syncIntoGraph();
    // Other suites delete their own objects of this DC meanwhile; of this run's, only outer is gone.
    const gone = deleted.filter((e) => e.entity.deleted).map((e) => e.entity.name ?? "");
    expect(gone.filter((name) => name.includes(run))).toEqual([`outer-${run}`]);
    expect(await hops(innerSid)).toBeNull();
    expect(await graph.getNode(tenant, "Group", added.find((e) => e.entity.name === `outer-${run}`)!.entity.objectId)).toMatchObject({
      enabled: false,
      properties: { deleted: true },
    });
  });
});
