// One machine, one node across sources: what the processor wrote from events (a session on the host
// named WS01, a membership of CORP\alice known by name only) and a SharpHound import of the same domain
// end up on the imported SID nodes (graph-model's aliases.ts). Both adapters are held to merging alike
// by graph-model's identity-join contract; this checks the import claims the right name keys.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createMemoryGraph } from "@vigil/graph-model";
import { uniqueTenantId } from "../../../test-support/services.ts";
import { SID, writeFixtureZip } from "./fixtures/sharphound-domain.ts";
import { importSharpHound } from "./sharphound-import.ts";

const AT = new Date("2026-11-25T09:30:00Z");

describe("SharpHound import joins nodes events named without SID", () => {
  it("claims host and DOMAIN\\account name keys, so event-made nodes merge into the imported ones", async () => {
    const graph = createMemoryGraph();
    const tenantId = uniqueTenantId("sh-join");
    const seenAt = new Date("2026-11-25T08:00:00Z");
    await graph.upsertNodes(tenantId, [
      { kind: "Computer", objectId: "COMPUTER:WS01", name: "WS01" },
      { kind: "User", objectId: "USER:CORP\\ALICE", name: "alice" },
      { kind: "User", objectId: SID.bob, name: "bob" },
    ]);
    await graph.upsertEdges(tenantId, [
      { kind: "HAS_SESSION", from: "COMPUTER:WS01", to: SID.bob, source: "event:4624", lastSeen: seenAt },
    ]);
    await importSharpHound({ path: writeFixtureZip(mkdtempSync(join(tmpdir(), "vigil-import-join-"))), graph, tenantId, collectedAt: AT });

    expect((await graph.getNode(tenantId, "COMPUTER:WS01"))?.objectId).toBe(SID.ws01);
    expect((await graph.getNode(tenantId, "USER:CORP\\ALICE"))?.objectId).toBe(SID.alice);
    expect((await graph.counts(tenantId)).nodes).toMatchObject({ User: 6, Computer: 4 });
    const sessions = await graph.neighbours(tenantId, SID.ws01, { direction: "out", edgeKinds: ["HAS_SESSION"] });
    // The event's session survives the merge: its first sighting is kept, folded with the import's own.
    const bob = sessions.find((n) => n.edge.to === SID.bob)?.edge;
    expect(bob?.firstSeen).toEqual(seenAt);
    expect(bob?.lastSeen.getTime()).toBeGreaterThanOrEqual(seenAt.getTime());
    await graph.close();
  });
});
