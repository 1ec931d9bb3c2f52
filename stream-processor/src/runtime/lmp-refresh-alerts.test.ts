// Alerts carry the lateral-movement exposure of the sensitive accounts they involve (withLmpExposure
// in sinks/alert-writer.ts, called by the processor before the alert is stored).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openRelationalStore } from "@vigil/db";
import { createMemoryGraph, type IdentityGraph } from "@vigil/graph-model";
import { createMemoryBus } from "@vigil/sensor/bus";
import { uniqueTenantId } from "../../../test-support/services.ts";
import { acct, DOMAIN_SID, replication } from "../detections/test-events.ts";
import type { Alert } from "../engine/alerts.ts";
import { withLmpExposure } from "../sinks/alert-writer.ts";
import { createProcessor } from "./processor.ts";
import { createSensor, createTenant, publishSigned, reissue, waitFor } from "./test-harness.ts";

const MALLORY = `${DOMAIN_SID}-1105`;

/** mallory (SID) is a Domain Admin with a session on WS01, which alice (no SID) and WS02$ administer. */
async function seed(graph: IdentityGraph, tenantId: string, at: Date): Promise<void> {
  await graph.upsertNodes(tenantId, [
    { kind: "User", objectId: MALLORY, name: "mallory" },
    { kind: "User", objectId: "USER:ACME\\ALICE", name: "alice" },
    { kind: "Computer", objectId: "COMPUTER:WS01", name: "WS01" },
    { kind: "Computer", objectId: "COMPUTER:WS02", name: "WS02", sensitive: true },
    { kind: "Group", objectId: `${DOMAIN_SID}-512`, name: "Domain Admins" },
  ]);
  const { skipped } = await graph.upsertEdges(tenantId, [
    { kind: "MEMBER_OF", from: MALLORY, to: `${DOMAIN_SID}-512`, source: "ldap", lastSeen: at },
    { kind: "HAS_SESSION", from: "COMPUTER:WS01", to: MALLORY, source: "event:4624", lastSeen: at },
    { kind: "ADMIN_TO", from: "USER:ACME\\ALICE", to: "COMPUTER:WS01", source: "ldap", lastSeen: at },
    { kind: "ADMIN_TO", from: "USER:ACME\\ALICE", to: "COMPUTER:WS02", source: "ldap", lastSeen: at },
  ]);
  expect(skipped).toEqual([]);
  await graph.precomputeLateralMovement(tenantId, { asOf: at });
}

function alertWith(tenantId: string, entities: Alert["entities"]): Alert {
  return {
    id: "a1",
    tenantId,
    detectionId: "dcsync",
    severity: "high",
    title: "t",
    description: "d",
    primaryEntity: entities[0]!.key,
    entities,
    mitre: [],
    firstSeen: "2026-11-25T12:00:00.000Z",
    lastSeen: "2026-11-25T12:00:00.000Z",
    count: 1,
    evidenceEventIds: [],
    recommendedActions: [],
  } as unknown as Alert;
}

describe("alert LMP exposure", () => {
  it("adds exposure to sensitive user and computer entities (by SID, DOMAIN\\name or host) and nothing to others", async () => {
    const graph = createMemoryGraph();
    const tenantId = uniqueTenantId("lmp-alert");
    await seed(graph, tenantId, new Date("2026-11-25T12:00:00Z"));
    const alert = alertWith(tenantId, [
      { key: `user:${MALLORY.toLowerCase()}`, role: "actor", kind: "user", id: MALLORY.toLowerCase(), name: "ACME\\mallory" },
      { key: "user:alice", role: "target", kind: "user", id: "alice", name: "ACME\\alice" },
      { key: "computer:ws02", role: "target", kind: "computer", id: "WS02$", name: "ACME\\WS02$" },
      { key: "ip:10.0.0.5", role: "source", kind: "ip", id: "10.0.0.5" },
    ]);
    const before = structuredClone(alert);
    const out = await withLmpExposure(graph, alert);
    expect(alert).toEqual(before);
    expect(out.entities.map((e) => (e as { lmpExposure?: unknown }).lmpExposure)).toEqual([
      { reachingAccounts: 2, shortestHops: 1 }, // WS01 and alice
      undefined, // alice is not sensitive
      { reachingAccounts: 1, shortestHops: 1 }, // alice administers the tagged WS02
      undefined,
    ]);
    // Another tenant's graph is never read: the same entities there carry no exposure.
    const other = await withLmpExposure(graph, alertWith(uniqueTenantId("lmp-alert-b"), alert.entities));
    expect(other.entities.some((e) => "lmpExposure" in e)).toBe(false);
    await graph.close();
  });

  it("stores the alert without exposure when the graph fails, and drops a stale value", async () => {
    const graph = createMemoryGraph();
    await graph.close();
    const stale = {
      key: `user:${MALLORY}`,
      role: "actor",
      kind: "user",
      id: MALLORY,
      lmpExposure: { reachingAccounts: 9, shortestHops: 2 },
    };
    const out = await withLmpExposure(graph, alertWith("t1", [stale as Alert["entities"][number]]));
    expect(out.entities).toEqual([{ key: `user:${MALLORY}`, role: "actor", kind: "user", id: MALLORY }]);
  });

  it("is stored on the alert row by the processor", async () => {
    const store = await openRelationalStore();
    const dir = mkdtempSync(join(tmpdir(), "vigil-lmp-alert-"));
    const bus = createMemoryBus();
    const graph = createMemoryGraph();
    const tenantId = uniqueTenantId("lmp-alert-proc");
    try {
      await createTenant(store, tenantId);
      const sensor = await createSensor(store, tenantId);
      const event = reissue(replication(acct("mallory", 1105), { ip: "10.0.0.66" }), { tenantId, sensorId: sensor.id });
      await seed(graph, tenantId, new Date(event.time));
      const processor = createProcessor({
        bus,
        store,
        graph,
        consumerName: "processor",
        snapshotFile: join(dir, "snapshot.json"),
        maxDeliver: 5,
        ackWaitMs: 5_000,
        snapshotIntervalMs: 50,
        log: () => {},
      });
      await processor.start();
      await publishSigned(bus, sensor, event);
      const rows = () => store.forTenant(tenantId).alert.findMany();
      await waitFor("the DCSync alert", async () => (await rows()).length > 0);
      await processor.stop();
      const [row] = await rows();
      expect(row!.detectionId).toBe("dcsync");
      const actor = (row!.entities as { kind: string; id: string; lmpExposure?: unknown }[]).find((e) => e.id === MALLORY);
      expect(actor?.lmpExposure).toEqual({ reachingAccounts: 2, shortestHops: 1 });
    } finally {
      await bus.close();
      await graph.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
