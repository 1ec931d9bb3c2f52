import { finalizeEvent, type VigilEvent } from "@vigil/sensor/contract";
import { describe, expect, it } from "vitest";
import { addExclusion, type EntityContext } from "../engine/context.ts";
import { dsrmPasswordChange } from "./dsrm-password-change.ts";
import { acct, DOMAIN_SID, replay, T0 } from "./test-events.ts";

const admin = acct("administrator", 500);

let rec = 0;
function lifecycle(action: "dsrm-password-set" | "password-reset", c: { dc?: string; t?: number; success?: boolean } = {}): VigilEvent {
  return finalizeEvent({
    tenantId: "acme",
    sensorId: "dc01",
    time: new Date(T0 + (c.t ?? 0)).toISOString(),
    dc: c.dc ?? "DC01.acme.local",
    kind: "account.lifecycle",
    actor: admin,
    ...(action === "password-reset" ? { target: acct("alice", 1201) } : {}),
    action,
    accountType: "user",
    ...(c.success !== undefined ? { success: c.success } : {}),
    origin: { format: "evtx", recordId: String(++rec), eventId: action === "dsrm-password-set" ? 4794 : 4724, channel: "Security" },
  });
}

interface Case {
  name: string;
  events: () => VigilEvent[];
  setup?: (ctx: EntityContext) => EntityContext;
  expect: string[];
}

const positive: Case[] = [
  { name: "4794 DSRM password set", events: () => [lifecycle("dsrm-password-set")], expect: ["medium host:dc01"] },
  {
    name: "a failed attempt (4794 with an error status)",
    events: () => [lifecycle("dsrm-password-set", { success: false })],
    expect: ["medium host:dc01"],
  },
  {
    name: "on two DCs: one alert each",
    events: () => [lifecycle("dsrm-password-set"), lifecycle("dsrm-password-set", { dc: "DC02.acme.local", t: 1_000 })],
    expect: ["medium host:dc01", "medium host:dc02"],
  },
  {
    name: "repeated on one DC within the hour aggregates",
    events: () => [lifecycle("dsrm-password-set"), lifecycle("dsrm-password-set", { t: 60_000 })],
    expect: ["medium host:dc01"],
  },
];

const nearMiss: Case[] = [{ name: "an ordinary password reset (4724)", events: () => [lifecycle("password-reset")], expect: [] }];

const benign: Case[] = [
  {
    name: "planned rotation by an excluded account",
    events: () => [lifecycle("dsrm-password-set")],
    setup: (ctx) => addExclusion(ctx, "dsrm-password-change", `${DOMAIN_SID}-500`),
    expect: [],
  },
];

describe("dsrm-password-change", () => {
  describe.each([
    ["positive", positive],
    ["near miss", nearMiss],
    ["benign cause", benign],
  ])("%s", (_kind, cases) => {
    it.each(cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
      const { alerts } = replay([dsrmPasswordChange], c.events(), c.setup);
      expect(alerts.map((a) => `${a.severity} ${a.primaryEntity}`)).toEqual(c.expect);
    });
  });

  it("says who changed it where", () => {
    const [alert] = replay([dsrmPasswordChange], [lifecycle("dsrm-password-set", { success: false })]).alerts;
    expect(alert!.description).toBe(
      "ACME\\administrator tried to set (and failed) the Directory Services Restore Mode administrator password on DC01.acme.local. With DsrmAdminLogonBehavior = 2 that local account can log on to the DC over the network.",
    );
  });
});
