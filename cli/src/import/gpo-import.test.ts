/**
 * importGpoLocalAdmins on a generated domain and Policies directory, into the embedded graph: the
 * reconcile over many computers (run concurrently) and its boundaries. The Samba DC run is in
 * gpo-import.int.test.ts.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createMemoryGraph } from "@vigil/graph-model";
import { finalizeEvent, type EventOf } from "@vigil/sensor/contract";
import { uniqueTenantId } from "../../../test-support/services.ts";
import { importGpoLocalAdmins } from "./gpo-import.ts";

type Snapshot = EventOf<"entity.snapshot">;
const BASE = "DC=corp,DC=local";
const D = "S-1-5-21-7-8-9";
const GPO = "0F1E2D3C-4B5A-4978-8695-A4B3C2D1E0F9";
const COMPUTERS = 40;
const OU = `OU=Workstations,${BASE}`;
const helpdesk = `${D}-1105`;
const pcSid = (i: number) => `${D}-${3000 + i}`;
let seq = 0;

const snap = (
  objectType: Snapshot["entity"]["objectType"],
  dn: string,
  attributes: Snapshot["entity"]["attributes"],
  objectId = dn,
): Snapshot =>
  finalizeEvent({
    kind: "entity.snapshot",
    tenantId: "t",
    sensorId: "s",
    time: "2026-11-26T00:00:00.000Z",
    dc: "dc01.corp.local",
    entity: { objectType, objectId, dn, attributes, deleted: false },
    origin: { format: "ldap", recordId: `r${seq++}` },
  }) as Snapshot;

function directory(linked: boolean): Snapshot[] {
  return [
    snap("domain", BASE, {}),
    snap("ou", OU, linked ? { gPLink: `[LDAP://cn={${GPO}},cn=policies,cn=system,${BASE};0]` } : {}),
    snap("gpo", `CN={${GPO}},CN=Policies,CN=System,${BASE}`, { displayName: "Workstation admins", flags: 0 }, "guid-1"),
    snap("group", `CN=Helpdesk,CN=Users,${BASE}`, { objectSid: helpdesk, sAMAccountName: "Helpdesk" }, helpdesk),
    snap("user", `CN=eve,CN=Users,${BASE}`, { objectSid: `${D}-1106`, sAMAccountName: "eve" }, `${D}-1106`),
    ...Array.from({ length: COMPUTERS }, (_, i) =>
      snap("computer", `CN=PC${i},${OU}`, { objectSid: pcSid(i), sAMAccountName: `PC${i}$` }, pcSid(i)),
    ),
  ];
}

function policies(): string {
  const root = mkdtempSync(join(tmpdir(), "vigil-gpo-import-"));
  const dir = join(root, `{${GPO.toLowerCase()}}`, "Machine", "Microsoft", "Windows NT", "SecEdit");
  mkdirSync(dir, { recursive: true });
  const text = `[Version]\r\nsignature="$CHICAGO$"\r\n[Group Membership]\r\n*S-1-5-32-544__Members = *${helpdesk},CORP\\eve\r\n`;
  writeFileSync(join(dir, "GptTmpl.inf"), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")]));
  return root;
}

describe("importGpoLocalAdmins (embedded graph)", () => {
  it("writes one edge per member and computer, then removes exactly those when the link goes", async () => {
    const graph = createMemoryGraph();
    const tenantId = uniqueTenantId("gpo-unit");
    const other = uniqueTenantId("gpo-unit-other");
    const path = policies();
    const t1 = new Date("2026-11-26T01:00:00Z");
    const first = await importGpoLocalAdmins({ path, graph, tenantId, snapshots: directory(true), observedAt: t1, batchSize: 7 });
    expect(first).toMatchObject({ grants: COMPUTERS * 2, computersInScope: COMPUTERS, removedEdges: 0, unresolved: [], unknownGpos: [] });
    expect(first.edges.ADMIN_TO).toBe(COMPUTERS * 2);
    expect((await graph.counts(tenantId)).edges.ADMIN_TO).toBe(COMPUTERS * 2);
    // Same data into another tenant: separate edges, and unlinking in one leaves the other alone.
    await importGpoLocalAdmins({ path, graph, tenantId: other, snapshots: directory(true), observedAt: t1 });
    // A later SharpHound observation of Helpdesk on PC0 is that source's fact, not the GPO's.
    const t2 = new Date("2026-11-26T01:30:00Z");
    await graph.upsertEdges(tenantId, [{ kind: "ADMIN_TO", from: helpdesk, to: pcSid(0), source: "sharphound", lastSeen: t2 }]);

    // Re-import with the same data: nothing removed, edges refreshed.
    const t3 = new Date("2026-11-26T02:00:00Z");
    expect((await importGpoLocalAdmins({ path, graph, tenantId, snapshots: directory(true), observedAt: t3 })).removedEdges).toBe(0);
    const [edge] = await graph.neighbours(tenantId, pcSid(5), { edgeKinds: ["ADMIN_TO"], direction: "in" });
    expect(edge?.edge).toMatchObject({ source: `gpo:${GPO}`, firstSeen: t1, lastSeen: t3 });
    await graph.upsertEdges(tenantId, [
      { kind: "ADMIN_TO", from: helpdesk, to: pcSid(0), source: "sharphound", lastSeen: new Date("2026-11-26T02:30:00Z") },
    ]);

    const t4 = new Date("2026-11-26T03:00:00Z");
    const gone = await importGpoLocalAdmins({ path, graph, tenantId, snapshots: directory(false), observedAt: t4 });
    expect(gone).toMatchObject({ grants: 0, computersInScope: 0, removedEdges: COMPUTERS * 2 - 1 });
    expect(gone.gpoReach).toEqual([{ guid: GPO, displayName: "Workstation admins", computers: 0 }]);
    const left = await graph.neighbours(tenantId, pcSid(0), { edgeKinds: ["ADMIN_TO"], direction: "in" });
    expect(left.map((n) => [n.edge.from, n.edge.source])).toEqual([[helpdesk, "sharphound"]]);
    expect((await graph.counts(tenantId)).edges.ADMIN_TO).toBe(1);
    expect((await graph.counts(other)).edges.ADMIN_TO).toBe(COMPUTERS * 2);
  });

  it("keeps the edges of a GPO whose file could not be read this time (unknown is not gone)", async () => {
    const graph = createMemoryGraph();
    const tenantId = uniqueTenantId("gpo-unit");
    const path = policies();
    await importGpoLocalAdmins({ path, graph, tenantId, snapshots: directory(true), observedAt: new Date("2026-11-26T01:00:00Z") });
    const file = join(path, `{${GPO.toLowerCase()}}`, "Machine", "Microsoft", "Windows NT", "SecEdit", "GptTmpl.inf");
    writeFileSync(file, readFileSync(file).subarray(0, 51));
    const damaged = await importGpoLocalAdmins({
      path,
      graph,
      tenantId,
      snapshots: directory(true),
      observedAt: new Date("2026-11-26T02:00:00Z"),
    });
    expect(damaged.files).toEqual([
      expect.objectContaining({ status: "rejected", reason: expect.stringMatching(/^GPO_BAD_ENCODING: .*truncated/) }),
    ]);
    expect(damaged).toMatchObject({ grants: 0, removedEdges: 0 });
    expect((await graph.counts(tenantId)).edges.ADMIN_TO).toBe(COMPUTERS * 2);
  });

  it("does not remove a GPO edge observed after the import's own time", async () => {
    const graph = createMemoryGraph();
    const tenantId = uniqueTenantId("gpo-unit");
    const path = policies();
    await importGpoLocalAdmins({ path, graph, tenantId, snapshots: directory(true), observedAt: new Date("2026-11-26T05:00:00Z") });
    // An older run finishing late (or a clock behind) must not undo a newer one's edges.
    const stale = await importGpoLocalAdmins({
      path,
      graph,
      tenantId,
      snapshots: directory(false),
      observedAt: new Date("2026-11-26T04:00:00Z"),
    });
    expect(stale.removedEdges).toBe(0);
    expect((await graph.counts(tenantId)).edges.ADMIN_TO).toBe(COMPUTERS * 2);
  });
});
