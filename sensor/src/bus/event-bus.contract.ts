// The one contract every EventBus adapter passes (DESIGN.md §3): memory.test.ts runs it in-process, jetstream.int.test.ts
// on a real nats-server. Dead-letter cases live in event-bus.contract-deadletters.ts, set-up in event-bus.contract-fixture.ts.
import { describe, expect, it, vi } from "vitest";
import { deadLetterCases } from "./event-bus.contract-deadletters.ts";
import { ACK_WAIT, NAK_DELAY, sleep, useContractFixture, WAIT, type EventBusFactory, type Seen } from "./event-bus.contract-fixture.ts";
import type { BusMessage } from "./port.ts";

export type { EventBusFactory } from "./event-bus.contract-fixture.ts";

/** Run the EventBus contract against one adapter. */
export function eventBusContract(name: string, factory: EventBusFactory): void {
  describe(`EventBus contract: ${name}`, () => {
    const fx = useContractFixture(factory);
    const { subject, publishN, record, ackAll, start } = fx;

    it("publishes, delivers once with subject/headers/msgId, and an acked event is not redelivered", async () => {
      const got: BusMessage[] = [];
      await start({
        handler: async (m) => {
          got.push(m);
          await m.ack();
        },
      });
      const r1 = await fx.bus.publish(subject(), JSON.stringify({ n: 1 }), { msgId: `${fx.tenant}-1`, headers: { "Vigil-Sensor": "s1" } });
      const r2 = await fx.bus.publish(subject("kerberos"), new TextEncoder().encode(JSON.stringify({ n: 2 })));
      expect(r1.duplicate).toBe(false);
      expect(r2.seq).toBeGreaterThan(r1.seq);
      await vi.waitFor(() => expect(got).toHaveLength(2), WAIT);
      const [a, b] = got.sort((x, y) => x.seq - y.seq);
      expect(a).toMatchObject({ subject: subject(), seq: r1.seq, msgId: `${fx.tenant}-1`, deliveryCount: 1 });
      expect(a!.headers["Vigil-Sensor"]).toBe("s1");
      expect(a!.json()).toEqual({ n: 1 });
      expect(b).toMatchObject({ subject: subject("kerberos"), seq: r2.seq, deliveryCount: 1 });
      expect(b!.msgId).toBeUndefined();
      await sleep(ACK_WAIT * 2);
      expect(got).toHaveLength(2);
    });

    it("stores a duplicate msgId once, reports duplicate: true with the original seq, delivers once", async () => {
      const first = await fx.bus.publish(subject(), JSON.stringify({ n: 1 }), { msgId: "evt-abc" });
      const again = await fx.bus.publish(subject(), JSON.stringify({ n: 99 }), { msgId: "evt-abc" });
      expect(again).toEqual({ seq: first.seq, duplicate: true });
      const seen: Seen[] = [];
      await start({ handler: ackAll(seen) });
      await vi.waitFor(() => expect(seen).toHaveLength(1), WAIT);
      await sleep(ACK_WAIT * 1.5);
      expect(seen.map((s) => s.n)).toEqual([1]);
    });

    it("redelivers an unacked event after ackWait with deliveryCount 2", async () => {
      const seen: Seen[] = [];
      await start({
        handler: async (m) => {
          record(seen, m);
          if (m.deliveryCount >= 2) await m.ack();
        },
      });
      await publishN(1);
      await vi.waitFor(() => expect(seen).toHaveLength(2), WAIT);
      expect(seen.map((s) => s.deliveryCount)).toEqual([1, 2]);
      expect(seen[1]!.at - seen[0]!.at).toBeGreaterThanOrEqual(ACK_WAIT * 0.9);
      await sleep(ACK_WAIT * 1.5);
      expect(seen).toHaveLength(2);
    });

    it("redelivers a nak(delay) no sooner than the delay", async () => {
      const seen: Seen[] = [];
      let nakAt = 0;
      await start({
        ackWaitMs: NAK_DELAY * 3,
        handler: async (m) => {
          record(seen, m);
          if (m.deliveryCount > 1) return m.ack();
          nakAt = performance.now();
          await m.nak(NAK_DELAY);
        },
      });
      await publishN(1);
      await vi.waitFor(() => expect(seen).toHaveLength(2), WAIT);
      expect(seen[1]!.deliveryCount).toBe(2);
      expect(seen[1]!.at - nakAt).toBeGreaterThanOrEqual(NAK_DELAY - 5);
    });

    it("working() keeps a delivery that outlasts several ack waits from being redelivered", async () => {
      const seen: Seen[] = [];
      await start({
        handler: async (m) => {
          record(seen, m);
          for (let i = 0; i < 10; i++) {
            await sleep(ACK_WAIT / 4);
            m.working();
          }
          await m.ack();
        },
      });
      await publishN(1);
      await vi.waitFor(() => expect(seen).toHaveLength(1), WAIT);
      await sleep(ACK_WAIT * 3.5);
      expect(seen.map((s) => s.deliveryCount)).toEqual([1]);
    });

    deadLetterCases(fx);

    it("resumes a durable after stop(): acked events are not redelivered, unacked ones are, new ones arrive", async () => {
      const first: Seen[] = [];
      const h = await start({
        handler: async (m) => {
          record(first, m);
          if (m.json<{ n: number }>().n !== 3) await m.ack();
        },
      });
      for (const n of [1, 2, 3]) await publishN(n);
      await vi.waitFor(() => expect(first).toHaveLength(3), WAIT);
      await fx.stop(h);
      await publishN(4);
      const second: Seen[] = [];
      await start({ handler: ackAll(second) });
      await vi.waitFor(() => expect(second.map((s) => s.n).sort()).toEqual([3, 4]), WAIT);
      expect(second.find((s) => s.n === 3)!.deliveryCount).toBe(2);
      expect(second.find((s) => s.n === 4)!.deliveryCount).toBe(1);
      await sleep(ACK_WAIT * 1.5);
      expect(second).toHaveLength(2);
    });

    it("runs at most maxInFlight handlers at once, and stop() waits for the running ones", async () => {
      let running = 0;
      let peak = 0;
      let done = 0;
      const h = await start({
        ackWaitMs: 5000,
        maxInFlight: 2,
        handler: async (m) => {
          peak = Math.max(peak, ++running);
          await sleep(150);
          await m.ack();
          running--;
          done++;
        },
      });
      for (let n = 1; n <= 5; n++) await publishN(n);
      await vi.waitFor(() => expect(done).toBeGreaterThanOrEqual(1), WAIT);
      await fx.stop(h);
      expect(running).toBe(0);
      expect(peak).toBe(2);
      const atStop = done;
      await sleep(300);
      expect(done).toBe(atStop);
    });

    it("fans out a non-stream subject to every subscriber until it unsubscribes", async () => {
      const alerts = `vigil.alerts.${fx.tenant}`;
      const [a, b] = [await fx.bus.subscribe(alerts), await fx.bus.subscribe(`vigil.alerts.*`)];
      const [gotA, gotB]: [unknown[], unknown[]] = [[], []];
      const doneA = (async () => {
        for await (const e of a) gotA.push(e.json());
      })();
      void (async () => {
        for await (const e of b) gotB.push({ subject: e.subject, severity: e.headers["Vigil-Severity"], ...e.json<object>() });
      })();
      expect(await fx.bus.publish(alerts, JSON.stringify({ id: "a1" }))).toEqual({ seq: 0, duplicate: false });
      await fx.bus.publish(alerts, JSON.stringify({ id: "a2" }), { headers: { "Vigil-Severity": "high" } });
      await vi.waitFor(() => expect([gotA.length, gotB.length]).toEqual([2, 2]), WAIT);
      expect(gotA).toEqual([{ id: "a1" }, { id: "a2" }]);
      expect(gotB).toEqual([
        { subject: alerts, id: "a1" },
        { subject: alerts, severity: "high", id: "a2" },
      ]);
      a.unsubscribe();
      await doneA;
      await fx.bus.publish(alerts, JSON.stringify({ id: "a3" }));
      await vi.waitFor(() => expect(gotB).toHaveLength(3), WAIT);
      expect(gotA).toHaveLength(2);
      b.unsubscribe();
    });

    it("rejects malformed subjects and options with coded errors", async () => {
      await expect(fx.bus.publish("vigil.events.*", "x")).rejects.toMatchObject({ code: "BUS_INVALID_SUBJECT" });
      await expect(fx.bus.publish(`vigil.deadletter.${subject()}`, "x")).rejects.toMatchObject({ code: "BUS_INVALID_SUBJECT" });
      const handler = () => {};
      await expect(start({ filterSubject: "vigil.alerts.>", handler })).rejects.toMatchObject({ code: "BUS_INVALID_SUBJECT" });
      await expect(start({ durable: "a.b", handler })).rejects.toMatchObject({ code: "BUS_INVALID_OPTIONS" });
      await expect(start({ maxDeliver: 0, handler })).rejects.toMatchObject({ code: "BUS_INVALID_OPTIONS" });
    });
  });
}
