// Tenant isolation through the processor: a sensor only speaks for its own tenant, and what the
// processor writes for one tenant is invisible under another's scope, in the store, graph and feed.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { openRelationalStore } from "@vigil/db";
import { createMemoryGraph } from "@vigil/graph-model";
import { createMemoryBus } from "@vigil/sensor/bus";
import { eventSubject, tenantEventsFilter } from "@vigil/sensor/contract";
import { uniqueTenantId } from "../../../test-support/services.ts";
import { acct, replication, success } from "../detections/test-events.ts";
import { createProcessor } from "./processor.ts";
import { createSensor, createTenant, listenAlerts, publishSigned, reissue, waitFor } from "./test-harness.ts";

it("keeps tenants apart: B's sensor cannot publish into A, and A's alerts are invisible under B's scope", async () => {
  const store = await openRelationalStore();
  const dir = mkdtempSync(join(tmpdir(), "vigil-tenancy-"));
  const bus = createMemoryBus();
  const graph = createMemoryGraph();
  const a = uniqueTenantId("a");
  const b = uniqueTenantId("b");
  await createTenant(store, a);
  await createTenant(store, b);
  const sensorA = await createSensor(store, a);
  // Same sensor name in both tenants: names are per tenant, so this must not help B.
  const sensorB = await createSensor(store, b);
  const processor = createProcessor({
    bus,
    store,
    graph,
    consumerName: "processor",
    snapshotFile: join(dir, "p.json"),
    maxDeliver: 3,
    ackWaitMs: 5_000,
    snapshotIntervalMs: 50,
    log: () => {},
  });
  await processor.start();
  const feedA = await listenAlerts(bus, a);
  const feedB = await listenAlerts(bus, b);
  try {
    const ofA = reissue(replication(acct("mallory", 1105), { ip: "10.0.0.66" }), { tenantId: a, sensorId: sensorA.id });
    const ofB = reissue(replication(acct("eve", 1106), { ip: "10.0.0.67" }), { tenantId: b, sensorId: sensorB.id });
    await publishSigned(bus, sensorA, ofA);
    await publishSigned(bus, sensorB, ofB);
    await publishSigned(bus, sensorA, reissue(success("logon", "alice", { host: "WS01" }), { tenantId: a, sensorId: sensorA.id }));
    // B's sensor, correctly signing with its own key, on A's subject: by id, and by its (shared) name.
    const intrusion = reissue(replication(acct("eve", 1106), { t: 1000 }), { tenantId: a, sensorId: sensorB.id });
    await publishSigned(bus, sensorB, intrusion, { subject: eventSubject(a, "replication") });
    const byName = reissue(intrusion, { sensorId: "dc01" });
    await publishSigned(bus, sensorB, byName, { subject: eventSubject(a, "replication"), sensorHeader: "dc01" });
    await waitFor("all settled", () => processor.stats().received === 5 && processor.stats().acked === 3);

    const reasons = (await bus.readDeadLetters({ subject: tenantEventsFilter(a) })).map((d) => d.reason);
    expect(reasons[0]).toBe(`sensor ${sensorB.id} is not registered in tenant ${a}`);
    // "dc01" names A's own sensor in tenant A, but B's key did not sign for it.
    expect(reasons[1]).toMatch(new RegExp(`^bad signature: event not signed by sensor dc01's key`));

    const [alertA] = await store.forTenant(a).alert.findMany();
    const [alertB] = await store.forTenant(b).alert.findMany();
    expect(alertA).toMatchObject({ tenantId: a, count: 1 });
    expect(alertB).toMatchObject({ tenantId: b, count: 1 });
    expect(await store.forTenant(b).alert.findUnique({ where: { id: alertA!.id } })).toBeNull();
    expect(await store.forTenant(b).alertEvidence.count({ where: { alertId: alertA!.id } })).toBe(0);
    expect(await store.forTenant(b).alert.count()).toBe(1);
    expect(await graph.getNode(b, "COMPUTER:WS01")).toBeNull();
    expect((await graph.getNode(a, "COMPUTER:WS01"))?.kind).toBe("Computer");
    await waitFor("the announcements", () => feedA.items.length === 1 && feedB.items.length === 1);
    expect(feedA.items.map((x) => x.alert.id)).toEqual([alertA!.id]);
    expect(feedB.items.map((x) => x.alert.id)).toEqual([alertB!.id]);
  } finally {
    feedA.stop();
    feedB.stop();
    await processor.stop();
    await bus.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
