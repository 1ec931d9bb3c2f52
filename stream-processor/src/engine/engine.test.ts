import type { VigilEvent } from "@vigil/sensor/contract";
import { describe, expect, it } from "vitest";
import { bruteForce } from "../detections/brute-force.ts";
import { dcsync } from "../detections/dcsync.ts";
import { allDetections } from "../detections/index.ts";
import { sensitiveGroupAddition } from "../detections/sensitive-group-addition.ts";
import { acct, DOMAIN_SID, failure, group, membership, replication, SECOND, success, times } from "../detections/test-events.ts";
import type { AlertUpdate } from "./alerts.ts";
import { addDc, addExclusion } from "./context.ts";
import { defineDetection, HOUR, MINUTE, type Detection } from "./detection.ts";
import { createEngine, type EngineOptions } from "./engine.ts";
import { DetectionFailedError } from "./errors.ts";

const mallory = acct("mallory", 1105);
const run = (events: VigilEvent[], options: Partial<EngineOptions> = {}) => {
  const engine = createEngine({ detections: allDetections, ...options });
  return { engine, updates: events.flatMap((e) => engine.process(e)) };
};
const summary = (updates: AlertUpdate[]) => updates.map((u) => `${u.type} ${u.alert.detectionId} ${u.alert.id}`);

/** A stream touching every detection, two tenants, admin context and a success after failures. */
function mixedStream(): VigilEvent[] {
  return [
    ...times(12, (c) => failure("logon", "bob", { ...c, ip: "10.0.0.66" })),
    ...times(5, (c) => failure("ntlm", "bob", { ...c, tenant: "globex", ip: "10.0.0.66" })),
    replication(mallory, { t: 20 * SECOND }),
    membership(mallory, acct("eve", 1106), group("Domain Admins", `${DOMAIN_SID}-512`), { t: 25 * SECOND }),
    ...times(12, (c) => failure("kerberos.preauth-failure", "carol", { ...c, ip: `10.0.3.${c.t! / SECOND}` }), SECOND, 30 * SECOND),
    success("logon", "bob", { t: 50 * SECOND, ip: "10.0.0.66" }),
    replication(mallory, { t: 70 * MINUTE }),
    ...times(6, (c) => failure("ntlm", "bob", { ...c, tenant: "globex", ip: "10.0.0.66" }), SECOND, 40 * SECOND),
    replication(mallory, { t: 3 * HOUR }),
  ];
}

describe("engine", () => {
  it("aggregates N matching events into 1 created + N-1 updated with one id, bounded evidence", () => {
    const events = times(60, (c) => replication(mallory, c));
    const { updates } = run(events);
    expect(updates.map((u) => u.type)).toEqual(["created", ...Array(59).fill("updated")]);
    expect(new Set(updates.map((u) => u.alert.id)).size).toBe(1);
    const last = updates.at(-1)!.alert;
    expect(last).toMatchObject({ count: 60, evidenceCount: 60, firstSeen: events[0]!.time, lastSeen: events[59]!.time });
    expect(last.evidenceEventIds).toEqual(events.slice(0, 50).map((e) => e.id));
  });

  it("opens a new alert after a quiet window, and after the maximum span", () => {
    const gap = run([
      replication(mallory),
      replication(mallory, { t: 50 * MINUTE }),
      replication(mallory, { t: 100 * MINUTE }),
      replication(mallory, { t: 200 * MINUTE }),
    ]);
    expect(gap.updates.map((u) => u.type)).toEqual(["created", "updated", "updated", "created"]);
    expect(gap.updates[3]!.alert.id).not.toBe(gap.updates[0]!.alert.id);
    const steady = run(times(61, (c) => replication(mallory, c), 30 * MINUTE));
    const created = steady.updates.filter((u) => u.type === "created");
    expect(created.map((u) => u.alert.firstSeen)).toEqual([
      steady.updates[0]!.alert.firstSeen,
      new Date(Date.parse(steady.updates[0]!.alert.firstSeen) + 24.5 * HOUR).toISOString(),
    ]);
  });

  it("keeps tenants apart: failures in one never count towards another, ids differ", () => {
    const split = [
      ...times(9, (c) => failure("logon", "bob", { ...c, ip: "10.0.0.66" })),
      failure("logon", "bob", { t: 10 * SECOND, ip: "10.0.0.66", tenant: "globex" }),
    ];
    expect(run(split).updates).toEqual([]);
    const both = run([replication(mallory), replication(mallory, { tenant: "globex" })]);
    expect(both.updates.map((u) => [u.type, u.alert.tenantId])).toEqual([
      ["created", "acme"],
      ["created", "globex"],
    ]);
    expect(both.updates[0]!.alert.id).not.toBe(both.updates[1]!.alert.id);
    const engine = createEngine({ detections: [dcsync] });
    engine.updateContext("acme", (ctx) => addExclusion(ctx, "dcsync", "ACME\\mallory"));
    expect(engine.process(replication(mallory))).toEqual([]);
    expect(engine.process(replication(mallory, { tenant: "globex" }))).toHaveLength(1);
    expect(engine.context("globex").exclusions).toEqual({});
  });

  it("is deterministic: the same stream replayed gives identical alerts", () => {
    const stream = mixedStream();
    const a = run(stream).updates;
    const b = run(stream).updates;
    expect(a).toEqual(b);
    expect(summary(a).filter((s) => s.startsWith("created"))).toHaveLength(7);
  });

  it("restores a mid-stream snapshot (through JSON) to the same result as an uninterrupted run", () => {
    const stream = mixedStream();
    const whole = run(stream).updates;
    for (const cut of [5, 17, 20, 30, 33, stream.length - 2]) {
      const first = createEngine({ detections: allDetections });
      const before = stream.slice(0, cut).flatMap((e) => first.process(e));
      const second = createEngine({ detections: allDetections });
      second.restore(JSON.parse(JSON.stringify(first.snapshot())));
      const after = stream.slice(cut).flatMap((e) => second.process(e));
      expect([...before, ...after]).toEqual(whole);
    }
  });

  it("tolerates a few minutes of disorder", () => {
    const inOrder = times(20, (c) => failure("logon", "bob", { ...c, ip: "10.0.0.66" }), 10 * SECOND);
    const shuffled = [...inOrder.slice(10).reverse(), ...inOrder.slice(0, 10)];
    const [a, b] = [run(inOrder).updates.at(-1)!.alert, run(shuffled).updates.at(-1)!.alert];
    expect(run(shuffled).updates.filter((u) => u.type === "created")).toHaveLength(1);
    expect({ id: b.id, evidence: b.evidenceCount, first: b.firstSeen, last: b.lastSeen }).toEqual({
      id: a.id,
      evidence: 20,
      first: a.firstSeen,
      last: a.lastSeen,
    });
  });

  it("stays within its bounds when fed 100k distinct entities", () => {
    const limits = { maxStateKeys: 2_000, maxOpenAlerts: 500, maxSeenEvents: 5_000 };
    const engine = createEngine({ detections: allDetections, ...limits });
    const templates = [
      failure("ntlm", "x", { ip: "10.0.0.1" }),
      replication(acct("x")),
      membership(acct("x"), acct("y"), group("Domain Admins", `${DOMAIN_SID}-512`)),
    ];
    for (let i = 0; i < 100_000; i++) {
      const base = templates[i % 3]!;
      const event = {
        ...base,
        id: i.toString(16).padStart(32, "0"),
        time: new Date(Date.parse(base.time) + i).toISOString(),
        actor: { name: `user${i}` },
      };
      if (event.src) event.src = { ip: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}` };
      engine.process(event as VigilEvent);
    }
    const stats = engine.stats();
    // The bound is per detection state; each detection that keeps state may hold up to maxStateKeys.
    expect(stats.stateKeys).toBeLessThanOrEqual(limits.maxStateKeys * allDetections.length);
    expect(stats.openAlerts).toBeLessThanOrEqual(limits.maxOpenAlerts);
    expect(stats.seenEvents).toBeLessThanOrEqual(limits.maxSeenEvents);
    expect(JSON.stringify(engine.snapshot()).length).toBeLessThan(5_000_000);
  });

  it("drops a redelivered event instead of counting it twice", () => {
    const events = times(9, (c) => failure("logon", "bob", { ...c, ip: "10.0.0.66" }));
    const { engine, updates } = run([...events, ...events]);
    expect(updates).toEqual([]);
    expect(engine.process(failure("logon", "bob", { t: 20 * SECOND, ip: "10.0.0.66" }))).toHaveLength(1);
  });

  it("routes each event only to the detections that read its kind, and learns DCs before they run", () => {
    const seen: string[] = [];
    const spy = defineDetection({ ...dcsync, id: "spy", kinds: ["ntlm"], evaluate: (e) => (seen.push(e.kind), []) });
    const engine = createEngine({ detections: [spy, dcsync] });
    engine.process(failure("logon", "bob"));
    engine.process(failure("ntlm", "bob"));
    expect(seen).toEqual(["ntlm"]);
    expect(engine.process(replication(acct("DC07$"), { dc: "dc07.acme.local" }))).toEqual([]);
    engine.updateContext("acme", (ctx) => addDc(ctx, { host: "DC08" }));
    expect(engine.context("acme").dcHosts).toEqual(["dc07", "dc08"]);
  });

  it("keeps the other detections' alerts when one throws", () => {
    const broken: Detection = {
      ...sensitiveGroupAddition,
      id: "broken",
      kinds: ["replication"],
      evaluate: () => {
        throw new Error("boom");
      },
    };
    const engine = createEngine({ detections: [broken, dcsync] });
    let error: unknown;
    try {
      engine.process(replication(mallory));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DetectionFailedError);
    expect((error as DetectionFailedError).updates).toHaveLength(1);
    const reported: string[] = [];
    const tolerant = createEngine({ detections: [broken, dcsync], onDetectionError: (_e, info) => reported.push(info.detectionId) });
    expect(tolerant.process(replication(mallory))).toHaveLength(1);
    expect(reported).toEqual(["broken"]);
  });

  it("processes a redelivery of an event the engine itself failed on, then drops the next one", () => {
    let calls = 0;
    // An entity that cannot be cloned makes the engine's own aggregation throw (not the detection).
    const odd = defineDetection({
      ...dcsync,
      id: "odd",
      kinds: ["replication"],
      evaluate: (e) =>
        calls++ > 0
          ? []
          : [
              {
                detectionId: "odd",
                severity: "low",
                title: "t",
                description: "d",
                primaryEntity: "account:x",
                entities: [{ role: "actor", kind: "user", id: "x", name: (() => "x") as unknown as string }],
                evidenceEventIds: [e.id],
                time: e.time,
              },
            ],
    });
    const engine = createEngine({ detections: [odd] });
    const event = replication(mallory);
    expect(() => engine.process(event)).toThrow();
    expect(engine.stats().seenEvents).toBe(0);
    expect(engine.process(event)).toEqual([]);
    expect(engine.process(event)).toEqual([]);
    expect([calls, engine.stats().seenEvents]).toEqual([2, 1]);
  });

  it("rejects two detections with one id", () => {
    expect(() => createEngine({ detections: [bruteForce, bruteForce] })).toThrow(/duplicate/);
  });
});
