/**
 * Replaying real attack samples twice, or in two halves with a restart (engine snapshot → JSON →
 * new engine) between them, must give exactly the alerts of one uninterrupted run.
 */
import { readWindowsEvents } from "@vigil/sensor";
import { finalizeEvent, type VigilEvent } from "@vigil/sensor/contract";
import { allDetections, createEngine, type Alert, type Engine } from "@vigil/stream-processor";
import { beforeAll, describe, expect, it } from "vitest";

const samples = new URL("../../shared/datasets/attack-samples/", import.meta.url).pathname;
const FILES = [
  "kerberoasting_and_spray/otrf__host__purplesharp_ad_playbook_I.zip",
  "dcsync/otrf__host__empire_dcsync_dcerpc_drsuapi_DsGetNCChanges.zip",
  "recon_samr/sb__dicovery_4661_net_group_domain_admins_target.evtx",
  "samaccountname_spoofing/sb__samaccount_spoofing_CVE-2021-42287_CVE-2021-42278_DC_securitylogs.evtx",
];

function run(engine: Engine, events: VigilEvent[], into = new Map<string, Alert>()): Map<string, Alert> {
  for (const e of events) for (const u of engine.process(e)) into.set(u.alert.id, u.alert);
  return into;
}

describe("replaying real samples", () => {
  let events: VigilEvent[] = [];
  let once: Map<string, Alert>;

  beforeAll(async () => {
    for (const file of FILES) {
      for await (const d of readWindowsEvents(`${samples}${file}`, { tenantId: "replay", sensorId: "dc01", onProblem: () => {} })) {
        events.push(finalizeEvent(d));
      }
    }
    events = events.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : a.id < b.id ? -1 : 1));
    once = run(createEngine({ detections: allDetections }), events);
  }, 120_000);

  it("raises the samples' alerts in one run", () => {
    const types = new Set([...once.values()].map((a) => a.detectionId));
    for (const id of ["password-spray", "kerberoasting", "dcsync", "samr-recon", "samaccountname-spoofing"]) expect(types).toContain(id);
  });

  it("gives identical alerts when every event is delivered twice", () => {
    const engine = createEngine({ detections: allDetections });
    const twice = run(engine, events);
    run(engine, events, twice);
    expect(twice).toEqual(once);
  });

  it("gives identical alerts when the run is split in two halves with a restart between", () => {
    const half = Math.floor(events.length / 2);
    const first = createEngine({ detections: allDetections });
    const alerts = run(first, events.slice(0, half));
    const second = createEngine({ detections: allDetections });
    second.restore(JSON.parse(JSON.stringify(first.snapshot())));
    run(second, events.slice(half), alerts);
    expect(alerts).toEqual(once);
  });
});
