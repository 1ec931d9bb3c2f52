import { alertSubject } from "@vigil/sensor/contract";
import { createMemoryBus } from "@vigil/sensor/bus";
import { describe, expect, it } from "vitest";
import { createBusAlertFeed } from "./alert-feed.ts";

const alert = (tenantId: string, id: string) => ({
  id,
  tenantId,
  detectionId: "dcsync",
  title: "t",
  description: "d",
  severity: "high",
  status: "open",
  mitre: ["T1003.006"],
  primaryEntity: "account:x",
  entities: [],
  count: 1,
  firstSeen: "2024-03-01T10:00:00Z",
  lastSeen: "2024-03-01T10:00:00Z",
  recommendedActions: [],
});

describe("bus-backed alert feed", () => {
  it("delivers only created alerts of the subscriber's tenant, then unsubscribes on return", async () => {
    const bus = createMemoryBus();
    const feed = createBusAlertFeed(bus);
    const iterator = feed.subscribe("acme")[Symbol.asyncIterator]();
    const first = iterator.next();
    await new Promise((r) => setTimeout(r, 20)); // let the subscription register before publishing
    await bus.publish(alertSubject("globex"), JSON.stringify({ type: "created", alert: alert("globex", "g1") }));
    await bus.publish(alertSubject("acme"), "not json");
    await bus.publish(alertSubject("acme"), JSON.stringify({ type: "updated", alert: alert("acme", "a0") }));
    await bus.publish(alertSubject("acme"), JSON.stringify({ type: "created", alert: alert("globex", "forged") }));
    await bus.publish(alertSubject("acme"), JSON.stringify({ type: "created", alert: alert("acme", "a1") }));
    const got = await first;
    expect(got.value).toMatchObject({ id: "a1", tenantId: "acme", status: "open", firstSeen: new Date("2024-03-01T10:00:00Z") });
    const pending = iterator.next();
    await iterator.return?.();
    expect(await pending).toEqual({ done: true, value: undefined });
    await bus.close();
  });
});
