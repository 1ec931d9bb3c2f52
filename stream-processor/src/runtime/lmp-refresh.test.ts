import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openRelationalStore } from "@vigil/db";
import { createMemoryGraph } from "@vigil/graph-model";
import { createMemoryBus } from "@vigil/sensor/bus";
import { uniqueTenantId } from "../../../test-support/services.ts";
import { success } from "../detections/test-events.ts";
import { lmpRefreshCases } from "./lmp-refresh.cases.ts";
import { createLmpRefresh } from "./lmp-refresh.ts";
import { createProcessor } from "./processor.ts";
import { createSensor, createTenant, publishSigned, reissue, waitFor } from "./test-harness.ts";

lmpRefreshCases("embedded graph", () => createMemoryGraph());

describe("LMP refresh failures and wiring", () => {
  it("logs a failed precompute and retries it on a write after retryMs, not before", async () => {
    const graph = createMemoryGraph();
    await graph.close();
    const lines: string[] = [];
    let wall = Date.parse("2026-11-25T00:00:00Z");
    const refresh = createLmpRefresh({ graph, retryMs: 60_000, log: (l) => lines.push(l), now: () => wall });
    refresh.written("t1", wall);
    await refresh.idle();
    expect(refresh.stats()).toMatchObject({ precomputes: 0, failures: 1 });
    expect(lines[0]).toMatch(/^precomputing lateral-movement paths of tenant t1 failed \(retried later\): .*closed/);
    refresh.written("t1", wall + 1);
    await refresh.idle();
    expect(refresh.stats().failures).toBe(1);
    wall += 60_000;
    refresh.written("t1", wall);
    await refresh.idle();
    expect(refresh.stats().failures).toBe(2);
    const [result] = await refresh.refresh();
    expect(result).toMatchObject({ tenantId: "t1", targets: 0, error: expect.stringMatching(/closed/) });
  });

  it("ignores non-finite event times and refuses a non-positive interval", async () => {
    const graph = createMemoryGraph();
    const refresh = createLmpRefresh({ graph });
    refresh.written("t1", Number.NaN);
    await refresh.idle();
    expect(refresh.stats()).toEqual({ tenants: 0, precomputes: 0, failures: 0, rounds: 0 });
    expect(() => createLmpRefresh({ graph, intervalMs: 0 })).toThrow(RangeError);
    expect(() => createLmpRefresh({ graph, retryMs: -1 })).toThrow(RangeError);
  });

  it("is driven by the processor: a tenant's first graph write precomputes its lateral-movement paths", async () => {
    const store = await openRelationalStore();
    const dir = mkdtempSync(join(tmpdir(), "vigil-lmp-"));
    const bus = createMemoryBus();
    const graph = createMemoryGraph();
    const tenantId = uniqueTenantId("lmp-proc");
    const other = uniqueTenantId("lmp-proc-other");
    try {
      await createTenant(store, tenantId);
      const sensor = await createSensor(store, tenantId);
      const event = reissue(success("logon", "dadmin", { host: "WS01.acme.local", ip: "10.0.0.21" }), { tenantId, sensorId: sensor.id });
      const admin = "USER:ACME\\DADMIN";
      // dadmin is a Domain Admin (directory data already in the graph); alice administers WS01. The event
      // brings the session WS01 → dadmin that makes the path alice → WS01 → dadmin.
      for (const t of [tenantId, other]) {
        await graph.upsertNodes(t, [
          { kind: "User", objectId: admin, name: "DADMIN" },
          { kind: "User", objectId: "USER:ACME\\ALICE", name: "ALICE" },
          { kind: "Computer", objectId: "COMPUTER:WS01", name: "WS01" },
          { kind: "Group", objectId: "S-1-5-21-9-9-9-512", name: "Domain Admins" },
        ]);
        await graph.upsertEdges(t, [
          { kind: "MEMBER_OF", from: admin, to: "S-1-5-21-9-9-9-512", source: "ldap", lastSeen: new Date(event.time) },
          { kind: "ADMIN_TO", from: "USER:ACME\\ALICE", to: "COMPUTER:WS01", source: "ldap", lastSeen: new Date(event.time) },
        ]);
      }
      const processor = createProcessor({
        bus,
        store,
        graph,
        consumerName: "processor",
        snapshotFile: join(dir, "snapshot.json"),
        maxDeliver: 5,
        ackWaitMs: 5_000,
        snapshotIntervalMs: 50,
        lmpRefresh: { now: () => Date.parse(event.time) + 60_000 },
        log: () => {},
      });
      await processor.start();
      await publishSigned(bus, sensor, event);
      await waitFor("the tenant's precompute", async () => (await graph.exposure(tenantId, admin)) !== null);
      await processor.stop();
      expect(await graph.exposure(tenantId, admin)).toEqual({ reachingAccounts: 2, shortestHops: 1 });
      const paths = await graph.lateralMovementPaths(tenantId, admin);
      expect(paths.map((p) => p.nodes.map((n) => n.objectId))).toEqual([
        ["COMPUTER:WS01", admin],
        ["USER:ACME\\ALICE", "COMPUTER:WS01", admin],
      ]);
      // The other tenant had no event: nothing precomputed there.
      expect(await graph.exposure(other, admin)).toBeNull();
    } finally {
      await bus.close();
      await graph.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
