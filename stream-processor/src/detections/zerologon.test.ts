import { finalizeEvent, type EventDraft, type Principal, type VigilEvent } from "@vigil/sensor/contract";
import { describe, expect, it } from "vitest";
import { addDc, addExclusion, type EntityContext } from "../engine/context.ts";
import { zerologon } from "./zerologon.ts";
import { acct, DOMAIN_SID, kdcEvent, replay, SECOND, T0, times, type Common } from "./test-events.ts";

const ANONYMOUS: Principal = { sid: "S-1-5-7", name: "ANONYMOUS LOGON", domain: "NT AUTHORITY" };
let record = 0;
const base = (c: Common, eventId: number) => ({
  tenantId: "acme",
  sensorId: "dc01",
  time: new Date(T0 + (c.t ?? 0)).toISOString(),
  dc: c.dc ?? "DC01.acme.local",
  ...(c.ip ? { src: { ip: c.ip } } : {}),
  origin: { format: "evtx" as const, recordId: String(++record), eventId },
});

/** 4742 pwdLastSet on a computer account. */
const pwdSet = (actor: Principal, target: Principal, c: Common = {}): VigilEvent =>
  finalizeEvent({
    ...base(c, 4742),
    kind: "directory.change",
    actor,
    target,
    objectClass: "computer",
    attribute: "pwdLastSet",
    operation: "replace",
    value: "9/16/2020 11:40:05 PM",
  } as EventDraft);

/** Netlogon 5805 / 5827 / 5829 naming a machine account. */
const netlogon = (eventId: 5805 | 5827 | 5829, machine: string, c: Common = {}): VigilEvent =>
  finalizeEvent({
    ...base(c, eventId),
    kind: "netlogon",
    actor: { name: machine },
    machineAccount: machine,
    operation:
      eventId === 5805 ? "session-authentication-failed" : eventId === 5829 ? "vulnerable-channel-allowed" : "vulnerable-channel-denied",
    result: eventId === 5829 ? 0 : 0xc0000022,
  } as EventDraft);

/** 4724 password reset. */
const reset = (actor: Principal, target: Principal, c: Common = {}): VigilEvent =>
  finalizeEvent({
    ...base(c, 4724),
    kind: "account.lifecycle",
    actor,
    target,
    action: "password-reset",
    accountType: "unknown",
  } as EventDraft);

const dc01 = { ...acct("DC01$"), sid: `${DOMAIN_SID}-1000` };
const dc02 = acct("DC02$");
const ws01 = acct("WS01$");

interface Case {
  name: string;
  events: () => VigilEvent[];
  setup?: (ctx: EntityContext) => EntityContext;
  /** Expected alerts as `severity primaryEntity`. */
  expect: string[];
}

const positive: Case[] = [
  {
    name: "4742 pwdLastSet on the recording DC's account by ANONYMOUS LOGON (the exploit)",
    events: () => [pwdSet(ANONYMOUS, dc01)],
    expect: ["high account:dc01"],
  },
  {
    name: "the same on another DC known from its KDC events",
    events: () => [kdcEvent("DC02.acme.local"), pwdSet(ANONYMOUS, dc02)],
    expect: ["high account:dc02"],
  },
  { name: "5805 for the recording DC's own account", events: () => [netlogon(5805, "DC01")], expect: ["high account:dc01"] },
  {
    name: "5829 vulnerable channel allowed for a DC account",
    events: () => [netlogon(5829, "DC02$")],
    setup: (ctx) => addDc(ctx, { host: "DC02" }),
    expect: ["high account:dc02"],
  },
  { name: "5827 vulnerable channel denied for a DC account", events: () => [netlogon(5827, "DC01$")], expect: ["high account:dc01"] },
  {
    name: "10 failures for one member account within a minute",
    events: () => times(10, (c) => netlogon(5805, "WS07", c), 5 * SECOND),
    expect: ["high account:ws07"],
  },
  {
    name: "4724 reset of a DC account by an admin (postzerologon)",
    events: () => [reset(acct("Administrator", 500), dc01)],
    expect: ["medium account:dc01"],
  },
];

const nearMiss: Case[] = [
  {
    name: "9 failures for one member account within a minute",
    events: () => times(9, (c) => netlogon(5805, "WS07", c), 5 * SECOND),
    expect: [],
  },
  { name: "10 failures spread over 10 minutes", events: () => times(10, (c) => netlogon(5805, "WS07", c), MINUTE_MS), expect: [] },
  { name: "pwdLastSet on a DC by the DC itself", events: () => [pwdSet(dc01, dc01)], expect: [] },
  {
    name: "another attribute on a DC by ANONYMOUS",
    events: () => [finalizeEvent({ ...pwdSet(ANONYMOUS, dc01), id: undefined, attribute: "dNSHostName" } as unknown as EventDraft)],
    expect: [],
  },
  { name: "a user named like a DC without $ (noPac) is not the DC", events: () => [pwdSet(ANONYMOUS, acct("DC01"))], expect: [] },
];

const benign: Case[] = [
  { name: "a member computer rotating its password (4742 by ANONYMOUS)", events: () => [pwdSet(ANONYMOUS, ws01)], expect: [] },
  { name: "a legacy device on the vulnerable channel (5829 for a member)", events: () => [netlogon(5829, "NAS01$")], expect: [] },
  {
    name: "a member with a broken secure channel (a few 5805)",
    events: () => times(3, (c) => netlogon(5805, "WS07", c), 2 * MINUTE_MS),
    expect: [],
  },
  { name: "a DC resetting its own password", events: () => [reset(dc01, dc01)], expect: [] },
  {
    name: "an admin's DC password repair, excluded",
    events: () => [reset(acct("Administrator", 500), dc01)],
    setup: (ctx) => addExclusion(ctx, "zerologon", `${DOMAIN_SID}-500`),
    expect: [],
  },
];

const MINUTE_MS = 60 * SECOND;

describe("zerologon", () => {
  describe.each([
    ["positive", positive],
    ["near miss", nearMiss],
    ["benign cause", benign],
  ])("%s", (_kind, cases) => {
    it.each(cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
      const { alerts } = replay([zerologon], c.events(), c.setup);
      expect(alerts.map((a) => `${a.severity} ${a.primaryEntity}`)).toEqual(c.expect);
    });
  });

  it("names the DC account and the anonymous actor", () => {
    const [alert] = replay([zerologon], [pwdSet(ANONYMOUS, dc01)]).alerts;
    expect(alert!.description).toBe(
      "ANONYMOUS LOGON set the password of domain controller account ACME\\DC01$ on DC01.acme.local: this is how the Zerologon exploit empties a DC's machine password.",
    );
    expect(alert!.entities.map((e) => `${e.role}:${e.kind}:${e.id}`)).toEqual([
      "actor:user:S-1-5-7",
      `target:computer:${DOMAIN_SID}-1000`,
      "dc:computer:dc01",
    ]);
  });

  it("keeps the whole burst as evidence", () => {
    const [alert] = replay(
      [zerologon],
      times(12, (c) => netlogon(5805, "WS07", c), SECOND),
    ).alerts;
    expect(alert!.evidenceEventIds).toHaveLength(12);
  });
});
