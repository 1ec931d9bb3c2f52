import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { uniqueTenantId } from "../../test-support/services.ts";
import { LM, seedLateralMovement } from "./fixtures/lateral-movement.ts";
import { createMemoryGraph } from "./memory/adapter.ts";

describe("memory graph snapshot", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "vigil-graph-"));
  });
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  it("round-trips every tenant through a snapshot file, leaving no temp files", async () => {
    const [a, b] = [uniqueTenantId("snap-a"), uniqueTenantId("snap-b")];
    const g = createMemoryGraph();
    await seedLateralMovement(g, a);
    await g.upsertNodes(b, [{ kind: "User", objectId: LM.alice, name: "other", properties: { tags: ["x", "y"] } }]);
    const file = join(dir, "nested", "graph.json");
    await g.snapshot(file);
    await g.snapshot(file); // overwrite in place
    expect(await readdir(join(dir, "nested"))).toEqual(["graph.json"]);

    const restored = createMemoryGraph();
    expect(await restored.load(file)).toBe(true);
    expect(await restored.counts(a)).toEqual(await g.counts(a));
    expect(await restored.getNode(b, LM.alice)).toEqual(await g.getNode(b, LM.alice));
    expect(await restored.shortestPath(a, LM.alice, LM.domainAdmins, { maxHops: 6 })).toEqual(
      await g.shortestPath(a, LM.alice, LM.domainAdmins, { maxHops: 6 }),
    );
    // Restored edges stay idempotent (same keys), and dates survive as Dates.
    await seedLateralMovement(restored, a);
    expect(await restored.counts(a)).toEqual(await g.counts(a));
    const [edge] = await restored.neighbours(a, LM.ws01, { direction: "out" });
    expect(edge?.edge.lastSeen).toBeInstanceOf(Date);
  });

  it("keeps name-key aliases across a snapshot, so writes by host name still reach the SID node", async () => {
    const t = uniqueTenantId("snap-alias");
    const g = createMemoryGraph();
    await g.upsertNodes(t, [{ kind: "Computer", objectId: LM.ws01, name: "WS01", aliases: ["COMPUTER:WS01"] }]);
    const file = join(dir, "graph.json");
    await g.snapshot(file);
    const restored = createMemoryGraph();
    await restored.load(file);
    await restored.upsertNodes(t, [{ kind: "Computer", objectId: "COMPUTER:WS01", name: "WS01" }]);
    expect((await restored.getNode(t, "computer:ws01"))?.objectId).toBe(LM.ws01);
    expect((await restored.counts(t)).nodes.Computer).toBe(1);
  });

  it("load returns false and keeps the graph when the file does not exist", async () => {
    const t = uniqueTenantId();
    const g = createMemoryGraph();
    await g.upsertNodes(t, [{ kind: "Domain", objectId: "S-1-5-21-1" }]);
    expect(await g.load(join(dir, "missing.json"))).toBe(false);
    expect(await g.getNode(t, "S-1-5-21-1")).not.toBeNull();
  });

  it("rejects a file that is not a snapshot with GRAPH_SNAPSHOT_INVALID", async () => {
    const g = createMemoryGraph();
    const cases = {
      "garbage.json": "{not json",
      "other.json": JSON.stringify({ format: "something-else" }),
      "future.json": JSON.stringify({ format: "vigil-identity-graph", version: 99, tenants: {} }),
      "bad-kind.json": JSON.stringify({
        format: "vigil-identity-graph",
        version: 1,
        tenants: {
          t: {
            options: { type: "directed", multi: true, allowSelfLoops: true },
            nodes: [{ key: "S-1", attributes: { kind: "Printer", objectId: "S-1" } }],
            edges: [],
          },
        },
      }),
    };
    for (const [name, text] of Object.entries(cases)) {
      await writeFile(join(dir, name), text);
      await expect(g.load(join(dir, name)), name).rejects.toMatchObject({ code: "GRAPH_SNAPSHOT_INVALID" });
    }
  });
});
