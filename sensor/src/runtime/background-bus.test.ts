import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BusError, createMemoryBus, isBusError, type EventBus } from "../bus/index.ts";
import { connectInBackground } from "./background-bus.ts";
import { logonEvent, SENSOR, SENSOR_KEY, TENANT, tempDir } from "./events.fixture.ts";
import { createPublisher } from "./publisher.ts";

/** Fails the first `failures` connects the way connectJetStreamBus does when NATS is down. */
function flakyConnect(failures: number) {
  const bus = createMemoryBus();
  let attempts = 0;
  return {
    bus,
    attempts: () => attempts,
    connect: async (): Promise<EventBus> => {
      if (attempts++ < failures) throw new BusError("BUS_UNREACHABLE", "NATS at 127.0.0.1:4222 is unreachable (connection refused)");
      return bus;
    },
  };
}

describe("connectInBackground", () => {
  it("answers BUS_UNREACHABLE until a connect succeeds, then delegates", async () => {
    const flaky = flakyConnect(3);
    const logs: string[] = [];
    const bus = connectInBackground({ connect: flaky.connect, retryMs: 10, onLog: (l) => logs.push(l) });
    const err = await bus.publish("vigil.events.acme.logon", "{}").catch((e: unknown) => e);
    expect(isBusError(err, "BUS_UNREACHABLE")).toBe(true);
    expect(await bus.health()).toMatchObject({ ok: false });
    expect(await bus.waitConnected(2000)).toBe(true);
    expect(flaky.attempts()).toBe(4);
    await expect(bus.publish("vigil.events.acme.logon", "{}", { msgId: "m1" })).resolves.toMatchObject({ seq: 1 });
    expect(logs.filter((l) => /not reachable/.test(l))).toHaveLength(1); // the same reason is not repeated
    expect(logs.at(-1)).toBe("connected to the event bus");
    await bus.close();
    expect(isBusError(await bus.publish("vigil.events.acme.logon", "{}").catch((e: unknown) => e), "BUS_CLOSED")).toBe(true);
  });

  it("gives up waiting after the timeout and stops retrying when closed", async () => {
    const flaky = flakyConnect(Infinity);
    const bus = connectInBackground({ connect: flaky.connect, retryMs: 10 });
    expect(await bus.waitConnected(50)).toBe(false);
    await bus.close();
    const after = flaky.attempts();
    await new Promise((r) => setTimeout(r, 40));
    expect(flaky.attempts()).toBe(after);
    expect(bus.connected).toBe(false);
  });

  it("lets a sensor start while the bus is down: events spool, then drain once connected", async () => {
    const t = await tempDir("background");
    const flaky = flakyConnect(5);
    const bus = connectInBackground({ connect: flaky.connect, retryMs: 20 });
    const publisher = await createPublisher({
      bus,
      tenantId: TENANT,
      sensorId: SENSOR,
      sensorKey: SENSOR_KEY,
      spoolDir: join(t.dir, "spool"),
      retry: { minMs: 10, maxMs: 30 },
    });
    const outcomes = await Promise.all([1, 2, 3].map((n) => publisher.publish(logonEvent(n))));
    expect(outcomes).toEqual(["spooled", "spooled", "spooled"]);
    await publisher.drained();
    expect(flaky.bus.stats().events).toBe(3);
    await publisher.close();
    await bus.close();
    await t.remove();
  });
});
