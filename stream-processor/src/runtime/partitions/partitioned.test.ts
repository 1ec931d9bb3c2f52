// Two processor instances sharing partitions on the embedded adapters (PGlite, in-process bus with the
// partition mapping, in-process partition store): leases split the partitions, a stopping instance hands
// its partitions over with their state, and every tenant ends with exactly the alerts one clean pass of
// the engine gives. Crash take-over on real processes is e2e/cluster-resilience-partitions.int.test.ts.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openRelationalStore, type RelationalStore } from "@vigil/db";
import { createMemoryGraph } from "@vigil/graph-model";
import { createMemoryBus, createMemoryPartitionStore, partitionOf, type EventBus, type PartitionStore } from "@vigil/sensor/bus";
import { uniqueTenantId } from "../../../../test-support/services.ts";
import { createProcessor, type Processor } from "../processor.ts";
import {
  createdCounts,
  createSensor,
  createTenant,
  expectedAlerts,
  listenAlerts,
  publishSigned,
  scenario,
  storedAlerts,
  waitFor,
} from "../test-harness.ts";

const P = 4;
let store: RelationalStore;
let dir: string;
beforeAll(async () => {
  store = await openRelationalStore();
  dir = mkdtempSync(join(tmpdir(), "vigil-partitioned-"));
});
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

function instance(bus: EventBus, partitions: PartitionStore, id: string, graph = createMemoryGraph(), lines: string[] = []): Processor {
  return createProcessor({
    bus,
    store,
    graph,
    consumerName: "proc",
    snapshotFile: join(dir, `${id}.snapshot.json`),
    maxDeliver: 5,
    ackWaitMs: 5_000,
    snapshotIntervalMs: 50,
    retryBaseMs: 20,
    posture: false,
    log: (l) => lines.push(`[${id}] ${l}`),
    partitions: { count: P, store: partitions, instanceId: id, heartbeatMs: 200 },
  });
}

describe("partitioned processing, two instances", () => {
  it("splits the partitions, hands them over on stop, and every tenant gets exactly its alerts", async () => {
    const bus = createMemoryBus({ partitions: P });
    // Generous: a busy test process must not stall longer than the TTL (lapses are the e2e test's subject).
    const partitions = createMemoryPartitionStore({ leaseTtlMs: 5000 });
    const graph = createMemoryGraph();
    const lines: string[] = [];
    // Tenants until every partition has one, so both instances have work.
    const tenants: string[] = [];
    while (new Set(tenants.map((t) => partitionOf(t, P))).size < P || tenants.length < P) tenants.push(uniqueTenantId("part"));
    const runs = [];
    for (const t of tenants) {
      await createTenant(store, t);
      const sensor = await createSensor(store, t);
      runs.push({ tenant: t, sensor, events: scenario(t, sensor.id, 40), heard: await listenAlerts(bus, t) });
    }
    const a = instance(bus, partitions, "inst-a", graph, lines);
    const b = instance(bus, partitions, "inst-b", graph, lines);
    await a.start();
    await b.start();
    try {
      await waitFor(
        "both instances to hold a share",
        () =>
          a.stats().partitions!.length > 0 &&
          b.stats().partitions!.length > 0 &&
          a.stats().partitions!.length + b.stats().partitions!.length === P,
        10_000,
      );
      expect(new Set([...a.stats().partitions!, ...b.stats().partitions!]).size).toBe(P);
      const half = 20;
      for (const r of runs) for (const e of r.events.slice(0, half)) await publishSigned(bus, r.sensor, e);
      await waitFor("the first half processed", () => a.stats().processed + b.stats().processed >= runs.length * half, 60_000);
      // A leaves: its partitions move to B with their detection state (the second half continues its windows).
      await a.stop();
      expect(a.stats().running).toBe(false);
      await waitFor("B to hold every partition", () => b.stats().partitions!.length === P, 10_000);
      for (const r of runs) for (const e of r.events.slice(half)) await publishSigned(bus, r.sensor, e);
      const total = runs.reduce((n, r) => n + r.events.length, 0);
      await waitFor(
        "everything processed and acked",
        () => a.stats().processed + b.stats().processed >= total && b.stats().pendingAcks === 0,
        60_000,
      );
      const comparable = (alerts: Awaited<ReturnType<typeof storedAlerts>>) =>
        alerts.map((a) => ({ ...a, evidence: [...a.evidence].sort() })).sort((x, y) => (x.id < y.id ? -1 : 1));
      for (const r of runs) {
        const want = expectedAlerts(r.events);
        expect(want.length, `tenant ${r.tenant} has alerts to compare`).toBeGreaterThan(0);
        // The last sink writes may still be landing after the last event was counted.
        await waitFor(
          `alerts of ${r.tenant}`,
          async () => JSON.stringify(comparable(await storedAlerts(store, r.tenant))) === JSON.stringify(want),
          15_000,
        ).catch(() => {});
        expect(comparable(await storedAlerts(store, r.tenant))).toEqual(want);
        await waitFor(`announcements of ${r.tenant}`, () => r.heard.items.length > 0);
        for (const [, n] of createdCounts(r.heard.items)) expect(n).toBe(1);
      }
      expect(lines.some((l) => l.startsWith("[inst-b]") && /partition \d+: restored state/.test(l))).toBe(true);
    } finally {
      if (process.env.DEBUG_PARTITIONS) console.log(lines.join("\n"), JSON.stringify(a.stats()), JSON.stringify(b.stats()));
      await a.stop();
      await b.stop();
      for (const r of runs) r.heard.stop();
      await bus.close();
    }
  }, 240_000);

  it("refuses to start without the partition mapping, or with another count, naming the fix", async () => {
    const partitions = createMemoryPartitionStore({ leaseTtlMs: 600 });
    const bare = createMemoryBus();
    await expect(instance(bare, partitions, "x").start()).rejects.toMatchObject({
      code: "PARTITION_MAPPING_MISSING",
      message: expect.stringContaining("scripts/nats/mappings.sh 4"),
    });
    const other = createMemoryBus({ partitions: 8 });
    await expect(instance(other, partitions, "y").start()).rejects.toMatchObject({
      code: "PARTITION_COUNT_MISMATCH",
      message: expect.stringContaining("maps events to 8 partitions but VIGIL_PARTITIONS is 4"),
    });
    await Promise.all([bare.close(), other.close()]);
  });
});
