// The posture runner against the embedded relational store (PGlite) with a clock the test moves:
// snapshots in, rows out; statusSince kept or moved; the daily rerun; a restart keeps the folded
// directory; another tenant's rows stay untouched.
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openRelationalStore, type RelationalStore } from "@vigil/db";
import { createMemoryGraph } from "@vigil/graph-model";
import { finalizeEvent, type VigilEvent } from "@vigil/sensor/contract";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { uniqueTenantId } from "../../../test-support/services.ts";
import { POSTURE_ASSESSMENTS } from "../posture/index.ts";
import { createPostureRunner, type PostureRunnerOptions } from "./posture-runner.ts";
import { createTenant } from "./test-harness.ts";

const T0 = Date.parse("2026-11-25T12:00:00.000Z");
const DAY = 86_400_000;
const ASREP = "unsecure-account-attributes";
let record = 0;

/** An entity.snapshot of user carol; `asrep` sets DONT_REQ_PREAUTH. */
function carol(tenantId: string, timeMs: number, asrep: boolean): VigilEvent {
  const sid = "S-1-5-21-1-2-3-1105";
  return finalizeEvent({
    tenantId,
    sensorId: "ldap01",
    time: new Date(timeMs).toISOString(),
    kind: "entity.snapshot",
    entity: {
      objectType: "user",
      objectId: sid,
      dn: "CN=carol,CN=Users,DC=acme,DC=local",
      name: "carol",
      attributes: { objectSid: sid, sAMAccountName: "carol", userAccountControl: asrep ? 0x400200 : 0x200 },
      deleted: false,
    },
    origin: { format: "ldap", recordId: String(++record) },
  });
}

/** A simple LDAP bind seen on the wire: any non-snapshot event of the tenant moves its event time. */
const bind = (tenantId: string, timeMs: number): VigilEvent =>
  finalizeEvent({
    tenantId,
    sensorId: "dc01",
    time: new Date(timeMs).toISOString(),
    dc: "DC01.acme.local",
    kind: "ldap.bind",
    actor: { name: "carol", domain: "ACME" },
    bindType: "simple",
    result: 0,
    origin: { format: "pcap", recordId: String(++record) },
  });

let store: RelationalStore;
beforeAll(async () => {
  store = await openRelationalStore();
});
afterAll(async () => {
  await store.close();
});

function harness(over: Partial<PostureRunnerOptions> = {}) {
  const clock = { now: T0 };
  const dir = over.dir ?? mkdtempSync(join(tmpdir(), "vigil-posture-"));
  const lines: string[] = [];
  const runner = createPostureRunner({ store, dir, quietMs: 60_000, now: () => clock.now, log: (l) => lines.push(l), ...over });
  return { clock, dir, runner, lines };
}

const rows = (tenantId: string) => store.forTenant(tenantId).postureAssessment.findMany({ orderBy: { assessmentId: "asc" } });
const scores = (tenantId: string) => store.forTenant(tenantId).postureScore.findMany({ orderBy: { evaluatedAt: "asc" } });
const row = async (tenantId: string, id: string) => (await rows(tenantId)).find((r) => r.assessmentId === id);

describe("posture runner", () => {
  it("runs when a sync pass goes quiet (event time), writes every assessment and one score, and moves statusSince only on change", async () => {
    const tenant = uniqueTenantId("posture-run");
    const other = uniqueTenantId("posture-other");
    await createTenant(store, tenant);
    await createTenant(store, other);
    const { clock, runner } = harness();
    // The other tenant has rows of its own that this tenant's runs must leave alone.
    runner.observe(carol(other, T0, false));
    await runner.run(other);
    const otherBefore = await rows(other);

    runner.observe(carol(tenant, T0 - 5_000, true));
    expect(await runner.runDue()).toEqual([]); // the pass may still be going
    expect(await rows(tenant)).toEqual([]);
    // A later event of the tenant, more than quietMs of event time after the last snapshot, ends the pass.
    runner.observe(bind(tenant, T0 + 61_000));
    const [report] = await runner.runDue();
    expect(report?.tenantId).toBe(tenant);
    const first = await rows(tenant);
    expect(first.map((r) => r.assessmentId).sort()).toEqual(POSTURE_ASSESSMENTS.map((a) => a.id).sort());
    const failed = first.find((r) => r.assessmentId === ASREP)!;
    expect(failed.status).toBe("failed");
    expect(failed.affected).toEqual([expect.objectContaining({ objectId: "S-1-5-21-1-2-3-1105", name: "carol" })]);
    expect(failed.remediation.length).toBeGreaterThan(0);
    expect(failed.statusSince.getTime()).toBe(T0);
    expect(first.find((r) => r.assessmentId === "weak-cipher-usage")?.note).toMatch(/traffic/);
    expect(await scores(tenant)).toHaveLength(1);
    expect(await runner.runDue()).toEqual([]); // nothing new: no second run

    // Same status an hour later: statusSince stays, evaluatedAt moves.
    clock.now = T0 + 3_600_000;
    runner.observe(carol(tenant, T0 + 120_000, true));
    clock.now += 60_000; // quiet in wall time too (no other traffic)
    expect(await runner.runDue()).toHaveLength(1);
    const same = (await row(tenant, ASREP))!;
    expect(same.statusSince.getTime()).toBe(T0);
    expect(same.evaluatedAt.getTime()).toBe(clock.now);

    // The flag is cleared: the status changes and statusSince moves to this run.
    runner.observe(carol(tenant, T0 + 180_000, false));
    clock.now += 60_000;
    expect(await runner.runDue()).toHaveLength(1);
    const cleared = (await row(tenant, ASREP))!;
    expect(cleared.status).toBe("passed");
    expect(cleared.affected).toEqual([]);
    expect(cleared.statusSince.getTime()).toBe(clock.now);
    expect(await scores(tenant)).toHaveLength(3);
    expect(await rows(other)).toEqual(otherBefore);
  });

  it("reruns every tenant daily without a sync, and a restart keeps the folded directory", async () => {
    const tenant = uniqueTenantId("posture-daily");
    await createTenant(store, tenant);
    const a = harness();
    a.runner.observe(carol(tenant, T0, true));
    await a.runner.run(tenant);
    await a.runner.stop();
    expect(readdirSync(a.dir)).toEqual([`posture-${encodeURIComponent(tenant)}.json`]);
    // A damaged file of some other tenant costs only that tenant.
    writeFileSync(join(a.dir, "posture-broken.json"), "{not json");

    const b = harness({ dir: a.dir });
    b.clock.now = a.clock.now;
    await b.runner.start();
    try {
      expect(b.runner.snapshot(tenant)?.objects.get("S-1-5-21-1-2-3-1105")?.name).toBe("carol");
      expect(b.lines.join("\n")).toMatch(/posture-broken\.json is unreadable/);
      b.clock.now = T0 + DAY - 1;
      expect(await b.runner.runDue()).toEqual([]);
      b.clock.now = T0 + DAY;
      const [report] = await b.runner.runDue();
      expect(report?.assessments.find((r) => r.id === ASREP)?.status).toBe("failed");
      expect((await row(tenant, ASREP))?.evaluatedAt.getTime()).toBe(T0 + DAY);
      expect((await row(tenant, ASREP))?.statusSince.getTime()).toBe(T0);
      expect(await scores(tenant)).toHaveLength(2);
    } finally {
      await b.runner.stop();
    }
  });

  it("saves folded traffic between runs, at most every saveEveryMs", async () => {
    const tenant = uniqueTenantId("posture-save");
    const { clock, dir, runner } = harness({ saveEveryMs: 60_000 });
    runner.observe(bind(tenant, T0));
    expect(await runner.runDue()).toEqual([]);
    expect(readdirSync(dir)).toEqual([]);
    clock.now += 60_000;
    expect(await runner.runDue()).toEqual([]); // no sync ended and no day passed: nothing assessed, but saved
    expect(readdirSync(dir)).toEqual([`posture-${encodeURIComponent(tenant)}.json`]);
  });

  it("reads LMP exposure from the graph once precomputed, and says unknown without a graph or before the precompute", async () => {
    const tenant = uniqueTenantId("posture-lmp");
    await createTenant(store, tenant);
    const lmpOf = (r: { assessments: { id: string; status: string; affected: { objectId: string }[] }[] }) =>
      r.assessments.find((a) => a.id === "riskiest-lateral-movement-paths");
    const bare = harness();
    bare.runner.observe(carol(tenant, T0, false));
    expect(lmpOf(await bare.runner.run(tenant))?.status).toBe("unknown");

    // carol is a Domain Admin with a session on WS01, where three ordinary users are local admins.
    const graph = createMemoryGraph();
    const carolSid = "S-1-5-21-1-2-3-1105";
    const at = new Date(T0);
    await graph.upsertNodes(tenant, [
      { kind: "User", objectId: carolSid, name: "carol" },
      { kind: "Group", objectId: "S-1-5-21-1-2-3-512", name: "Domain Admins" },
      { kind: "Computer", objectId: "COMPUTER:WS01", name: "WS01" },
      ...[1, 2, 3].map((n) => ({ kind: "User" as const, objectId: `S-1-5-21-1-2-3-${2000 + n}`, name: `u${n}` })),
    ]);
    await graph.upsertEdges(tenant, [
      { kind: "MEMBER_OF", from: carolSid, to: "S-1-5-21-1-2-3-512", source: "ldap", lastSeen: at },
      { kind: "HAS_SESSION", from: "COMPUTER:WS01", to: carolSid, source: "event:4624", lastSeen: at },
      ...[1, 2, 3].map((n) => ({
        kind: "ADMIN_TO" as const,
        from: `S-1-5-21-1-2-3-${2000 + n}`,
        to: "COMPUTER:WS01",
        source: "ldap",
        lastSeen: at,
      })),
    ]);
    const withGraph = harness({ graph });
    withGraph.runner.observe(carol(tenant, T0, false));
    try {
      expect(lmpOf(await withGraph.runner.run(tenant))?.status).toBe("unknown"); // not precomputed yet
      await graph.precomputeLateralMovement(tenant, { asOf: at });
      const lmp = lmpOf(await withGraph.runner.run(tenant));
      expect(lmp?.status).toBe("failed");
      expect(lmp?.affected.map((a) => a.objectId)).toEqual([carolSid]);
    } finally {
      await graph.close();
    }
  });
});
