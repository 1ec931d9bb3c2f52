import { finalizeEvent, type Principal, type VigilEvent } from "@vigil/sensor/contract";
import { describe, expect, it } from "vitest";
import { addExclusion, type EntityContext } from "../engine/context.ts";
import { sidHistoryInjection } from "./sid-history-injection.ts";
import { acct, DOMAIN_SID, replay, T0 } from "./test-events.ts";

const admin = acct("admin", 1100);
const ALICE = `${DOMAIN_SID}-1201`;
const OLD_DOMAIN = "S-1-5-21-111-222-333";

let rec = 0;
function sidHistory(
  value: string | undefined,
  c: { eventId?: number; success?: boolean; op?: "add" | "delete"; actor?: Principal; t?: number } = {},
): VigilEvent {
  return finalizeEvent({
    tenantId: "acme",
    sensorId: "dc01",
    time: new Date(T0 + (c.t ?? 0)).toISOString(),
    dc: "DC01.acme.local",
    kind: "directory.change",
    actor: c.actor ?? admin,
    target: { name: "alice", domain: "ACME", sid: ALICE },
    attribute: "sIDHistory",
    operation: c.op ?? "add",
    ...(value ? { value } : {}),
    ...(c.success !== undefined ? { success: c.success } : {}),
    origin: { format: "evtx", recordId: String(++rec), eventId: c.eventId ?? 4765, channel: "Security" },
  });
}

interface Case {
  name: string;
  events: () => VigilEvent[];
  setup?: (ctx: EntityContext) => EntityContext;
  expect: string[];
}

const positive: Case[] = [
  {
    name: "4765: Domain Admins' SID added (mimikatz sid::add)",
    events: () => [sidHistory(`${DOMAIN_SID}-512`)],
    expect: [`high account:${ALICE}`],
  },
  {
    name: "4766: adding failed, the attempt still alerts",
    events: () => [sidHistory(`${DOMAIN_SID}-519`, { eventId: 4766, success: false })],
    expect: [`high account:${ALICE}`],
  },
  {
    name: "5136 value add without a SID in the text",
    events: () => [sidHistory(undefined, { eventId: 5136 })],
    expect: [`high account:${ALICE}`],
  },
  {
    name: "a foreign domain's user SID (migration-like, not excluded)",
    events: () => [sidHistory(`${OLD_DOMAIN}-1500`)],
    expect: [`high account:${ALICE}`],
  },
];

const nearMiss: Case[] = [
  {
    name: "SID history removed (cleanup after migration)",
    events: () => [sidHistory(`${OLD_DOMAIN}-1500`, { op: "delete", eventId: 5136 })],
    expect: [],
  },
];

const benign: Case[] = [
  {
    name: "ADMT migration account excluded for the migration",
    events: () => [sidHistory(`${OLD_DOMAIN}-1500`, { actor: acct("svc_admt", 1400) })],
    setup: (ctx) => addExclusion(ctx, "sid-history-injection", "svc_admt"),
    expect: [],
  },
];

describe("sid-history-injection", () => {
  describe.each([
    ["positive", positive],
    ["near miss", nearMiss],
    ["benign cause", benign],
  ])("%s", (_kind, cases) => {
    it.each(cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
      const { alerts } = replay([sidHistoryInjection], c.events(), c.setup);
      expect(alerts.map((a) => `${a.severity} ${a.primaryEntity}`)).toEqual(c.expect);
    });
  });

  it("calls out a privileged SID", () => {
    const [alert] = replay([sidHistoryInjection], [sidHistory(`${DOMAIN_SID}-512`)]).alerts;
    expect(alert!.description).toBe(
      `ACME\\admin added SID ${DOMAIN_SID}-512 to the SID history of alice on DC01.acme.local. ${DOMAIN_SID}-512 is a privileged SID: the account would act as that admin.`,
    );
  });
});
