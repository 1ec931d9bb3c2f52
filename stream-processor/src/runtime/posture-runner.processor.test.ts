// The posture runner as the processor wires it: a signed entity.snapshot published on the bus ends
// up as posture rows of its tenant once the sync goes quiet, and the folded directory is saved next
// to the engine snapshot at stop.
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openRelationalStore } from "@vigil/db";
import { createMemoryGraph } from "@vigil/graph-model";
import { createMemoryBus } from "@vigil/sensor/bus";
import { finalizeEvent } from "@vigil/sensor/contract";
import { describe, expect, it } from "vitest";
import { uniqueTenantId } from "../../../test-support/services.ts";
import { createProcessor } from "./processor.ts";
import { createSensor, createTenant, publishSigned, waitFor } from "./test-harness.ts";

describe("posture in the processor", () => {
  it("assesses a tenant after its sync goes quiet and keeps the directory beside the engine snapshot", async () => {
    const store = await openRelationalStore();
    const dir = mkdtempSync(join(tmpdir(), "vigil-posture-proc-"));
    const bus = createMemoryBus();
    const graph = createMemoryGraph();
    const tenantId = uniqueTenantId("posture-proc");
    const other = uniqueTenantId("posture-proc-other");
    try {
      await createTenant(store, tenantId);
      await createTenant(store, other);
      const sensor = await createSensor(store, tenantId);
      const sid = "S-1-5-21-1-2-3-1105";
      const event = finalizeEvent({
        tenantId,
        sensorId: sensor.id,
        time: new Date().toISOString(),
        kind: "entity.snapshot",
        entity: {
          objectType: "user",
          objectId: sid,
          name: "carol",
          attributes: { objectSid: sid, sAMAccountName: "carol", userAccountControl: 0x400200 },
          deleted: false,
        },
        origin: { format: "ldap", recordId: "1" },
      });
      const snapshotFile = join(dir, "snapshot.json");
      const processor = createProcessor({
        bus,
        store,
        graph,
        consumerName: "processor",
        snapshotFile,
        maxDeliver: 5,
        ackWaitMs: 5_000,
        snapshotIntervalMs: 50,
        posture: { quietMs: 100, tickMs: 25 },
        log: () => {},
      });
      await processor.start();
      await publishSigned(bus, sensor, event);
      const rows = () => store.forTenant(tenantId).postureAssessment.findMany();
      await waitFor("posture rows", async () => (await rows()).length > 0);
      await processor.stop();
      const flagged = (await rows()).find((r) => r.assessmentId === "unsecure-account-attributes");
      expect(flagged?.status).toBe("failed");
      expect(await store.forTenant(tenantId).postureScore.count()).toBe(1);
      expect(await store.forTenant(other).postureAssessment.count()).toBe(0);
      expect(existsSync(`${snapshotFile}.posture`)).toBe(true);
      expect(readdirSync(`${snapshotFile}.posture`)).toEqual([`posture-${encodeURIComponent(tenantId)}.json`]);
    } finally {
      await bus.close();
      await graph.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
