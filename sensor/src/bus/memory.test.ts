import { describe, expect, it } from "vitest";
import type { Clock } from "./clock.ts";
import { eventBusContract } from "./event-bus.contract.ts";
import { eventBusPartitionContract } from "./event-bus.contract-partitions.ts";
import { createMemoryBus } from "./memory.ts";

eventBusContract("memory", { create: async () => createMemoryBus() });
eventBusPartitionContract("memory", { count: 8, create: async () => createMemoryBus({ partitions: 8 }) });

/** A clock that only moves when told to, firing due timers in order. */
function manualClock(): Clock & { advance(ms: number): Promise<void> } {
  let now = 0;
  let nextId = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  return {
    now: () => now,
    setTimer: (fn, ms) => (timers.set(++nextId, { at: now + ms, fn }), nextId),
    clearTimer: (h) => void timers.delete(h as number),
    async advance(ms) {
      now += ms;
      for (const [id, t] of [...timers].sort((a, b) => a[1].at - b[1].at)) {
        if (t.at > now) break;
        timers.delete(id);
        t.fn();
      }
      // let pumps and handlers (microtasks, then one macrotask turn) run
      await new Promise((r) => setImmediate(r));
    },
  };
}

describe("memory bus specifics", () => {
  it("forgets a msgId once the duplicate window has passed (injected clock)", async () => {
    const clock = manualClock();
    const bus = createMemoryBus({ clock, duplicateWindowMs: 1000 });
    const first = await bus.publish("vigil.events.t1.logon", "a", { msgId: "m1" });
    await clock.advance(999);
    expect(await bus.publish("vigil.events.t1.logon", "b", { msgId: "m1" })).toEqual({ seq: first.seq, duplicate: true });
    await clock.advance(1);
    expect(await bus.publish("vigil.events.t1.logon", "c", { msgId: "m1" })).toEqual({ seq: first.seq + 1, duplicate: false });
    await bus.close();
  });

  it("redelivers on the injected clock's ack wait, not wall time", async () => {
    const clock = manualClock();
    const bus = createMemoryBus({ clock });
    const counts: number[] = [];
    await bus.consume({
      durable: "p",
      filterSubject: "vigil.events.>",
      maxDeliver: 5,
      ackWaitMs: 60_000,
      maxInFlight: 1,
      handler: async (m) => {
        counts.push(m.deliveryCount);
        if (m.deliveryCount === 2) await m.ack();
      },
    });
    await bus.publish("vigil.events.t1.logon", "x");
    await clock.advance(0);
    expect(counts).toEqual([1]);
    await clock.advance(59_999);
    expect(counts).toEqual([1]);
    await clock.advance(1);
    expect(counts).toEqual([1, 2]);
    await bus.close();
  });

  it("stays bounded: trims what every durable acked, and caps the stream at maxMessages", async () => {
    const capped = createMemoryBus({ maxMessages: 5 });
    for (let i = 0; i < 12; i++) await capped.publish("vigil.events.t1.logon", String(i));
    expect(capped.stats()).toMatchObject({ events: 5, lastSeq: 12 });
    await capped.close();

    const bus = createMemoryBus();
    let acked = 0;
    const h = await bus.consume({
      durable: "p",
      filterSubject: "vigil.events.t1.>",
      maxDeliver: 5,
      ackWaitMs: 5000,
      maxInFlight: 4,
      handler: async (m) => {
        await m.ack();
        acked++;
      },
    });
    for (let i = 0; i < 50; i++) await bus.publish("vigil.events.t1.logon", String(i));
    await expect.poll(() => acked).toBe(50);
    expect(bus.stats().events).toBe(0);
    await h.stop();
    await bus.close();
    await expect(bus.publish("vigil.events.t1.logon", "late")).rejects.toMatchObject({ code: "BUS_CLOSED" });
  });
});
