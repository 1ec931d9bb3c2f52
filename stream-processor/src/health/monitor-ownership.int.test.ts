// Several processors: each evaluates only the tenants whose partitions it holds, so a tenant is
// evaluated once (by the instance that sees its events), not once per processor. Real PostgreSQL.
import { afterAll, beforeAll, expect, it } from "vitest";
import { openRelationalStore, type RelationalStore } from "@vigil/db";
import { sensorKeyHash } from "@vigil/sensor/contract";
import { testServices, uniqueTenantId } from "../../../test-support/services.ts";
import { createTenant } from "../runtime/test-harness.ts";
import { createHealthMonitor } from "./monitor.ts";

let store: RelationalStore;
const [A, B] = [uniqueTenantId("own-a"), uniqueTenantId("own-b")];
const later = Date.now() + 10 * 60_000;

beforeAll(async () => {
  store = await openRelationalStore({ databaseUrl: testServices.postgresUrl });
  for (const t of [A, B]) {
    await createTenant(store, t);
    // Registered and never heard from: ten minutes on, "sensor stopped communicating" is due.
    await store
      .forTenant(t)
      .sensor.create({ data: { tenantId: t, name: "dc01", kind: "dc", keyHash: sensorKeyHash(`k-${t}`), keyPrefix: t.slice(0, 12) } });
  }
}, 60_000);
afterAll(async () => {
  await store?.prisma.tenant.deleteMany({ where: { id: { in: [A, B] } } });
  await store?.close();
});

const openIssues = async (t: string) => (await store.forTenant(t).healthIssue.findMany({ where: { status: "open" } })).map((i) => i.type);

it("an instance evaluates only the tenants it owns; the other instance's issues stay as raised", async () => {
  const ownerOfA = createHealthMonitor({ store, clock: () => later, owns: (t) => t === A, log: () => {} });
  const ownerOfB = createHealthMonitor({ store, clock: () => later, owns: (t) => t === B, log: () => {} });
  await ownerOfA.evaluate();
  expect(await openIssues(A)).toEqual(["sensor-stopped-communicating"]);
  expect(await openIssues(B)).toEqual([]);
  await ownerOfB.evaluate();
  expect(await openIssues(B)).toEqual(["sensor-stopped-communicating"]);
  // A's owner evaluating again, and B's owner ticking, leave both tenants' issues as they were.
  await ownerOfA.evaluate();
  await ownerOfB.evaluate();
  expect(await openIssues(A)).toEqual(["sensor-stopped-communicating"]);
  expect(await openIssues(B)).toEqual(["sensor-stopped-communicating"]);
});
