import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openRelationalStore } from "@vigil/db";
import { createMemoryGraph } from "@vigil/graph-model";
import { createMemoryBus } from "@vigil/sensor/bus";
import { uniqueTenantId } from "../../../test-support/services.ts";
import { success } from "../detections/test-events.ts";
import { createProcessor } from "./processor.ts";
import { sessionExpiryCases } from "./session-expiry.cases.ts";
import { createSessionExpiry } from "./session-expiry.ts";
import { createSensor, createTenant, publishSigned, reissue, waitFor } from "./test-harness.ts";

sessionExpiryCases("embedded graph", () => createMemoryGraph());

describe("session expiry failures and wiring", () => {
  it("logs a failing tenant, reports it, and retries it at the next sweep", async () => {
    const graph = createMemoryGraph();
    await graph.close();
    const lines: string[] = [];
    const expiry = createSessionExpiry({ graph, log: (l) => lines.push(l), now: () => Date.parse("2026-11-25T00:00:00Z") });
    expiry.observe("t1", Date.parse("2026-11-25T00:00:00Z"));
    const [first] = await expiry.sweep();
    expect(first).toMatchObject({ tenantId: "t1", removed: 0, error: expect.stringMatching(/closed/) });
    await expiry.sweep();
    expect(expiry.stats()).toMatchObject({ sweeps: 2, failures: 2 });
    expect(lines[0]).toMatch(/^expiring sessions of tenant t1 failed \(retried next sweep\): /);
  });

  it("refuses a non-positive TTL or interval", () => {
    const graph = createMemoryGraph();
    expect(() => createSessionExpiry({ graph, ttlMs: 0 })).toThrow(RangeError);
    expect(() => createSessionExpiry({ graph, intervalMs: -1 })).toThrow(RangeError);
  });

  it("is scheduled by the processor: sessions age out relative to the events it processes", async () => {
    const store = await openRelationalStore();
    const dir = mkdtempSync(join(tmpdir(), "vigil-expiry-"));
    const bus = createMemoryBus();
    const graph = createMemoryGraph();
    const tenantId = uniqueTenantId("exp-proc");
    try {
      await createTenant(store, tenantId);
      const sensor = await createSensor(store, tenantId);
      const event = reissue(success("logon", "alice", { host: "WS01.acme.local", ip: "10.0.0.21" }), { tenantId, sensorId: sensor.id });
      const eventTime = Date.parse(event.time);
      // A session from a collection three days before the event, already in the graph.
      await graph.upsertNodes(tenantId, [
        { kind: "Computer", objectId: "COMPUTER:OLDPC" },
        { kind: "User", objectId: "USER:ACME\\ALICE" },
      ]);
      await graph.upsertEdges(tenantId, [
        {
          kind: "HAS_SESSION",
          from: "COMPUTER:OLDPC",
          to: "USER:ACME\\ALICE",
          source: "sharphound",
          lastSeen: new Date(eventTime - 72 * 3_600_000),
        },
      ]);
      const processor = createProcessor({
        bus,
        store,
        graph,
        consumerName: "processor",
        snapshotFile: join(dir, "snapshot.json"),
        maxDeliver: 5,
        ackWaitMs: 5_000,
        snapshotIntervalMs: 50,
        sessionExpiry: { intervalMs: 20, now: () => eventTime + 60_000 },
        log: () => {},
      });
      await processor.start();
      await publishSigned(bus, sensor, event);
      const sessions = async () =>
        (await graph.neighbours(tenantId, "USER:ACME\\ALICE", { edgeKinds: ["HAS_SESSION"], direction: "in" })).map((s) => s.node.objectId);
      await waitFor("the event's session", async () => (await sessions()).includes("COMPUTER:WS01"));
      await waitFor("the old session to expire", async () => !(await sessions()).includes("COMPUTER:OLDPC"));
      await processor.stop();
      expect(await sessions()).toEqual(["COMPUTER:WS01"]);
    } finally {
      await bus.close();
      await graph.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
