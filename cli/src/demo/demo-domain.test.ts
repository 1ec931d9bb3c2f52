import { Readable } from "node:stream";
import { readWindowsEvents, type ReadProblem } from "@vigil/sensor";
import { finalizeEvent } from "@vigil/sensor/contract";
import { allDetections, createEngine } from "@vigil/stream-processor";
import { describe, expect, it } from "vitest";
import { DEMO_EXPECTED_ALERTS, demoDomainXml } from "./demo-domain.ts";

describe("demo domain", () => {
  it("reads cleanly through the sensor path and raises exactly the three story alerts", async () => {
    const problems: ReadProblem[] = [];
    const engine = createEngine({ detections: allDetections });
    const types = new Map<string, string>();
    let events = 0;
    for await (const draft of readWindowsEvents(Readable.from([demoDomainXml(new Date("2026-01-01T09:00:00Z"))]), {
      tenantId: "demo",
      sensorId: "dc01",
      onProblem: (p) => problems.push(p),
    })) {
      events += 1;
      for (const u of engine.process(finalizeEvent(draft))) types.set(u.alert.id, `${u.alert.detectionId}:${u.alert.severity}`);
    }
    expect(problems).toEqual([]);
    expect(events).toBe(18);
    expect([...types.values()].map((t) => t.split(":")[0]).sort()).toEqual([...DEMO_EXPECTED_ALERTS].sort());
    // The guessing run ends in a success, which MDI-style brute force escalates to high.
    expect([...types.values()]).toContain("brute-force:high");
  });
});
