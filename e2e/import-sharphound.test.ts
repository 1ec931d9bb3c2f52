import { spawn } from "node:child_process";
import { mkdtempSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createMemoryGraph } from "@vigil/graph-model";
import { FIXTURE_EXPECTED, SID, writeFixtureZip } from "../cli/src/import/fixtures/sharphound-domain.ts";

const bin = new URL("../cli/bin/vigil.js", import.meta.url).pathname;

function vigil(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  // Only what the command needs: an inherited NEO4J_URI / DATABASE_URL would point it elsewhere.
  const base = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? tmpdir() };
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { env: { ...base, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("vigil import sharphound", () => {
  it("imports a SharpHound v6 collection into the embedded graph of the data directory, tenant by tenant", async () => {
    const dir = mkdtempSync(join(tmpdir(), "vigil-e2e-import-"));
    const zip = writeFixtureZip(dir);
    const mtime = new Date("2026-11-24T18:00:00Z");
    utimesSync(zip, mtime, mtime);
    const dataDir = join(dir, "data");

    const { code, stdout, stderr } = await vigil(["import", "sharphound", "--tenant", "acme", zip], { VIGIL_DATA_DIR: dataDir });
    expect(stderr).toContain(`vigil: importing ${zip} into tenant acme (embedded graph, snapshot ${join(dataDir, "graph.json")})`);
    expect(code).toBe(0);
    expect(stderr).toMatch(/vigil: edges: 25\/25/);
    expect(stderr).toContain("vigil: edges written: MEMBER_OF 17, HAS_SESSION 4, ADMIN_TO 4");
    expect(stderr).toContain("vigil: ignored: 1 local group Remote Desktop Users memberships (graph-model has no edge kind for them)");
    const summary = JSON.parse(stdout) as Record<string, unknown>;
    expect(summary).toMatchObject({ tenantId: "acme", ...FIXTURE_EXPECTED, collectedAt: mtime.toISOString(), problems: [] });

    const graph = createMemoryGraph();
    expect(await graph.load(join(dataDir, "graph.json"))).toBe(true);
    const path = await graph.shortestPath("acme", SID.alice, SID.domainAdmins, { maxHops: 6 });
    expect(path?.nodes.map((n) => n.name)).toEqual(["alice", "Helpdesk", "WS01", "Administrator", "Domain Admins"]);
    expect(path?.edges.every((e) => e.source === "sharphound" && e.lastSeen.getTime() === mtime.getTime())).toBe(true);
    expect((await graph.counts("other")).edges).toEqual({ MEMBER_OF: 0, ADMIN_TO: 0, HAS_SESSION: 0 });
    await graph.close();

    const noTenant = await vigil(["import", "sharphound", zip], { VIGIL_DATA_DIR: dataDir });
    expect(noTenant.code).toBe(2);
    expect(noTenant.stderr).toContain("--tenant is required");
    const notZip = await vigil(["import", "sharphound", "--tenant", "acme", bin], { VIGIL_DATA_DIR: dataDir });
    expect(notZip.code).toBe(1);
    expect(notZip.stderr).toMatch(/cannot import: .*vigil\.js is not a readable zip/);
  }, 60_000);
});
