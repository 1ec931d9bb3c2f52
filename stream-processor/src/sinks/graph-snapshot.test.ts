import { describe, expect, it } from "vitest";
import { createMemoryGraph } from "@vigil/graph-model";
import { finalizeEvent, type EventDraft, type EventOf } from "@vigil/sensor/contract";
import { hasGraphWrites, writeGraph } from "./graph-writer.ts";
import { planSnapshotWrites, snapshotNode } from "./graph-snapshot.ts";

const D = "S-1-5-21-10-20-30";
let record = 0;

function snap(
  objectType: "user" | "computer" | "group" | "ou",
  rid: number,
  name: string,
  attributes: Record<string, string | number | boolean | string[]>,
  over: { time?: string; deleted?: boolean; tenantId?: string } = {},
): EventOf<"entity.snapshot"> {
  const dn = objectType === "ou" ? `OU=${name},DC=acme,DC=local` : `CN=${name},CN=Users,DC=acme,DC=local`;
  return finalizeEvent({
    kind: "entity.snapshot",
    tenantId: over.tenantId ?? "acme",
    sensorId: "ldap01",
    time: over.time ?? "2026-11-25T10:00:00.000Z",
    entity: {
      objectType,
      objectId: objectType === "ou" ? "2180f52b-131c-4a47-bb68-b03c525f9874" : `${D}-${rid}`,
      dn,
      name,
      attributes: { sAMAccountName: name, ...attributes },
      deleted: over.deleted ?? false,
    },
    origin: { format: "ldap", recordId: String(++record) },
  } as EventDraft) as EventOf<"entity.snapshot">;
}

const sid = (rid: number) => `${D}-${rid}`;
const memberEdges = async (g: ReturnType<typeof createMemoryGraph>, tenant = "acme") => {
  const out: string[] = [];
  for (const rid of [512, 1100, 1101, 1102, 1103]) {
    for (const n of await g.neighbours(tenant, sid(rid), { edgeKinds: ["MEMBER_OF"], direction: "out" }))
      out.push(`${n.edge.from.split("-").pop()}->${n.edge.to.split("-").pop()}`);
  }
  return out.sort();
};

describe("entity.snapshot graph writes", () => {
  it("plans a principal node with name, domain and enabled, and memberships from both sides", () => {
    const group = snap("group", 1101, "Server Admins", { memberSids: [sid(1100)], memberOfSids: [sid(1102)] });
    expect(planSnapshotWrites(group)).toEqual({
      nodes: [
        {
          kind: "Group",
          objectId: sid(1101),
          name: "Server Admins",
          domain: "ACME",
          properties: { dn: group.entity.dn },
          aliases: ["GROUP:ACME\\SERVER ADMINS"],
        },
      ],
      edges: [
        { kind: "MEMBER_OF", from: sid(1100), to: sid(1101), source: "ldap", lastSeen: new Date(group.time) },
        { kind: "MEMBER_OF", from: sid(1101), to: sid(1102), source: "ldap", lastSeen: new Date(group.time) },
      ],
    });
    expect(snapshotNode(snap("computer", 1110, "WS01$", { userAccountControl: 0x1002, dNSHostName: "ws01.acme.local" }))).toMatchObject({
      kind: "Computer",
      name: "WS01",
      enabled: false,
      aliases: ["COMPUTER:WS01"],
    });
    expect(snapshotNode(snap("user", 1100, "dave", {}, { deleted: true }))?.aliases).toBeUndefined();
    expect(snapshotNode(snap("user", 1100, "dave", { userAccountControl: 0x200 }))).toMatchObject({
      kind: "User",
      name: "dave",
      enabled: true,
    });
    expect(hasGraphWrites(snap("ou", 0, "Staff", {}))).toBe(false);
    expect(hasGraphWrites(snap("user", 1100, "dave", {}))).toBe(true);
  });

  it("ends with every nested membership whatever order the snapshots arrive in", async () => {
    const events = [
      snap("group", 512, "Domain Admins", { memberSids: [sid(1102)] }),
      snap("group", 1102, "Tier0 Operators", { memberSids: [sid(1101)], memberOfSids: [sid(512)] }),
      snap("group", 1101, "Server Admins", { memberSids: [sid(1100)], memberOfSids: [sid(1102)] }),
      snap("user", 1100, "dave", { memberOfSids: [sid(1101)] }),
    ];
    for (const order of [events, [...events].reverse()]) {
      const g = createMemoryGraph();
      for (const e of order) await writeGraph(g, e);
      expect(await memberEdges(g)).toEqual(["1100->1101", "1101->1102", "1102->512"]);
      const path = await g.shortestPath("acme", sid(1100), sid(512), { edgeKinds: ["MEMBER_OF"], maxHops: 5 });
      expect(path?.edges).toHaveLength(3);
    }
  });

  it("drops members a later group snapshot no longer lists, but keeps memberships seen after it", async () => {
    const g = createMemoryGraph();
    await writeGraph(g, snap("user", 1100, "dave", {}, { time: "2026-11-25T09:00:00.000Z" }));
    await writeGraph(g, snap("user", 1103, "erin", {}, { time: "2026-11-25T09:00:00.000Z" }));
    await writeGraph(g, snap("group", 1101, "Server Admins", { memberSids: [sid(1100), sid(1103)] }, { time: "2026-11-25T10:00:00.000Z" }));
    expect(await memberEdges(g)).toEqual(["1100->1101", "1103->1101"]);
    // erin is re-added by a 4728 recorded after the next directory read began: that edge is newer than the snapshot.
    await g.upsertEdges("acme", [
      { kind: "MEMBER_OF", from: sid(1103), to: sid(1101), source: "event:4728", lastSeen: new Date("2026-11-25T12:00:00.000Z") },
    ]);
    await writeGraph(g, snap("group", 1101, "Server Admins", {}, { time: "2026-11-25T11:00:00.000Z" }));
    expect(await memberEdges(g)).toEqual(["1103->1101"]);
  });

  it("makes one node of a machine named by host in events and by SID in the directory, in either order", async () => {
    const ws01 = snap("computer", 2001, "WS01$", { dNSHostName: "ws01.acme.local", memberOfSids: [sid(1101)] });
    const admins = snap("group", 1101, "Server Admins", {});
    const logon = finalizeEvent({
      tenantId: "acme",
      sensorId: "ws01",
      time: "2026-11-25T10:30:00.000Z",
      kind: "logon",
      actor: { name: "dave", domain: "ACME", sid: sid(1100) },
      success: true,
      logonType: 10,
      origin: { format: "evtx", recordId: "77", eventId: 4624, channel: "Security", computer: "WS01.acme.local" },
    } as EventDraft);
    const dave = snap("user", 1100, "dave", {});
    for (const order of [
      [dave, admins, logon, ws01],
      [dave, admins, ws01, logon],
    ]) {
      const g = createMemoryGraph();
      for (const e of order) await writeGraph(g, e);
      expect((await g.counts("acme")).nodes.Computer).toBe(1);
      const node = await g.getNode("acme", "COMPUTER:WS01");
      expect(node?.objectId).toBe(sid(2001));
      const edges = await g.neighbours("acme", sid(2001));
      expect(edges.map((n) => `${n.edge.kind} ${n.edge.from.split("-").pop()} ${n.edge.to.split("-").pop()}`)).toEqual([
        "HAS_SESSION 2001 1100",
        "MEMBER_OF 2001 1101",
      ]);
    }
  });

  it("strips a deleted principal of its memberships and marks it disabled, in its tenant only", async () => {
    const g = createMemoryGraph();
    for (const tenant of ["acme", "other"]) {
      await writeGraph(g, snap("user", 1100, "dave", {}, { tenantId: tenant }));
      await writeGraph(g, snap("group", 1101, "Server Admins", { memberSids: [sid(1100)] }, { tenantId: tenant }));
    }
    await writeGraph(g, snap("user", 1100, "dave", {}, { deleted: true, time: "2026-11-25T11:00:00.000Z" }));
    expect(await memberEdges(g)).toEqual([]);
    expect(await g.getNode("acme", sid(1100))).toMatchObject({ enabled: false, properties: { deleted: true } });
    expect(await memberEdges(g, "other")).toEqual(["1100->1101"]);
    expect(await g.getNode("other", sid(1100))).toMatchObject({ enabled: true });
    // A deleted object the graph never had writes nothing.
    await writeGraph(g, snap("user", 1199, "ghost", {}, { deleted: true }));
    expect(await g.getNode("acme", sid(1199))).toBeNull();
  });
});
