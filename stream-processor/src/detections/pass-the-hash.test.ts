import { finalizeEvent, type VigilEvent } from "@vigil/sensor/contract";
import { describe, expect, it } from "vitest";
import { addExclusion, type EntityContext } from "../engine/context.ts";
import { DAY } from "../engine/detection.ts";
import { passTheHash } from "./pass-the-hash.ts";
import { DOMAIN_SID, replay, T0 } from "./test-events.ts";

let record = 0;
/** A 4624 recorded by a workstation. */
function logon(
  o: { t?: number; type?: number; process?: string; user?: string; sid?: string; host?: string; success?: boolean } = {},
): VigilEvent {
  return finalizeEvent({
    tenantId: "acme",
    sensorId: "ws",
    time: new Date(T0 + (o.t ?? 0)).toISOString(),
    kind: "logon",
    src: { ip: "::1" },
    actor: { name: o.user ?? "user01", domain: "ACME", sid: o.sid ?? `${DOMAIN_SID}-1106` },
    target: { host: o.host ?? "PC01.acme.local" },
    success: o.success ?? true,
    logonType: o.type ?? 9,
    package: "Negotiate",
    process: o.process ?? "seclogo",
    origin: { format: "evtx", recordId: String(++record), eventId: 4624, computer: o.host ?? "PC01.acme.local" },
  });
}

interface Case {
  name: string;
  events: () => VigilEvent[];
  setup?: (ctx: EntityContext) => EntityContext;
  expect: string[];
}

const positive: Case[] = [
  { name: "4624 type 9 seclogo (mimikatz sekurlsa::pth)", events: () => [logon()], expect: ["high host:pc01"] },
  { name: "logon process with padding and upper case", events: () => [logon({ process: "SecLogo " })], expect: ["high host:pc01"] },
  {
    name: "two hosts give two alerts",
    events: () => [logon(), logon({ host: "PC02.acme.local" })],
    expect: ["high host:pc01", "high host:pc02"],
  },
  {
    name: "same account and host again after the repeat period",
    events: () => [logon(), logon({ t: 8 * DAY })],
    expect: ["high host:pc01", "high host:pc01"],
  },
];

const nearMiss: Case[] = [
  { name: "type 9 through another logon process", events: () => [logon({ process: "Advapi" })], expect: [] },
  { name: "type 3 seclogo", events: () => [logon({ type: 3 })], expect: [] },
  { name: "a failed type 9 logon", events: () => [logon({ success: false })], expect: [] },
  { name: "LocalSystem's own type 9 session", events: () => [logon({ user: "PC01$", sid: "S-1-5-18" })], expect: [] },
];

const benign: Case[] = [
  {
    name: "an admin's routine runas /netonly excluded by account",
    events: () => [logon({ user: "admin", sid: `${DOMAIN_SID}-500` })],
    setup: (ctx) => addExclusion(ctx, "pass-the-hash", "ACME\\admin"),
    expect: [],
  },
  {
    name: "an admin jump host excluded by host",
    events: () => [logon({ host: "JUMP01.acme.local" })],
    setup: (ctx) => addExclusion(ctx, "pass-the-hash", "jump01"),
    expect: [],
  },
  {
    name: "the same account and host within 7 days is one alert",
    events: () => [logon(), logon({ t: 2 * DAY })],
    expect: ["high host:pc01"],
  },
];

describe("pass-the-hash", () => {
  describe.each([
    ["positive", positive],
    ["near miss", nearMiss],
    ["benign cause", benign],
  ])("%s", (_kind, cases) => {
    it.each(cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
      const { updates } = replay([passTheHash], c.events(), c.setup);
      const created = updates.filter((u) => u.type === "created").map((u) => `${u.alert.severity} ${u.alert.primaryEntity}`);
      expect(created).toEqual(c.expect);
    });
  });

  it("names the account and host", () => {
    const [alert] = replay([passTheHash], [logon()]).alerts;
    expect(alert!.description).toMatch(/^A process on PC01\.acme\.local running as ACME\\user01 was given separate network credentials/);
    expect(alert!.entities.map((e) => `${e.role}:${e.kind}:${e.id}`)).toEqual([`actor:user:${DOMAIN_SID}-1106`, "source:computer:pc01"]);
  });
});
