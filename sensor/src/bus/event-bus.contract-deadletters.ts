// Dead-letter cases of the EventBus contract: poison messages always end up in vigil.deadletter.> with a reason,
// and nothing around them is lost.
import { expect, it, vi } from "vitest";
import { ACK_WAIT, sleep, WAIT, type ContractFixture, type Seen } from "./event-bus.contract-fixture.ts";

/** Register the dead-letter cases (called inside the contract's describe). */
export function deadLetterCases(fx: ContractFixture): void {
  it("dead-letters an event nak'ed maxDeliver times, with the reason; its neighbours are delivered and acked", async () => {
    const seen: Seen[] = [];
    const acked: number[] = [];
    await fx.start({
      maxDeliver: 3,
      maxInFlight: 1,
      handler: async (m) => {
        fx.record(seen, m);
        if (m.json<{ poison?: boolean }>().poison) return m.nak(0, "bad payload");
        await m.ack();
        acked.push(m.json<{ n: number }>().n);
      },
    });
    await fx.publishN(1);
    const poison = await fx.bus.publish(fx.subject(), JSON.stringify({ n: 2, poison: true }), { msgId: "poison-2" });
    await fx.publishN(3);
    await vi.waitFor(async () => expect(await fx.bus.readDeadLetters({ subject: `vigil.events.${fx.tenant}.>` })).toHaveLength(1), WAIT);
    const [dl] = await fx.bus.readDeadLetters({ subject: `vigil.events.${fx.tenant}.>` });
    expect(dl).toMatchObject({
      subject: `vigil.deadletter.${fx.subject()}`,
      originalSubject: fx.subject(),
      originalSeq: poison.seq,
      originalMsgId: "poison-2",
      deliveryCount: 3,
      consumer: "proc",
      reason: "max deliveries exceeded (3): bad payload",
    });
    expect(dl!.json()).toEqual({ n: 2, poison: true });
    await vi.waitFor(() => expect(acked.sort()).toEqual([1, 3]), WAIT);
    await sleep(ACK_WAIT * 1.5);
    expect(seen.filter((s) => s.n === 2)).toHaveLength(3);
    expect(seen.filter((s) => s.n !== 2)).toHaveLength(2);
  });

  it("dead-letters an event whose last delivery times out, without running the handler again", async () => {
    const seen: Seen[] = [];
    await fx.start({ maxDeliver: 2, handler: (m) => void fx.record(seen, m) });
    await fx.publishN(7);
    await vi.waitFor(async () => expect(await fx.bus.readDeadLetters()).toHaveLength(1), WAIT);
    const [dl] = await fx.bus.readDeadLetters();
    expect(dl).toMatchObject({ originalSubject: fx.subject(), reason: "max deliveries exceeded (2)" });
    expect(seen.map((s) => s.deliveryCount)).toEqual([1, 2]);
  });

  it("term(reason) dead-letters with that reason and never redelivers", async () => {
    const seen: Seen[] = [];
    await fx.start({
      handler: async (m) => {
        fx.record(seen, m);
        await m.term("schema version 9 unknown");
      },
    });
    const pub = await fx.publishN(5);
    await vi.waitFor(async () => expect(await fx.bus.readDeadLetters()).toHaveLength(1), WAIT);
    const [dl] = await fx.bus.readDeadLetters({ subject: `vigil.events.${fx.tenant}.*` });
    expect(dl).toMatchObject({ reason: "schema version 9 unknown", originalSeq: pub.seq, deliveryCount: 1, originalSubject: fx.subject() });
    expect(await fx.bus.readDeadLetters({ subject: "vigil.events.other-tenant.>" })).toEqual([]);
    expect(await fx.bus.readDeadLetters({ fromSeq: dl!.seq + 1 })).toEqual([]);
    await sleep(ACK_WAIT * 1.5);
    expect(seen).toHaveLength(1);
  });

  it("treats a thrown handler error as nak: redelivered, and dead-lettered with the error when it keeps failing", async () => {
    const seen: Seen[] = [];
    await fx.start({
      maxDeliver: 2,
      handler: async (m) => {
        fx.record(seen, m);
        const { n } = m.json<{ n: number }>();
        if (n === 2 || m.deliveryCount === 1) throw new Error(`db down for ${n}`);
        await m.ack();
      },
    });
    await fx.publishN(1);
    await fx.publishN(2);
    await vi.waitFor(async () => expect(await fx.bus.readDeadLetters()).toHaveLength(1), WAIT);
    const [dl] = await fx.bus.readDeadLetters();
    expect(dl!.reason).toBe("max deliveries exceeded (2): handler error: db down for 2");
    await vi.waitFor(() => expect(seen.filter((s) => s.n === 1).map((s) => s.deliveryCount)).toEqual([1, 2]), WAIT);
    // A throw is retried at once (errorDelayMs 0), not after an ack wait.
    const ones = seen.filter((s) => s.n === 1);
    expect(ones[1]!.at - ones[0]!.at).toBeLessThan(ACK_WAIT);
  });
}
