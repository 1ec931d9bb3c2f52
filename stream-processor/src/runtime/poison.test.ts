// Every kind of bad input ends in the dead-letter stream with a precise reason, while the good events
// around it are processed. Embedded adapters.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { openRelationalStore, type RelationalStore } from "@vigil/db";
import { createMemoryGraph } from "@vigil/graph-model";
import { createMemoryBus } from "@vigil/sensor/bus";
import { eventSubject, parseEvent, tenantEventsFilter } from "@vigil/sensor/contract";
import { uniqueTenantId } from "../../../test-support/services.ts";
import { acct, replication } from "../detections/test-events.ts";
import { createProcessor } from "./processor.ts";
import { createSensor, createTenant, publishSigned, reissue, waitFor } from "./test-harness.ts";

let store: RelationalStore;
let dir: string;
beforeAll(async () => {
  store = await openRelationalStore();
  dir = mkdtempSync(join(tmpdir(), "vigil-poison-"));
});
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const errorOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error("expected a throw");
};

it("dead-letters each kind of bad input with its reason and processes the good events around it", async () => {
  const bus = createMemoryBus();
  const graph = createMemoryGraph();
  const a = uniqueTenantId("victim");
  const b = uniqueTenantId("other");
  await createTenant(store, a);
  await createTenant(store, b);
  const sensor = await createSensor(store, a);
  const revoked = await createSensor(store, a, "dc02", new Date("2024-02-01T00:00:00.000Z"));
  const foreign = await createSensor(store, b);
  const processor = createProcessor({
    bus,
    store,
    graph,
    consumerName: "processor",
    snapshotFile: join(dir, "p.snapshot.json"),
    maxDeliver: 3,
    ackWaitMs: 5_000,
    snapshotIntervalMs: 50,
    log: () => {},
  });
  await processor.start();
  try {
    let n = 0;
    const good = () => reissue(replication(acct(`user${++n}`, 2000 + n), { t: n * 1000 }), { tenantId: a, sensorId: sensor.id });
    const subject = eventSubject(a, "replication");
    const event = good();
    const invalid = { ...event, time: "yesterday" };
    const expected: string[] = [];
    const publishGood = () => publishSigned(bus, sensor, good());

    await publishGood();
    await publishSigned(bus, sensor, event, { payload: "{not json", msgId: "bad-json" });
    expected.push(`undecodable payload: ${errorOf(() => JSON.parse("{not json"))}`);
    await publishGood();
    await publishSigned(bus, sensor, event, { payload: JSON.stringify(invalid), msgId: "bad-schema" });
    expected.push(errorOf(() => parseEvent(invalid)));
    await publishGood();
    const otherTenant = reissue(event, { tenantId: b });
    await publishSigned(bus, sensor, otherTenant);
    expected.push(`subject tenant ${a} does not match event tenantId ${b}`);
    await publishGood();
    // Tenant B's sensor, with its own valid key, signing onto tenant A's subject.
    await publishSigned(bus, foreign, reissue(event, { sensorId: foreign.id }), { subject });
    expected.push(`sensor ${foreign.id} is not registered in tenant ${a}`);
    await publishGood();
    await publishSigned(bus, sensor, reissue(event, { sensorId: "ghost" }), { sensorHeader: "ghost" });
    expected.push(`sensor ghost is not registered in tenant ${a}`);
    await publishGood();
    await publishSigned(bus, revoked, reissue(event, { sensorId: revoked.id }));
    expected.push(`sensor ${revoked.id} of tenant ${a} was revoked at 2024-02-01T00:00:00.000Z`);
    await publishGood();
    await publishSigned(bus, sensor, event, { signWith: foreign.keyHash, msgId: "forged" });
    expected.push(`bad signature: event not signed by sensor ${sensor.id}'s key for subject ${subject} and msg id forged`);
    // A valid signature over a different payload than the one sent is just as bad.
    await publishSigned(bus, sensor, event, { msgId: "tampered", signature: "00".repeat(32) });
    expected.push(`bad signature: event not signed by sensor ${sensor.id}'s key for subject ${subject} and msg id tampered`);
    await publishSigned(bus, sensor, reissue(event, { sensorId: "dc01" }), { msgId: "header-mismatch" });
    expected.push(`Vigil-Sensor header ${sensor.id} does not match event sensorId dc01`);
    await publishGood();

    await waitFor("every message settled", () => processor.stats().received === 8 + expected.length && processor.stats().acked === 8);
    const letters = await bus.readDeadLetters({ subject: tenantEventsFilter(a) });
    expect(letters.map((l) => l.reason)).toEqual(expected);
    expect(letters.every((l) => l.consumer === "processor" && l.deliveryCount === 1)).toBe(true);
    expect(processor.stats()).toMatchObject({ deadLettered: expected.length, processed: 8, acked: 8, retried: 0 });
    const alerts = await store.forTenant(a).alert.findMany();
    expect(alerts.map((r) => r.detectionId)).toEqual(Array(8).fill("dcsync"));
    expect(await store.forTenant(b).alert.count()).toBe(0);
  } finally {
    await processor.stop();
    await bus.close();
  }
});
