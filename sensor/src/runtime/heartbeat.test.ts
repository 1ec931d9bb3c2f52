import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import type { EventOf, VigilEvent } from "../contract/index.ts";
import { eventually, SENSOR, TENANT } from "./events.fixture.ts";
import { SENSOR_VERSION, startHeartbeat } from "./heartbeat.ts";
import type { PublisherStats, PublishOutcome } from "./publisher.ts";

const stats: PublisherStats = {
  published: 7,
  spooled: 3,
  drained: 2,
  dropped: 1,
  failed: 0,
  duplicates: 0,
  damaged: 0,
  throttled: 5,
  throttling: true,
  spoolBytes: 512,
  spooling: true,
};

function recorder() {
  const events: VigilEvent[] = [];
  return {
    events,
    publisher: { publish: async (e: VigilEvent): Promise<PublishOutcome> => (events.push(e), "published"), stats: () => stats },
  };
}

describe("heartbeat", () => {
  it("beats at once and then every interval, each beat a distinct event with the counters", async () => {
    const { events, publisher } = recorder();
    const fixed = new Date("2024-03-01T10:00:00.000Z");
    const hb = startHeartbeat({
      publisher,
      tenantId: TENANT,
      sensorId: SENSOR,
      intervalMs: 15,
      host: "dc01.acme.local",
      now: () => fixed,
      counters: () => ({ problems: 4 }),
    });
    await eventually(() => events.length >= 3, "three beats");
    await hb.stop();
    const beats = events as EventOf<"sensor.heartbeat">[];
    expect(new Set(beats.map((b) => b.id)).size).toBe(beats.length);
    expect(beats[0]).toMatchObject({
      kind: "sensor.heartbeat",
      tenantId: TENANT,
      sensorId: SENSOR,
      time: "2024-03-01T10:00:00.000Z",
      version: SENSOR_VERSION,
      origin: { format: "sensor", computer: "dc01.acme.local", recordId: "2024-03-01T10:00:00.000Z" },
      counters: {
        published: 7,
        spooled: 3,
        drained: 2,
        dropped: 1,
        spoolBytes: 512,
        spooling: 1,
        throttled: 5,
        throttling: 1,
        problems: 4,
      },
    });
    // The clock stood still, yet every beat got a later time and so a new id.
    expect(beats[1]!.time).toBe("2024-03-01T10:00:00.001Z");
    const count = events.length;
    await new Promise((r) => setTimeout(r, 40));
    expect(events.length).toBe(count);
  });

  it("reports a beat the publisher refuses instead of throwing from the timer", async () => {
    const errors: unknown[] = [];
    const hb = startHeartbeat({
      publisher: { publish: () => Promise.reject(new Error("publisher is closed")), stats: () => stats },
      tenantId: TENANT,
      sensorId: SENSOR,
      intervalMs: 60_000,
      onError: (e) => errors.push(e),
    });
    await eventually(() => errors.length === 1, "the first beat's error");
    await hb.stop();
    expect(errors[0]).toMatchObject({ message: "publisher is closed" });
  });

  it("reports the sensor package's version", async () => {
    const pkg = JSON.parse(await readFile(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
    expect(SENSOR_VERSION).toBe(pkg.version);
  });
});
