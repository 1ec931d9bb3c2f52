/**
 * The SharpHound import's behaviour, run against each IdentityGraph adapter (embedded in the unit
 * tier, Neo4j in the integration tier) so both stores are held to the same expectations.
 */
import { mkdtempSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { IdentityGraph } from "@vigil/graph-model";
import { isSharpHoundError } from "@vigil/sensor";
import { uniqueTenantId } from "../../../test-support/services.ts";
import { FIXTURE_EXPECTED, SID, fixtureFiles, writeFixtureZip } from "./fixtures/sharphound-domain.ts";
import { importSharpHound } from "./sharphound-import.ts";

const AT = new Date("2026-11-25T09:30:00Z");

/** Registers the import suite for one graph adapter. */
export function sharpHoundImportCases(name: string, factory: () => IdentityGraph | Promise<IdentityGraph>): void {
  describe(`vigil import sharphound (${name})`, () => {
    let graph: IdentityGraph;
    const dir = mkdtempSync(join(tmpdir(), "vigil-import-"));
    beforeAll(async () => {
      graph = await factory();
      await graph.ensureSchema();
    });
    afterAll(async () => {
      await graph?.close();
    });

    it("writes the collection's nodes and edges, and the hidden attack path is walkable", async () => {
      const tenantId = uniqueTenantId("sh");
      const summary = await importSharpHound({ path: writeFixtureZip(dir), graph, tenantId, collectedAt: AT, batchSize: 7 });
      expect(summary).toMatchObject({ ...FIXTURE_EXPECTED, skippedEdges: { MEMBER_OF: 0, ADMIN_TO: 0, HAS_SESSION: 0 }, refusedNodes: [] });
      expect(summary.problems).toEqual([]);
      expect(summary.ignored).toEqual({
        "local administrators of ObjectType LocalUser (not a domain user, group or computer)": 1,
        "local group Remote Desktop Users memberships (graph-model has no edge kind for them)": 1,
        "computers whose local Administrators were not collected": 1,
        "sessions of accounts outside the domain (not S-1-5-21-…)": 1,
        "sessions whose client computer SharpHound could not resolve": 1,
        "RegistrySessions not collected on a computer": 1,
        "ous objects (not mapped to the graph yet)": 1,
        "gpos objects (not mapped to the graph yet)": 1,
      });
      expect(await graph.counts(tenantId)).toEqual({
        nodes: { User: 6, Computer: 4, Group: 8, Domain: 1 },
        edges: FIXTURE_EXPECTED.edges,
      });

      const path = await graph.shortestPath(tenantId, SID.alice, SID.domainAdmins, { maxHops: 6 });
      expect(path?.nodes.map((n) => n.name)).toEqual(["alice", "Helpdesk", "WS01", "Administrator", "Domain Admins"]);
      expect(path?.edges.map((e) => e.kind)).toEqual(["MEMBER_OF", "ADMIN_TO", "HAS_SESSION", "MEMBER_OF"]);
      for (const e of path?.edges ?? []) expect(e).toMatchObject({ source: "sharphound", firstSeen: AT, lastSeen: AT });

      expect(await graph.getNode(tenantId, SID.carol)).toMatchObject({ kind: "User", name: "carol", domain: "CORP", enabled: false });
      expect(await graph.getNode(tenantId, SID.ws01)).toMatchObject({
        kind: "Computer",
        name: "WS01",
        properties: { principalName: "WS01.CORP.LOCAL", domainName: "CORP.LOCAL" },
      });
      expect(await graph.getNode(tenantId, SID.foreignUser)).toMatchObject({ kind: "User", name: "" });
      // NetSessionEnum on SRV01 saw Administrator coming from WS01: the session is on WS01.
      const onSrv = await graph.neighbours(tenantId, SID.srv01, { edgeKinds: ["HAS_SESSION"], direction: "out" });
      expect(onSrv).toEqual([]);
    });

    it("is idempotent, keeps the earliest firstSeen, and never touches another tenant", async () => {
      const tenantId = uniqueTenantId("sh");
      const other = uniqueTenantId("sh-other");
      const path = writeFixtureZip(dir, "twice.zip");
      await importSharpHound({ path, graph, tenantId, collectedAt: AT });
      const later = new Date(AT.getTime() + 86_400_000);
      await importSharpHound({ path, graph, tenantId, collectedAt: later });
      const counts = await graph.counts(tenantId);
      expect(counts.edges).toEqual(FIXTURE_EXPECTED.edges);
      const [session] = await graph.neighbours(tenantId, SID.alice, { edgeKinds: ["HAS_SESSION"], direction: "in" });
      expect(session?.edge).toMatchObject({ firstSeen: AT, lastSeen: later });
      expect(await graph.counts(other)).toEqual({
        nodes: { User: 0, Computer: 0, Group: 0, Domain: 0 },
        edges: { MEMBER_OF: 0, ADMIN_TO: 0, HAS_SESSION: 0 },
      });
      expect(await graph.getNode(other, SID.alice)).toBeNull();
    });

    it("dates edges by the archive's modification time unless told otherwise", async () => {
      const tenantId = uniqueTenantId("sh");
      const path = writeFixtureZip(dir, "mtime.zip");
      const mtime = new Date("2026-11-20T12:00:00Z");
      utimesSync(path, mtime, mtime);
      const summary = await importSharpHound({ path, graph, tenantId });
      expect(summary).toMatchObject({ collectedAt: mtime.toISOString(), collectedAtFrom: "archive modification time" });
      const [edge] = await graph.neighbours(tenantId, SID.bob, { edgeKinds: ["HAS_SESSION"] });
      expect(edge?.edge.lastSeen).toEqual(mtime);
    });

    it("keeps what the graph already knows about a referenced-only principal and reports kind conflicts", async () => {
      const tenantId = uniqueTenantId("sh");
      await graph.upsertNodes(tenantId, [
        { kind: "User", objectId: SID.foreignUser, name: "eve", domain: "PARTNER" },
        // Seen earlier as a group (e.g. guessed from an event): SharpHound says bob is a user.
        { kind: "Group", objectId: SID.bob, name: "bob?" },
      ]);
      const summary = await importSharpHound({ path: writeFixtureZip(dir, "conflict.zip"), graph, tenantId, collectedAt: AT });
      expect(summary.refusedNodes.map((r) => [r.objectId, r.kind])).toEqual([[SID.bob, "User"]]);
      expect(summary.refusedNodes[0]?.reason).toMatch(/objectId/);
      expect(summary.nodes).toBe(FIXTURE_EXPECTED.nodes - 1);
      expect(await graph.getNode(tenantId, SID.foreignUser)).toMatchObject({ name: "eve", domain: "PARTNER" });
      // bob stays a group: his memberships are still valid edges, a session on a group is not.
      expect(summary.skippedEdges.HAS_SESSION).toBe(1);
      expect(await graph.getNode(tenantId, SID.alice)).toMatchObject({ name: "alice" });
    });

    it("imports the good members of a damaged archive and says what happened to each bad one", async () => {
      const tenantId = uniqueTenantId("sh");
      const files = fixtureFiles();
      const computersName = Object.keys(files).find((n) => n.endsWith("_computers.json"))!;
      const truncated = Buffer.from(JSON.stringify(files[computersName])).subarray(0, 200);
      const v4 = Buffer.from(
        JSON.stringify({ data: [{ ObjectIdentifier: "S-1-5-21-1-1-1-1" }], meta: { type: "users", version: 4, count: 1 } }),
      );
      const path = join(dir, "damaged.zip");
      writeFileSync(
        path,
        (await import("fflate")).zipSync({
          ...Object.fromEntries(Object.entries(files).map(([n, j]) => [n, Buffer.from(JSON.stringify(j))])),
          [computersName]: truncated,
          "old_users.json": v4,
          "../../outside_users.json": v4,
          "huge_groups.json": Buffer.alloc(300_000, 0x20),
        }),
      );
      const summary = await importSharpHound({ path, graph, tenantId, collectedAt: AT, maxEntryBytes: 256 * 1024 });
      expect(summary.problems).toEqual([
        { entry: computersName, reason: expect.stringMatching(/^not valid JSON \(.+\): file skipped$/) },
        { entry: "old_users.json", reason: "meta.version 4 is not supported (supported: 5, 6): file skipped" },
        { entry: "../../outside_users.json", reason: "entry name points outside the archive (`..`): skipped" },
        { entry: "huge_groups.json", reason: `declares 300000 bytes, more than the ${256 * 1024} allowed: skipped` },
      ]);
      expect(summary.objects).toEqual({ users: 5, computers: 0, groups: 8, domains: 1 });
      const counts = await graph.counts(tenantId);
      // Without computers.json: no local admins, no sessions; memberships of users and groups remain.
      expect(counts.edges).toEqual({ MEMBER_OF: 13, ADMIN_TO: 0, HAS_SESSION: 0 });
      expect(counts.nodes.Computer).toBe(0);
    });

    it("refuses a file that is not a zip with a coded error and writes nothing", async () => {
      const tenantId = uniqueTenantId("sh");
      const path = join(dir, "not-a.zip");
      writeFileSync(path, JSON.stringify(fixtureFiles()));
      await expect(importSharpHound({ path, graph, tenantId })).rejects.toSatisfy((e) => isSharpHoundError(e, "SHARPHOUND_NOT_ZIP"));
      expect((await graph.counts(tenantId)).nodes.User).toBe(0);
    });
  });
}
