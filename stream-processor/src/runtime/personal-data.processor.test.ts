// The personal-data job as the processor wires it: a signed deleted-user snapshot published on the
// bus ends with the person's tags and session edges deleted on the job's schedule, and audited.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openRelationalStore } from "@vigil/db";
import { createMemoryGraph } from "@vigil/graph-model";
import { createMemoryBus } from "@vigil/sensor/bus";
import { finalizeEvent } from "@vigil/sensor/contract";
import { describe, expect, it } from "vitest";
import { uniqueTenantId } from "../../../test-support/services.ts";
import { createProcessor } from "./processor.ts";
import { SYSTEM_ACTOR } from "./personal-data.ts";
import { createSensor, createTenant, publishSigned, waitFor } from "./test-harness.ts";

describe("personal data in the processor", () => {
  it("deletes a user removed from AD after the LDAP sync reports the tombstone", async () => {
    const store = await openRelationalStore();
    const dir = mkdtempSync(join(tmpdir(), "vigil-personal-data-proc-"));
    const bus = createMemoryBus();
    const graph = createMemoryGraph();
    const tenantId = uniqueTenantId("pd-proc");
    const sid = "S-1-5-21-4-5-6-1105";
    try {
      await createTenant(store, tenantId);
      const sensor = await createSensor(store, tenantId);
      await graph.upsertNodes(tenantId, [
        { kind: "User", objectId: sid, name: "dave" },
        { kind: "Computer", objectId: "WKS09", name: "WKS09" },
      ]);
      await graph.upsertEdges(tenantId, [{ kind: "HAS_SESSION", from: "WKS09", to: sid, source: "event:4624", lastSeen: new Date() }]);
      await store
        .forTenant(tenantId)
        .entityTag.create({ data: { tenantId, entityKey: `user:${sid}`, tag: "sensitive", createdBy: "admin" } });
      const processor = createProcessor({
        bus,
        store,
        graph,
        consumerName: "processor",
        snapshotFile: join(dir, "snapshot.json"),
        maxDeliver: 5,
        ackWaitMs: 5_000,
        snapshotIntervalMs: 50,
        posture: false,
        personalData: { firstRunDelayMs: 20, intervalMs: 25 },
        log: () => {},
      });
      await processor.start();
      await publishSigned(
        bus,
        sensor,
        finalizeEvent({
          tenantId,
          sensorId: sensor.id,
          time: new Date().toISOString(),
          kind: "entity.snapshot",
          entity: { objectType: "user", objectId: sid, name: "dave\nDEL:5c1d", attributes: { sAMAccountName: "dave" }, deleted: true },
          origin: { format: "ldap", recordId: "1" },
        }),
      );
      const audit = () => store.forTenant(tenantId).auditEntry.findMany({ where: { action: "personal-data:delete" } });
      await waitFor("the deletion audit entry", async () => (await audit()).length > 0);
      await processor.stop();
      expect((await audit()).map((a) => a.actor)).toEqual([SYSTEM_ACTOR]);
      expect(await graph.neighbours(tenantId, sid)).toEqual([]);
      expect(await store.forTenant(tenantId).entityTag.count()).toBe(0);
    } finally {
      await graph.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
    // Opening PGlite with every migration takes ~20 s of this on a busy 2-core machine.
  }, 90_000);
});
