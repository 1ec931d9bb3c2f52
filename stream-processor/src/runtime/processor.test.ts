// The processor on the embedded adapters (PGlite, in-process bus, graphology): the happy path,
// aggregation, and the graph edges events write.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { openRelationalStore, type RelationalStore } from "@vigil/db";
import { createMemoryGraph, type MemoryIdentityGraph } from "@vigil/graph-model";
import { createMemoryBus, type MemoryEventBus } from "@vigil/sensor/bus";
import { uniqueTenantId } from "../../../test-support/services.ts";
import { acct, group, kdcEvent, membership, replication, success, DOMAIN_SID } from "../detections/test-events.ts";
import { createProcessor, type Processor } from "./processor.ts";
import { createSensor, createTenant, listenAlerts, publishSigned, reissue, waitFor, type TestSensor } from "./test-harness.ts";

let store: RelationalStore;
let dir: string;
beforeAll(async () => {
  store = await openRelationalStore();
  dir = mkdtempSync(join(tmpdir(), "vigil-processor-"));
});
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

let bus: MemoryEventBus;
let graph: MemoryIdentityGraph;
let processor: Processor | undefined;
let tenant: string;
let sensor: TestSensor;
const lines: string[] = [];

async function setup(o: { beforeStart?: () => Promise<void>; contextRefreshMs?: number } = {}): Promise<Processor> {
  bus = createMemoryBus();
  graph = createMemoryGraph();
  tenant = uniqueTenantId("proc");
  await createTenant(store, tenant);
  sensor = await createSensor(store, tenant);
  await o.beforeStart?.();
  processor = createProcessor({
    bus,
    store,
    graph,
    consumerName: "processor",
    snapshotFile: join(dir, `${tenant}.snapshot.json`),
    maxDeliver: 5,
    ackWaitMs: 5_000,
    snapshotIntervalMs: 50,
    retryBaseMs: 20,
    ...(o.contextRefreshMs ? { contextRefreshMs: o.contextRefreshMs } : {}),
    log: (l) => lines.push(l),
  });
  await processor.start();
  return processor;
}

afterEach(async () => {
  await processor?.stop();
  processor = undefined;
  await bus.close();
  await graph.close();
});

/** An event of this test's tenant from its sensor. */
const mine = <E extends Parameters<typeof reissue>[0]>(e: E) => reissue(e, { tenantId: tenant, sensorId: sensor.id });
const mallory = acct("mallory", 1105);

describe("stream processor", () => {
  it("turns a DCSync replication event from a registered sensor into one stored, announced and acked alert", async () => {
    const p = await setup();
    const alerts = await listenAlerts(bus, tenant);
    const event = mine(replication(mallory, { ip: "10.0.0.66" }));
    await publishSigned(bus, sensor, event);

    await waitFor("the ack", () => p.stats().acked === 1);
    const rows = await store.forTenant(tenant).alert.findMany({ include: { evidence: true } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ tenantId: tenant, detectionId: "dcsync", severity: "high", count: 1, status: "open" });
    expect(rows[0]!.primaryEntity).toBe(`account:${DOMAIN_SID}-1105`);
    expect(rows[0]!.evidence.map((e) => [e.eventId, e.time.toISOString()])).toEqual([[event.id, event.time]]);
    expect(rows[0]!.evidence[0]!.summary).toMatchObject({ kind: "replication", id: event.id });
    await waitFor("the announcement", () => alerts.items.length === 1);
    expect(alerts.items[0]).toMatchObject({ type: "created", alert: { id: rows[0]!.id, tenantId: tenant, count: 1 } });
    // Acked by every durable → trimmed from the in-process stream.
    expect(bus.stats().events).toBe(0);
    expect(p.stats()).toMatchObject({ processed: 1, alertsCreated: 1, announced: 1, deadLettered: 0, pendingAcks: 0 });
    alerts.stop();
  });

  it("aggregates repeated hits on one account into one alert: created once, then updated", async () => {
    const p = await setup();
    const alerts = await listenAlerts(bus, tenant);
    const events = [0, 60_000, 120_000].map((t) => mine(replication(mallory, { t, ip: "10.0.0.66" })));
    for (const e of events) await publishSigned(bus, sensor, e);

    await waitFor("three acks", () => p.stats().acked === 3);
    const rows = await store.forTenant(tenant).alert.findMany({ include: { evidence: true } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ count: 3, firstSeen: new Date(events[0]!.time), lastSeen: new Date(events[2]!.time) });
    expect(rows[0]!.evidence.map((e) => e.eventId).sort()).toEqual(events.map((e) => e.id).sort());
    await waitFor("three announcements", () => alerts.items.length === 3);
    expect(alerts.items.map((a) => [a.type, a.alert.count])).toEqual([
      ["created", 1],
      ["updated", 2],
      ["updated", 3],
    ]);
    alerts.stop();
  });

  it("writes sessions (source computer → account) and memberships (member → group) to the graph", async () => {
    const p = await setup();
    const events = [
      mine(success("logon", "alice", { host: "WS01.acme.local", ip: "10.0.0.21" })),
      mine(kdcEvent("DC01", { host: "WS02" })), // alice asks DC01 for a service ticket from WS02
      mine(success("logon", "WS03$", { host: "WS03" })), // a machine account: no session
      mine(membership(acct("admin", 500), acct("bob", 1107), group("Helpdesk", `${DOMAIN_SID}-1200`))),
    ];
    for (const e of events) await publishSigned(bus, sensor, e);
    await waitFor("four acks", () => p.stats().acked === 4);

    const sessionsOfAlice = await graph.neighbours(tenant, "USER:ACME\\ALICE", { edgeKinds: ["HAS_SESSION"], direction: "in" });
    expect(sessionsOfAlice.map((n) => [n.node.objectId, n.edge.source, n.edge.lastSeen.toISOString()])).toEqual([
      ["COMPUTER:WS01", "event:4624", events[0]!.time],
      ["COMPUTER:WS02", "event:4769", events[1]!.time],
    ]);
    expect(await graph.getNode(tenant, "COMPUTER:WS01")).toMatchObject({ kind: "Computer", name: "WS01" });
    expect(await graph.getNode(tenant, "USER:ACME\\ALICE")).toMatchObject({ kind: "User", name: "alice", domain: "ACME" });
    const groups = await graph.neighbours(tenant, `${DOMAIN_SID}-1107`, { edgeKinds: ["MEMBER_OF"], direction: "out" });
    expect(groups.map((n) => [n.node.kind, n.node.objectId, n.node.name])).toEqual([["Group", `${DOMAIN_SID}-1200`, "Helpdesk"]]);
    expect((await graph.counts(tenant)).edges).toEqual({ MEMBER_OF: 1, HAS_SESSION: 2, ADMIN_TO: 0 });
  });

  it("retries a transient graph failure with nak and back-off, without announcing twice", async () => {
    const p = await setup();
    const alerts = await listenAlerts(bus, tenant);
    const real = graph.upsertNodes.bind(graph);
    let failures = 2;
    // Fault injection on the real embedded adapter: the first writes fail as an unreachable Neo4j would.
    graph.upsertNodes = async (t, nodes) => {
      if (failures-- > 0) throw Object.assign(new Error("Neo4j at 127.0.0.1:7687 is unreachable"), { code: "GRAPH_UNREACHABLE" });
      return real(t, nodes);
    };
    const add = mine(membership(acct("admin", 500), acct("bob", 1107), group("Domain Admins", `${DOMAIN_SID}-512`)));
    await publishSigned(bus, sensor, add);

    await waitFor("the ack after two retries", () => p.stats().acked === 1, 15_000);
    expect(p.stats()).toMatchObject({ retried: 2, processed: 1, alertsCreated: 1, outbox: 0 });
    expect((await graph.counts(tenant)).edges.MEMBER_OF).toBe(1);
    expect(await store.forTenant(tenant).alert.count()).toBe(1);
    await new Promise((r) => setTimeout(r, 50));
    expect(alerts.items.map((a) => a.type)).toEqual(["created"]);
    expect(lines.some((l) => l.includes("identity graph: Neo4j at 127.0.0.1:7687 is unreachable"))).toBe(true);
    alerts.stop();
  });

  it("seeds each tenant's context from its entity tags at start and picks up new tags on refresh", async () => {
    const tag = (entityKey: string, tag: "excluded" | "honeytoken", detectionId: string | null) =>
      store.forTenant(tenant).entityTag.create({ data: { tenantId: tenant, entityKey, tag, detectionId, createdBy: "test" } });
    const p = await setup({
      beforeStart: async () => void (await tag(`user:${DOMAIN_SID}-1105`, "excluded", "dcsync")),
      contextRefreshMs: 50,
    });
    await publishSigned(bus, sensor, mine(replication(mallory, { ip: "10.0.0.66" })));
    await waitFor("the first ack", () => p.stats().acked === 1);
    expect(await store.forTenant(tenant).alert.count()).toBe(0);

    await tag("eve", "excluded", null);
    await new Promise((r) => setTimeout(r, 200));
    await publishSigned(bus, sensor, mine(replication(acct("eve", 1106), { t: 1000, ip: "10.0.0.67" })));
    await publishSigned(bus, sensor, mine(replication(acct("trent", 1108), { t: 2000, ip: "10.0.0.68" })));
    await waitFor("three acks", () => p.stats().acked === 3);
    const rows = await store.forTenant(tenant).alert.findMany();
    expect(rows.map((r) => r.primaryEntity)).toEqual([`account:${DOMAIN_SID}-1108`]);
  });

  it("takes server roles tagged through the store: replication by a DC tagged before its first event is quiet", async () => {
    const p = await setup({
      beforeStart: async () =>
        void (await store
          .forTenant(tenant)
          .entityTag.create({ data: { tenantId: tenant, entityKey: "host:dc07", tag: "dc", detectionId: null, createdBy: "test" } })),
    });
    await publishSigned(bus, sensor, mine(replication(acct("DC07$", 1300), { ip: "10.0.0.7" })));
    await publishSigned(bus, sensor, mine(replication(acct("SRV09$", 1301), { t: 1000, ip: "10.0.0.9" })));
    await waitFor("two acks", () => p.stats().acked === 2);
    const rows = await store.forTenant(tenant).alert.findMany();
    expect(rows.map((r) => [r.detectionId, r.primaryEntity])).toEqual([["dcsync", `account:${DOMAIN_SID}-1301`]]);
  });
});
