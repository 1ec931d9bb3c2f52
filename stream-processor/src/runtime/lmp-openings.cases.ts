/**
 * lateral-movement-path-opened from the identity graph, end to end through a running processor, against
 * one graph adapter (embedded in the unit tier, Neo4j in the integration tier). Drawn graph, written
 * as a SharpHound import and an LDAP sync would (SID nodes, WS01 claiming its host name):
 *
 *   alice ─ADMIN_TO (sharphound)→ WS01 (S-…-2001, alias COMPUTER:WS01)     dadmin ─MEMBER_OF→ Domain Admins (RID 512)
 *
 * Then a sensor forwards dadmin's RDP logon recorded by WS01.acme.local: the processor writes the
 * session under the host name, graph-model lands it on the SID node, and alice now reaches dadmin.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openRelationalStore, type RelationalStore } from "@vigil/db";
import type { IdentityGraph } from "@vigil/graph-model";
import { createMemoryBus, type EventBus } from "@vigil/sensor/bus";
import { finalizeEvent, type EventDraft, type VigilEvent } from "@vigil/sensor/contract";
import { uniqueTenantId } from "../../../test-support/services.ts";
import { createProcessor, type Processor } from "./processor.ts";
import { createSensor, createTenant, publishSigned, waitFor, type TestSensor } from "./test-harness.ts";

const D = "S-1-5-21-61-62-63";
const G = { alice: `${D}-1101`, dadmin: `${D}-1109`, ws01: `${D}-2001`, ws02: `${D}-2002`, domainAdmins: `${D}-512` } as const;
const T0 = Date.parse("2026-11-25T12:00:00Z");
let record = 0;

/** The imported graph; `adminOf` is the computer alice administers (WS02 makes the near miss). */
async function seed(graph: IdentityGraph, tenantId: string, adminOf: string): Promise<void> {
  await graph.upsertNodes(tenantId, [
    { kind: "User", objectId: G.alice, name: "alice", domain: "ACME" },
    { kind: "User", objectId: G.dadmin, name: "dadmin", domain: "ACME" },
    { kind: "Group", objectId: G.domainAdmins, name: "Domain Admins", domain: "ACME" },
    { kind: "Computer", objectId: G.ws01, name: "WS01", domain: "ACME", aliases: ["COMPUTER:WS01"] },
    { kind: "Computer", objectId: G.ws02, name: "WS02", domain: "ACME", aliases: ["COMPUTER:WS02"] },
  ]);
  const lastSeen = new Date(T0 - 3_600_000);
  const { skipped } = await graph.upsertEdges(tenantId, [
    { kind: "MEMBER_OF", from: G.dadmin, to: G.domainAdmins, source: "ldap", lastSeen },
    { kind: "ADMIN_TO", from: G.alice, to: adminOf, source: "sharphound", lastSeen },
  ]);
  expect(skipped).toEqual([]);
  await graph.precomputeLateralMovement(tenantId, { asOf: new Date(T0) });
}

/** dadmin's RDP logon as WS01 records it. */
function rdpLogon(tenantId: string, sensorId: string, minutes: number): VigilEvent {
  return finalizeEvent({
    tenantId,
    sensorId,
    time: new Date(T0 + minutes * 60_000).toISOString(),
    kind: "logon",
    actor: { name: "dadmin", domain: "ACME", sid: G.dadmin },
    success: true,
    logonType: 10,
    origin: { format: "evtx", recordId: String(++record), eventId: 4624, channel: "Security", computer: "WS01.acme.local" },
  } as EventDraft);
}

/** Registers the suite for one graph adapter. */
export function lmpOpeningCases(name: string, factory: () => IdentityGraph | Promise<IdentityGraph>): void {
  describe(`lateral-movement-path-opened from the graph (${name})`, () => {
    let graph: IdentityGraph;
    let store: RelationalStore;
    let bus: EventBus;
    let processor: Processor;
    let dir: string;
    const lmpAlerts = async (tenantId: string) =>
      (await store.forTenant(tenantId).alert.findMany()).filter((a) => a.detectionId === "lateral-movement-path-opened");

    beforeAll(async () => {
      graph = await factory();
      await graph.ensureSchema();
      store = await openRelationalStore();
      bus = createMemoryBus();
      dir = mkdtempSync(join(tmpdir(), "vigil-lmp-open-"));
      processor = createProcessor({
        bus,
        store,
        graph,
        consumerName: "processor",
        snapshotFile: join(dir, "snapshot.json"),
        maxDeliver: 5,
        ackWaitMs: 5_000,
        snapshotIntervalMs: 50,
        posture: false,
        log: () => {},
      });
      await processor.start();
    });
    afterAll(async () => {
      await processor?.stop();
      await bus?.close();
      await graph?.close();
      await store?.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    /**
     * Publishes and waits until the processor acked the event, i.e. its graph write, the precompute
     * after it and the openings journal are all done. Waiting for the edge alone is not enough: a
     * write made by the test in between would race the processor's recompute and journal the
     * opening twice, once per write.
     */
    async function publishAndSettle(sensor: TestSensor, event: VigilEvent): Promise<void> {
      const acked = processor.stats().acked;
      await publishSigned(bus, sensor, event);
      await waitFor("the processor acked the event", () => processor.stats().acked > acked);
    }

    async function tenantWithSensor(prefix: string, adminOf: string): Promise<{ tenantId: string; sensor: TestSensor }> {
      const tenantId = uniqueTenantId(prefix);
      await createTenant(store, tenantId);
      const sensor = await createSensor(store, tenantId, "ws01");
      await seed(graph, tenantId, adminOf);
      return { tenantId, sensor };
    }

    it("raises one alert naming alice, the session that met her imported ADMIN_TO on WS01, and the path", async () => {
      const { tenantId, sensor } = await tenantWithSensor("lmp-open", G.ws01);
      const logon = rdpLogon(tenantId, sensor.id, 0);
      await publishSigned(bus, sensor, logon);
      await waitFor("the path-opened alert", async () => (await lmpAlerts(tenantId)).length > 0);
      await waitFor("the journal acknowledged", async () => (await graph.lmpOpenings(tenantId)).length === 0);
      const [alert, ...more] = await lmpAlerts(tenantId);
      expect(more).toEqual([]);
      expect(alert!.primaryEntity).toBe("account:dadmin");
      expect(alert!.description).toContain("ACME\\alice can now take over sensitive account ACME\\dadmin");
      expect(alert!.description).toContain("ACME\\WS01 holds the credentials (session) of ACME\\dadmin (event:4624");
      expect(alert!.description).toContain("ACME\\alice -ADMIN_TO-> ACME\\WS01 -HAS_SESSION-> ACME\\dadmin");
      expect(alert!.description).toContain("0 before, 2 now"); // WS01 itself counts in exposure, never as a new source
      const evidence = await store.forTenant(tenantId).alertEvidence.findMany({ where: { alertId: alert!.id } });
      expect(evidence.map((e) => e.eventId)).toEqual([logon.id]);
      const entities = alert!.entities as { role: string; id: string; lmpExposure?: unknown }[];
      expect(entities.map((e) => [e.role, e.id])).toEqual([
        ["target", G.dadmin],
        ["member", G.alice],
        ["source", "acme\\ws01"],
      ]);
      // The same session seen again opens nothing new: still one alert, counted once.
      await publishSigned(bus, sensor, rdpLogon(tenantId, sensor.id, 5));
      await new Promise((r) => setTimeout(r, 300));
      expect((await lmpAlerts(tenantId)).map((a) => a.count)).toEqual([1]);
    });

    it("raises the opening of an import written straight into the graph on the tenant's next graph write", async () => {
      const { tenantId, sensor } = await tenantWithSensor("lmp-import", G.ws02);
      await publishAndSettle(sensor, rdpLogon(tenantId, sensor.id, 0));
      expect(await graph.neighbours(tenantId, G.ws01, { direction: "out" })).toHaveLength(1);
      // What `vigil import sharphound` does: the loader's upsertEdges, no processor involved.
      await graph.upsertEdges(tenantId, [
        { kind: "ADMIN_TO", from: G.alice, to: G.ws01, source: "sharphound", lastSeen: new Date(T0 + 60_000) },
      ]);
      expect(await graph.lmpOpenings(tenantId)).toHaveLength(1);
      expect(await lmpAlerts(tenantId)).toEqual([]);
      await publishSigned(bus, sensor, rdpLogon(tenantId, sensor.id, 10));
      await waitFor("the path-opened alert", async () => (await lmpAlerts(tenantId)).length > 0);
      const [alert] = await lmpAlerts(tenantId);
      expect(alert!.description).toContain("ACME\\alice is local admin of ACME\\WS01 (sharphound");
      expect(alert!.description).toContain("1 before, 2 now");
      expect(await store.forTenant(tenantId).alertEvidence.findMany({ where: { alertId: alert!.id } })).toEqual([]);
      await waitFor("the journal acknowledged", async () => (await graph.lmpOpenings(tenantId)).length === 0);
    });

    it("raises nothing when the session lands on a machine no non-sensitive account administers (near miss)", async () => {
      const { tenantId, sensor } = await tenantWithSensor("lmp-near", G.ws02);
      await publishAndSettle(sensor, rdpLogon(tenantId, sensor.id, 0));
      expect(await graph.neighbours(tenantId, G.ws01, { direction: "out" })).toHaveLength(1);
      expect(await lmpAlerts(tenantId)).toEqual([]);
      expect(await graph.lmpOpenings(tenantId)).toEqual([]);
    });

    it("keeps tenants apart: tenant B's session raises B's alert and never touches A's", async () => {
      const a = await tenantWithSensor("lmp-iso-a", G.ws01);
      const b = await tenantWithSensor("lmp-iso-b", G.ws01);
      await publishSigned(bus, a.sensor, rdpLogon(a.tenantId, a.sensor.id, 0));
      await waitFor("A's alert", async () => (await lmpAlerts(a.tenantId)).length > 0);
      const before = await lmpAlerts(a.tenantId);
      await publishSigned(bus, b.sensor, rdpLogon(b.tenantId, b.sensor.id, 1));
      await waitFor("B's alert", async () => (await lmpAlerts(b.tenantId)).length > 0);
      expect(await lmpAlerts(a.tenantId)).toEqual(before);
      expect((await lmpAlerts(b.tenantId))[0]!.id).not.toBe(before[0]!.id);
    });
  });
}
