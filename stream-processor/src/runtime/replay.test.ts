// Idempotence (STYLE.md convention 12): the same events delivered twice, into a processor that saw
// them and into one that did not, and a processor that dies between commit and snapshot, all end in
// the alerts, evidence and graph of one clean run, and no alert is announced as created twice.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openRelationalStore, type RelationalStore } from "@vigil/db";
import { createMemoryGraph, type IdentityGraph } from "@vigil/graph-model";
import { createMemoryBus, type BusMessage, type ConsumerHandle, type EventBus } from "@vigil/sensor/bus";
import type { VigilEvent } from "@vigil/sensor/contract";
import { uniqueTenantId } from "../../../test-support/services.ts";
import { createProcessor, type ProcessorOptions } from "./processor.ts";
import {
  createSensor,
  createTenant,
  createdCounts,
  expectedAlerts,
  listenAlerts,
  publishSigned,
  scenario,
  storedAlerts,
  waitFor,
  type TestSensor,
} from "./test-harness.ts";

let store: RelationalStore;
let dir: string;
beforeAll(async () => {
  store = await openRelationalStore();
  dir = mkdtempSync(join(tmpdir(), "vigil-replay-"));
});
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function graphState(graph: IdentityGraph, tenantId: string) {
  const counts = await graph.counts(tenantId);
  const ws1 = await graph.neighbours(tenantId, "COMPUTER:WS1");
  return { counts, ws1: ws1.map((n) => [n.edge.kind, n.node.objectId, n.edge.firstSeen.toISOString(), n.edge.lastSeen.toISOString()]) };
}

async function fixture(label: string) {
  const tenantId = uniqueTenantId(label);
  await createTenant(store, tenantId);
  const sensor = await createSensor(store, tenantId);
  return { tenantId, sensor, events: scenario(tenantId, sensor.id) };
}

function options(bus: EventBus, graph: IdentityGraph, snapshotFile: string, over: Partial<ProcessorOptions> = {}): ProcessorOptions {
  return {
    bus,
    store,
    graph,
    consumerName: "processor",
    snapshotFile,
    maxDeliver: 5,
    ackWaitMs: 5_000,
    snapshotIntervalMs: 50,
    log: () => {},
    ...over,
  };
}

const publishAll = async (bus: EventBus, sensor: TestSensor, events: VigilEvent[], msgIdPrefix = "") => {
  for (const e of events) await publishSigned(bus, sensor, e, { msgId: `${msgIdPrefix}${e.id}` });
};

describe("replaying events", () => {
  it("twice through one processor (new msg ids, same event ids) changes nothing and announces nothing new", async () => {
    const { tenantId, sensor, events } = await fixture("replay");
    const bus = createMemoryBus();
    const graph = createMemoryGraph();
    const alerts = await listenAlerts(bus, tenantId);
    const p = createProcessor(options(bus, graph, join(dir, `${tenantId}.json`)));
    await p.start();
    try {
      await publishAll(bus, sensor, events);
      await waitFor("the first pass", () => p.stats().acked === events.length);
      const first = {
        alerts: await storedAlerts(store, tenantId),
        graph: await graphState(graph, tenantId),
        announced: alerts.items.length,
      };
      expect(first.alerts).toEqual(expectedAlerts(events));
      expect(first.graph.counts.edges).toMatchObject({ HAS_SESSION: expect.any(Number), MEMBER_OF: 3 });

      await publishAll(bus, sensor, events, "again-");
      await waitFor("the replay", () => p.stats().acked === 2 * events.length);
      expect(await storedAlerts(store, tenantId)).toEqual(first.alerts);
      expect(await graphState(graph, tenantId)).toEqual(first.graph);
      expect(alerts.items).toHaveLength(first.announced);
      expect([...createdCounts(alerts.items).values()]).toEqual([1, 1, 1]);
    } finally {
      await p.stop();
      alerts.stop();
      await bus.close();
    }
  });

  it("into a fresh processor with no state: the store and graph stay as they were, nothing is announced", async () => {
    const { tenantId, sensor, events } = await fixture("fresh");
    const graph = createMemoryGraph();
    const run = async (bus: EventBus, file: string) => {
      const p = createProcessor(options(bus, graph, file));
      await p.start();
      await publishAll(bus, sensor, events);
      await waitFor("a pass", () => p.stats().acked === events.length);
      await p.stop();
    };
    await run(createMemoryBus(), join(dir, `${tenantId}-1.json`));
    const before = { alerts: await storedAlerts(store, tenantId), graph: await graphState(graph, tenantId) };

    const bus = createMemoryBus();
    const alerts = await listenAlerts(bus, tenantId);
    await run(bus, join(dir, `${tenantId}-2.json`));
    expect(await storedAlerts(store, tenantId)).toEqual(before.alerts);
    expect(await graphState(graph, tenantId)).toEqual(before.graph);
    expect(alerts.items).toEqual([]);
    alerts.stop();
  });
});

/** A bus whose consumers can be killed: they stop at once, and nothing they settle afterwards counts. */
function killable(bus: EventBus) {
  let dead = false;
  const handles: ConsumerHandle[] = [];
  const settleGuard = (m: BusMessage): BusMessage => ({
    ...m,
    ack: () => (dead ? Promise.resolve() : m.ack()),
    nak: (d, r) => (dead ? Promise.resolve() : m.nak(d, r)),
    term: (r) => (dead ? Promise.resolve() : m.term(r)),
    working: () => (dead ? undefined : m.working()),
  });
  const wrapped: EventBus = {
    publish: (s, p, o) => bus.publish(s, p, o),
    subscribe: (s) => bus.subscribe(s),
    readDeadLetters: (f) => bus.readDeadLetters(f),
    health: () => bus.health(),
    close: async () => {},
    consume: async (o) => {
      const h = await bus.consume({ ...o, handler: (m) => (dead ? undefined : o.handler(settleGuard(m))) });
      handles.push(h);
      return h;
    },
  };
  return { bus: wrapped, kill: async () => ((dead = true), await Promise.all(handles.map((h) => h.stop()))) };
}

it("a processor killed with committed but un-snapshotted events is replaced without loss or duplicates", async () => {
  const { tenantId, sensor, events } = await fixture("restart");
  const bus = createMemoryBus();
  const graph = createMemoryGraph();
  const file = join(dir, `${tenantId}.json`);
  const alerts = await listenAlerts(bus, tenantId);
  const doomed = killable(bus);
  // One snapshot after 20 committed events, none by time: the kill strands the 4 after it.
  const first = createProcessor(
    options(doomed.bus, graph, file, {
      ackWaitMs: 1_500,
      snapshotEveryEvents: 20,
      snapshotIntervalMs: 3_600_000,
      contextRefreshMs: 3_600_000,
    }),
  );
  await first.start();
  await publishAll(bus, sensor, events.slice(0, 24));
  await waitFor("the first processor to commit 24 events", () => {
    const s = first.stats();
    return s.engine.seenEvents === 24 && s.snapshots === 1 && s.acked === 20 && s.pendingAcks >= 4;
  });
  await doomed.kill();
  await publishAll(bus, sensor, events.slice(24));

  const second = createProcessor(options(bus, graph, file, { ackWaitMs: 300 }));
  await second.start();
  try {
    await waitFor("every event acked", () => bus.stats().events === 0);
    // The 4 stranded events come back into the snapshot's older state and run again, with the 16 new ones.
    expect(second.stats().processed).toBeGreaterThanOrEqual(20);
    expect(second.stats().engine.seenEvents).toBe(40);
    expect(await storedAlerts(store, tenantId)).toEqual(expectedAlerts(events));
    const created = createdCounts(alerts.items);
    expect(created.size).toBe(3);
    expect([...created.values()].every((n) => n === 1)).toBe(true);
  } finally {
    await second.stop();
    alerts.stop();
    await bus.close();
  }
});
