import { describe, expect, it } from "vitest";
import { finalizeEvent, type EventDraft, type VigilEvent } from "@vigil/sensor/contract";
import { emptyObservations, observe, observeSiemDrops, type TenantObservations } from "./observations.ts";
import { evaluateHealth, type HealthInput, type RegisteredSensor } from "./rules.ts";

const T0 = Date.parse("2026-11-25T00:00:00Z");
const MIN = 60_000;
const TENANT = "tenant-a";
const sensor: RegisteredSensor = {
  id: "11111111-1111-4111-8111-111111111111",
  name: "dc01",
  createdAt: new Date(T0 - 60 * MIN),
  lastSeenAt: null,
  revokedAt: null,
};

let seq = 0;
function beat(counters: Record<string, number>, sensorId = sensor.name): VigilEvent {
  const time = new Date(T0 + seq++).toISOString();
  return finalizeEvent({
    kind: "sensor.heartbeat",
    tenantId: TENANT,
    sensorId,
    time,
    origin: { format: "sensor", recordId: time, computer: "dc01.corp.example" },
    version: "0.1.0",
    counters,
  } as EventDraft);
}

function winEvent(eventId: number, dc = "DC01.corp.example"): VigilEvent {
  const time = new Date(T0 + seq++).toISOString();
  return finalizeEvent({
    kind: "service.install",
    tenantId: TENANT,
    sensorId: sensor.name,
    time,
    dc,
    origin: { format: "event-json", recordId: String(seq), eventId, computer: dc },
    serviceName: "x",
    imagePath: "c:\\x.exe",
  } as unknown as EventDraft);
}

const input = (obs: TenantObservations, now: number, over: Partial<HealthInput> = {}): HealthInput => ({
  now,
  observations: obs,
  sensors: [sensor],
  knownDcs: [],
  credentials: [],
  ...over,
});
const raised = (d: ReturnType<typeof evaluateHealth>) => d.raise.map((f) => `${f.type}${f.subject ? `:${f.subject}` : ""}`).sort();
const cleared = (d: ReturnType<typeof evaluateHealth>) => d.clear.map((k) => `${k.type}${k.subject ? `:${k.subject}` : ""}`).sort();

describe("sensor stopped communicating", () => {
  it.each([
    ["beat 4 min ago", 4 * MIN, false],
    ["beat exactly 5 min ago", 5 * MIN, false],
    ["beat 5 min 1 s ago", 5 * MIN + 1000, true],
  ])("%s → raised %s", (_, age, expected) => {
    const obs = observe(emptyObservations(T0), beat({}), T0);
    const d = evaluateHealth(input(obs, T0 + age));
    expect(raised(d).includes("sensor-stopped-communicating")).toBe(expected);
    expect(cleared(d).includes("sensor-stopped-communicating")).toBe(!expected);
  });

  it("uses the stored lastSeenAt when the monitor has not heard the sensor itself (after a restart)", () => {
    const d = evaluateHealth(input(emptyObservations(T0), T0 + MIN, { sensors: [{ ...sensor, lastSeenAt: new Date(T0 - 10 * MIN) }] }));
    expect(raised(d)).toContain("sensor-stopped-communicating");
    expect(d.raise[0]!.sensorId).toBe(sensor.id);
    expect(d.raise[0]!.description).toMatch(/dc01 has not communicated for 11 minutes/);
  });

  it("counts any event from the sensor as contact, not only heartbeats (MDI: no data or keep-alive)", () => {
    const obs = observe(emptyObservations(T0), winEvent(4776), T0 + 4 * MIN);
    expect(cleared(evaluateHealth(input(obs, T0 + 8 * MIN)))).toContain("sensor-stopped-communicating");
  });

  it("ignores revoked sensors and reports one that never communicated", () => {
    expect(evaluateHealth(input(emptyObservations(T0), T0, { sensors: [{ ...sensor, revokedAt: new Date(T0) }] })).raise).toEqual([]);
    const d = evaluateHealth(input(emptyObservations(T0), T0));
    expect(d.raise[0]!.description).toMatch(/since it was registered/);
  });
});

describe("counter rules", () => {
  it("raises dropped events when the counter grows and clears it 30 minutes after the last growth", () => {
    const obs = emptyObservations(T0);
    observe(obs, beat({ dropped: 0 }), T0);
    observe(obs, beat({ dropped: 3 }), T0 + MIN);
    expect(raised(evaluateHealth(input(obs, T0 + MIN)))).toContain("sensor-events-dropped");
    observe(obs, beat({ dropped: 3 }), T0 + 31 * MIN);
    expect(cleared(evaluateHealth(input(obs, T0 + 31 * MIN + 1)))).toContain("sensor-events-dropped");
  });

  it("takes the first beat heard as the baseline, not as news", () => {
    const obs = observe(emptyObservations(T0), beat({ dropped: 500, captureDropped: 7 }), T0);
    expect(raised(evaluateHealth(input(obs, T0)))).toEqual([]);
  });

  it("treats a counter reset (sensor restart) as no news", () => {
    const obs = emptyObservations(T0);
    observe(obs, beat({ dropped: 10 }), T0 - 40 * MIN);
    observe(obs, beat({ dropped: 0 }), T0);
    expect(raised(evaluateHealth(input(obs, T0)))).not.toContain("sensor-events-dropped");
  });

  it("raises a growing spool only after 10 minutes of growth on every beat", () => {
    const obs = emptyObservations(T0);
    observe(obs, beat({ spoolBytes: 0 }), T0);
    for (let m = 1; m <= 9; m++) observe(obs, beat({ spoolBytes: m * 1000 }), T0 + m * MIN);
    expect(raised(evaluateHealth(input(obs, T0 + 9 * MIN)))).not.toContain("sensor-spool-growing");
    observe(obs, beat({ spoolBytes: 10_000 }), T0 + 10 * MIN);
    expect(raised(evaluateHealth(input(obs, T0 + 10 * MIN)))).toContain("sensor-spool-growing");
    observe(obs, beat({ spoolBytes: 4000 }), T0 + 11 * MIN);
    expect(cleared(evaluateHealth(input(obs, T0 + 11 * MIN)))).toContain("sensor-spool-growing");
  });

  it.each([
    ["5 problems in 10 records (below the minimum count)", 10, 5, false],
    ["10 problems in 1000 records (1%)", 1000, 10, false],
    ["10 problems in 100 records (10%)", 100, 10, true],
  ])("parse errors: %s → raised %s", (_, records, problems, expected) => {
    const obs = emptyObservations(T0);
    observe(obs, beat({ records: 0, problems: 0 }), T0);
    observe(obs, beat({ records, problems }), T0 + MIN);
    expect(raised(evaluateHealth(input(obs, T0 + MIN))).includes("sensor-parse-errors")).toBe(expected);
  });

  it("raises capture drops and RADIUS secret mismatches from their counters; absent counters raise nothing", () => {
    const obs = emptyObservations(T0);
    observe(obs, beat({}), T0);
    expect(raised(evaluateHealth(input(obs, T0)))).toEqual([]);
    observe(obs, beat({ captureDropped: 5, radiusBadAuthenticator: 2 }), T0 + MIN);
    expect(raised(evaluateHealth(input(obs, T0 + MIN)))).toEqual(["radius-shared-secret-mismatch", "sensor-capture-drops"]);
  });

  it("attributes heartbeats sent under the row id or the registered name to the same row", () => {
    const obs = emptyObservations(T0);
    observe(obs, beat({ dropped: 0 }, sensor.id), T0);
    observe(obs, beat({ dropped: 1 }, sensor.id), T0);
    const d = evaluateHealth(input(obs, T0));
    expect(d.raise.find((f) => f.type === "sensor-events-dropped")?.sensorId).toBe(sensor.id);
  });
});

describe("___domain controller rules", () => {
  const DAY = 24 * 60 * MIN;
  it("infers missing audit policies from event ids a DC never sends within a day, and clears them when seen", () => {
    const obs = emptyObservations(T0);
    observe(obs, beat({}), T0);
    observe(obs, winEvent(4776), T0);
    observe(obs, winEvent(7045), T0);
    // Less than a day: only what was seen is judged (cleared); nothing is raised yet.
    const early = evaluateHealth(input(obs, T0 + MIN));
    expect(raised(early)).toEqual([]);
    expect(cleared(early)).toContain("credential-validation-auditing-not-enabled:dc01");
    observe(obs, beat({}), T0 + DAY);
    observe(obs, winEvent(4776), T0 + DAY);
    observe(obs, winEvent(5136), T0 + DAY);
    const d = evaluateHealth(input(obs, T0 + DAY));
    expect(raised(d)).toEqual(["directory-service-access-auditing-not-enabled:dc01", "ntlm-auditing-not-enabled:dc01"]);
    expect(cleared(d)).toEqual(
      expect.arrayContaining(["credential-validation-auditing-not-enabled:dc01", "directory-service-changes-auditing-not-enabled:dc01"]),
    );
  });

  it("raises no traffic from a DC silent for an hour while its sensor still beats, not while the sensor is down", () => {
    const obs = emptyObservations(T0);
    observe(obs, winEvent(4776), T0);
    observe(obs, beat({}), T0 + 61 * MIN);
    expect(raised(evaluateHealth(input(obs, T0 + 61 * MIN)))).toContain("dc-no-traffic:dc01");
    const down = evaluateHealth(input(obs, T0 + 70 * MIN));
    expect(raised(down)).toContain("sensor-stopped-communicating");
    expect([...raised(down), ...cleared(down)]).not.toContain("dc-no-traffic:dc01");
  });

  it("raises a DC from LDAP with no sensor only after the grace period, and clears DCs that send", () => {
    const obs = emptyObservations(T0);
    observe(obs, winEvent(4776, "dc01"), T0);
    const known = { knownDcs: ["dc01", "DC02.corp.example"] };
    expect(raised(evaluateHealth(input(obs, T0 + 30 * MIN, known)))).not.toContain("dc-without-sensor:dc02");
    const d = evaluateHealth(input(obs, T0 + 61 * MIN, known));
    expect(raised(d)).toContain("dc-without-sensor:dc02");
    expect(cleared(d)).toContain("dc-without-sensor:dc01");
  });
});

describe("tenant rules", () => {
  it("raises failing directory credentials, clears passing ones, leaves untested ones alone", () => {
    const d = evaluateHealth(
      input(emptyObservations(T0), T0, {
        sensors: [],
        credentials: [
          { name: "bad", domainName: "corp.example", lastTestOk: false },
          { name: "good", domainName: "corp.example", lastTestOk: true },
          { name: "new", domainName: "corp.example", lastTestOk: null },
        ],
      }),
    );
    expect(raised(d)).toEqual(["directory-credential-failing:bad"]);
    expect(cleared(d)).toEqual(["directory-credential-failing:good", "siem-queue-overflow"]);
  });

  it("raises SIEM queue overflow while drops are recent", () => {
    const obs = observeSiemDrops(emptyObservations(T0), 3, T0);
    expect(raised(evaluateHealth(input(obs, T0, { sensors: [] })))).toEqual(["siem-queue-overflow"]);
    expect(cleared(evaluateHealth(input(obs, T0 + 31 * MIN, { sensors: [] })))).toEqual(["siem-queue-overflow"]);
  });
});
