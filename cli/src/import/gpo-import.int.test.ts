/**
 * `vigil import gpo` against the real Samba AD DC of scripts/samba/dc.sh, into both graph adapters.
 *
 * The DC runs only its LDAP service (dc.sh: `server services = ldap`), and `samba-tool gpo create`
 * needs CLDAP and SMB to build the GPO's SYSVOL folder, so the test does what that command does by
 * hand: the groupPolicyContainer over LDAP, the folder in the DC's own sysvol directory (the same
 * path the importer is pointed at on a Samba DC). Linking and unlinking use `samba-tool gpo
 * setlink / dellink`, so gPLink is written the way Samba writes it. Every object has a name unique to
 * this run and is removed afterwards.
 */
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { Client } from "ldapts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMemoryGraph, createNeo4jGraph, type IdentityGraph } from "@vigil/graph-model";
import type { EventOf } from "@vigil/sensor/contract";
import { testSamba } from "../../../test-support/samba.ts";
import { testServices, uniqueTenantId } from "../../../test-support/services.ts";
import { importGpoLocalAdmins, readDirectorySnapshots } from "./gpo-import.ts";

const run = `${Date.now().toString(36).slice(-5)}${Math.random().toString(36).slice(2, 5)}`;
const BASE = testSamba.baseDn;
const REALM = testSamba.realm.toLowerCase();
const WORKGROUP = testSamba.realm.split(".")[0]!;
const ouDn = `OU=vigil-gpo-${run},${BASE}`;
const computerName = `GP${run}`.toUpperCase();
const computerDn = `CN=${computerName},${ouDn}`;
const groupName = `gpo-admins-${run}`;
const groupDn = `CN=${groupName},${ouDn}`;
const gpoGuid = randomUUID().toUpperCase();
const gpoDn = `CN={${gpoGuid}},CN=Policies,CN=System,${BASE}`;
/** scripts/samba/dc.sh keeps the DC under <services>/samba/dc; its sysvol is state/sysvol there. */
const sysvol = join(dirname(dirname(dirname(testSamba.caFile))), "state", "sysvol");
const gpoFolder = join(sysvol, REALM, "Policies", `{${gpoGuid}}`);

let admin: Client;
const execFileP = promisify(execFile);

async function sambaTool(...args: string[]): Promise<void> {
  await execFileP(
    "samba-tool",
    [...args, "-H", testSamba.url, "-U", `${WORKGROUP}\\Administrator%${testSamba.password}`, "--use-kerberos=off"],
    { timeout: 60_000 },
  );
}

const utf16le = (text: string) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")]);

async function directory() {
  const problems: string[] = [];
  const snapshots = await readDirectorySnapshots(
    { url: testSamba.url, bindDn: testSamba.bindDn, password: testSamba.password, tenantId: "gpo", sensorId: "gpo-test" },
    (p) => void problems.push(`${p.dn ?? ""}: ${p.reason}`),
  );
  const sidOf = (name: string) =>
    snapshots.find((s: EventOf<"entity.snapshot">) => s.entity.attributes.sAMAccountName === name)?.entity.objectId;
  return { snapshots, sidOf, problems };
}

beforeAll(async () => {
  admin = new Client({ url: testSamba.url, connectTimeout: 5000 });
  await admin.bind(testSamba.bindDn, testSamba.password);
  await admin.add(ouDn, { objectClass: ["top", "organizationalUnit"] });
  await admin.add(computerDn, { objectClass: ["top", "computer"], sAMAccountName: `${computerName}$`, userAccountControl: "4096" });
  await admin.add(groupDn, { objectClass: ["top", "group"], sAMAccountName: groupName });
  await admin.add(gpoDn, {
    objectClass: ["top", "container", "groupPolicyContainer"],
    displayName: `Vigil GPO test ${run}`,
    flags: "0",
    versionNumber: "1",
    gPCFunctionalityVersion: "2",
    gPCFileSysPath: `\\\\${REALM}\\sysvol\\${REALM}\\Policies\\{${gpoGuid}}`,
  });
  await sambaTool("gpo", "setlink", ouDn, `{${gpoGuid}}`);
}, 120_000);

afterAll(async () => {
  await rm(gpoFolder, { recursive: true, force: true });
  for (const dn of [computerDn, groupDn, gpoDn, ouDn]) await admin?.del(dn).catch(() => undefined);
  await admin?.unbind().catch(() => undefined);
});

describe("vigil import gpo against a real Samba AD DC", () => {
  const graphs: [string, () => IdentityGraph][] = [
    ["embedded", () => createMemoryGraph()],
    ["Neo4j", () => createNeo4jGraph(testServices.neo4j)],
  ];

  it("turns a linked GPO's restricted group and preferences into ADMIN_TO edges, and unlinking removes them", async () => {
    const first = await directory();
    expect(first.problems).toEqual([]);
    const sids = {
      computer: first.sidOf(`${computerName}$`)!,
      group: first.sidOf(groupName)!,
      eve: first.sidOf("eve")!,
      alice: first.sidOf("alice")!,
    };
    const bob = first.sidOf("bob")!;
    for (const sid of Object.values(sids)) expect(sid).toMatch(/^S-1-5-21-/);
    // The restricted group names the group by SID and eve by name; the preferences add alice by name.
    await mkdir(join(gpoFolder, "Machine", "Microsoft", "Windows NT", "SecEdit"), { recursive: true });
    await mkdir(join(gpoFolder, "Machine", "Preferences", "Groups"), { recursive: true });
    await writeFile(join(gpoFolder, "GPT.INI"), "[General]\r\nVersion=1\r\n");
    await writeFile(
      join(gpoFolder, "Machine", "Microsoft", "Windows NT", "SecEdit", "GptTmpl.inf"),
      utf16le(
        '[Unicode]\r\nUnicode=yes\r\n[Version]\r\nsignature="$CHICAGO$"\r\nRevision=1\r\n[Group Membership]\r\n' +
          `*S-1-5-32-544__Memberof =\r\n*S-1-5-32-544__Members = *${sids.group}\r\n${WORKGROUP}\\eve__Memberof = *S-1-5-32-544\r\n`,
      ),
    );
    await writeFile(
      join(gpoFolder, "Machine", "Preferences", "Groups", "Groups.xml"),
      '<?xml version="1.0" encoding="utf-8"?>\r\n<Groups clsid="{3125E937-EB16-4b4c-9934-544FC6D24D26}">' +
        '<Group clsid="{6D4A79E4-529C-4481-ABD0-F5BD7EA93BA7}" name="Administrators (built-in)" uid="{8D1C5A0E-3B7F-4C2A-9E6D-1F0A2B3C4D5E}">' +
        '<Properties action="U" deleteAllUsers="0" deleteAllGroups="0" groupSid="S-1-5-32-544" groupName="Administrators (built-in)">' +
        `<Members><Member name="${WORKGROUP}\\alice" action="ADD" sid=""/></Members></Properties></Group></Groups>`,
    );
    const linkedAt = new Date();
    const unlinkedAt = new Date(linkedAt.getTime() + 60_000);
    const later = new Date(linkedAt.getTime() + 30_000);
    const expected = [sids.alice, sids.eve, sids.group].sort();
    const source = `gpo:${gpoGuid}`;

    const states: { graph: IdentityGraph; tenantId: string; other: string }[] = [];
    for (const [name, factory] of graphs) {
      const graph = factory();
      await graph.ensureSchema();
      const tenantId = uniqueTenantId(`gpo-${name}`);
      const other = uniqueTenantId(`gpo-${name}-other`);
      states.push({ graph, tenantId, other });
      // The importer is pointed at the DC's sysvol root; it finds <realm>/Policies itself.
      const summary = await importGpoLocalAdmins({ path: sysvol, graph, tenantId, snapshots: first.snapshots, observedAt: linkedAt });
      expect(summary.files.filter((f) => f.path.includes(gpoGuid))).toEqual([
        expect.objectContaining({ kind: "security-template", status: "read", notes: [] }),
        expect.objectContaining({ kind: "group-preferences", status: "read", notes: [] }),
      ]);
      expect(summary.gpoReach.find((g) => g.guid === gpoGuid)).toEqual({
        guid: gpoGuid,
        displayName: `Vigil GPO test ${run}`,
        computers: 1,
      });
      expect(summary.unresolved.filter((u) => u.gpoGuid === gpoGuid)).toEqual([]);
      const into = await graph.neighbours(tenantId, sids.computer, { edgeKinds: ["ADMIN_TO"], direction: "in" });
      expect(into.map((n) => n.edge.from).sort(), name).toEqual(expected);
      for (const n of into) expect(n.edge).toMatchObject({ source, lastSeen: linkedAt, to: sids.computer });
      expect(await graph.getNode(tenantId, sids.computer)).toMatchObject({ kind: "Computer", name: computerName });
      const path = await graph.shortestPath(tenantId, sids.eve, sids.computer, { maxHops: 2, edgeKinds: ["ADMIN_TO"] });
      expect(path?.edges.map((e) => e.source)).toEqual([source]);
      expect((await graph.counts(other)).edges.ADMIN_TO).toBe(0);
      // Another source's observation of an admin on the same computer, newer than the import.
      await graph.upsertNodes(tenantId, [{ kind: "User", objectId: bob, name: "bob" }]);
      await graph.upsertEdges(tenantId, [{ kind: "ADMIN_TO", from: bob, to: sids.computer, source: "sharphound", lastSeen: later }]);
    }

    await sambaTool("gpo", "dellink", ouDn, `{${gpoGuid}}`);
    const second = await directory();
    for (const [i, { graph, tenantId }] of states.entries()) {
      const summary = await importGpoLocalAdmins({ path: sysvol, graph, tenantId, snapshots: second.snapshots, observedAt: unlinkedAt });
      expect(summary.gpoReach.find((g) => g.guid === gpoGuid)?.computers, graphs[i]![0]).toBe(0);
      expect(summary.removedEdges).toBe(3);
      const into = await graph.neighbours(tenantId, sids.computer, { edgeKinds: ["ADMIN_TO"], direction: "in" });
      expect(into.map((n) => [n.edge.from, n.edge.source])).toEqual([[bob, "sharphound"]]);
      await graph.close();
    }
  }, 180_000);
});
