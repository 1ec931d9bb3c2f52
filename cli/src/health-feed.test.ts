import { healthSubject, SIEM_TEST_ROOT } from "@vigil/sensor/contract";
import { createMemoryBus, type BusEvent } from "@vigil/sensor/bus";
import { describe, expect, it } from "vitest";
import { createBusHealthFeed, createBusSiemTests } from "./health-feed.ts";

const issue = (tenantId: string, id: string) => ({
  tenantId,
  id,
  sensorId: null,
  type: "siem-queue-overflow",
  subject: "",
  title: "SIEM notifications were dropped",
  severity: "medium",
  status: "open",
  description: "d",
  details: { dropped: 3 },
  firstSeen: "2026-11-25T10:00:00.000Z",
  lastSeen: "2026-11-25T10:01:00.000Z",
  closedAt: null,
  suppressedUntil: null,
});

describe("bus-backed health feed", () => {
  it("delivers the subscriber's tenant's changes only, skipping malformed and forged bodies, and unsubscribes on return", async () => {
    const bus = createMemoryBus();
    const feed = createBusHealthFeed(bus);
    const iterator = feed.subscribe("acme")[Symbol.asyncIterator]();
    const first = iterator.next();
    await new Promise((r) => setTimeout(r, 20)); // let the subscription register before publishing
    await bus.publish(healthSubject("globex"), JSON.stringify({ change: "raised", issue: issue("globex", "g1") }));
    await bus.publish(healthSubject("acme"), "not json");
    await bus.publish(healthSubject("acme"), JSON.stringify({ change: "deleted", issue: issue("acme", "bad-change") }));
    await bus.publish(healthSubject("acme"), JSON.stringify({ change: "raised", issue: issue("globex", "forged") }));
    await bus.publish(healthSubject("acme"), JSON.stringify({ change: "raised" }));
    await bus.publish(healthSubject("acme"), JSON.stringify({ change: "raised", issue: issue("acme", "a1") }));
    expect((await first).value).toMatchObject({
      change: "raised",
      issue: { id: "a1", tenantId: "acme", firstSeen: new Date("2026-11-25T10:00:00.000Z"), closedAt: null, details: { dropped: 3 } },
    });
    const pending = iterator.next();
    await iterator.return?.();
    expect(await pending).toEqual({ done: true, value: undefined });
    await bus.close();
  });

  it("publishes API-side changes in the processor's wire form, and test requests on the tenant's subject", async () => {
    const bus = createMemoryBus();
    const seen: BusEvent[] = [];
    const sub = await bus.subscribe("vigil.>");
    void (async () => {
      for await (const m of sub) seen.push(m);
    })();
    const at = new Date("2026-11-25T10:00:00.000Z");
    await createBusHealthFeed(bus).publish({
      change: "suppressed",
      issue: {
        ...issue("acme", "a2"),
        severity: "medium",
        status: "suppressed",
        firstSeen: at,
        lastSeen: at,
        closedAt: null,
        suppressedUntil: at,
      },
    });
    await createBusSiemTests(bus).request("acme");
    await new Promise((r) => setTimeout(r, 20));
    expect(seen.map((m) => m.subject)).toEqual([healthSubject("acme"), `${SIEM_TEST_ROOT}.acme`]);
    expect(seen[0]!.json()).toMatchObject({ change: "suppressed", issue: { id: "a2", suppressedUntil: "2026-11-25T10:00:00.000Z" } });
    sub.unsubscribe();
    await bus.close();
  });
});
