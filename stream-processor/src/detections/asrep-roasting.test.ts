import { finalizeEvent, type VigilEvent } from "@vigil/sensor/contract";
import { describe, expect, it } from "vitest";
import { addDc, addExclusion, type EntityContext } from "../engine/context.ts";
import { DAY } from "../engine/detection.ts";
import { asrepRoasting } from "./asrep-roasting.ts";
import { replay, T0 } from "./test-events.ts";

const ATTACKER = "10.0.0.66";
let record = 0;
/** A 4768 for `account` from `ip` with the given pre-auth type (0 = none). */
const tgt = (account: string, o: { t?: number; ip?: string; preAuth?: number; result?: number; offered?: number[] } = {}): VigilEvent =>
  finalizeEvent({
    tenantId: "acme",
    sensorId: "dc01",
    time: new Date(T0 + (o.t ?? 0)).toISOString(),
    dc: "DC01.acme.local",
    kind: "kerberos.as",
    actor: { name: account, domain: "ACME" },
    src: { ip: o.ip ?? ATTACKER },
    result: o.result ?? 0,
    etype: 0x17,
    ...(o.result && o.result !== 0 ? {} : { preAuthType: o.preAuth ?? 0 }),
    ...(o.offered ? { requestedEtypes: o.offered } : {}),
    origin: { format: "evtx", recordId: String(++record), eventId: 4768, channel: "Security" },
  });

interface Case {
  name: string;
  events: () => VigilEvent[];
  setup?: (ctx: EntityContext) => EntityContext;
  expect: string[];
}

const positive: Case[] = [
  {
    name: "no-pre-auth TGTs for 2 accounts from one source",
    events: () => [tgt("legacy1"), tgt("legacy2", { t: 500 })],
    expect: [`high host:${ATTACKER}`],
  },
  {
    name: "a sweep of 5 roastable accounts",
    events: () => ["a", "b", "c", "d", "e"].map((a, i) => tgt(a, { t: i })),
    expect: [`high host:${ATTACKER}`],
  },
  {
    name: "targeted: bob pre-authenticated yesterday, now gets a TGT without it",
    events: () => [tgt("bob", { preAuth: 2, ip: "10.0.0.20" }), tgt("bob", { t: DAY })],
    expect: [`high host:${ATTACKER}`],
  },
  {
    name: "wire: one roastable account, AS-REQ offering only RC4",
    events: () => [tgt("carol", { offered: [0x17] })],
    expect: [`high host:${ATTACKER}`],
  },
  {
    name: "GetNPUsers -usersfile: unknown and pre-auth-required names around carol's TGT",
    events: () => [
      tgt("nosuchuser", { result: 0x6 }),
      tgt("alice", { result: 0x19, t: 10 }),
      tgt("carol", { t: 20 }),
      tgt("bob", { result: 0x19, t: 30 }),
    ],
    expect: [`high host:${ATTACKER}`],
  },
];

const nearMiss: Case[] = [
  {
    name: "one roastable account, never seen with pre-auth (legacy app)",
    events: () => [tgt("legacy1"), tgt("legacy1", { t: 60_000 })],
    expect: [],
  },
  { name: "2 accounts more than an hour apart", events: () => [tgt("legacy1"), tgt("legacy2", { t: 2 * 60 * 60_000 })], expect: [] },
  {
    name: "pre-authenticated TGTs (type 2) for many accounts",
    events: () => ["a", "b", "c"].map((a, i) => tgt(a, { t: i, preAuth: 2 })),
    expect: [],
  },
  {
    name: "failed AS requests (0x19 pre-auth required)",
    events: () => ["a", "b", "c"].map((a, i) => tgt(a, { t: i, result: 0x19 })),
    expect: [],
  },
  {
    name: "wire: one roastable account, AS-REQ offering AES too",
    events: () => [tgt("legacy1", { offered: [0x12, 0x11, 0x17] })],
    expect: [],
  },
  {
    name: "a legacy TGT on a workstation where one other user's logon started with 0x19",
    events: () => [tgt("alice", { result: 0x19 }), tgt("legacy1", { t: 10 })],
    expect: [],
  },
  { name: "2 accounts from 2 sources", events: () => [tgt("legacy1"), tgt("legacy2", { ip: "10.0.0.67" })], expect: [] },
];

const benign: Case[] = [
  { name: "machine accounts", events: () => [tgt("WS1$"), tgt("WS2$")], expect: [] },
  {
    name: "a DC as the source",
    events: () => [tgt("legacy1", { ip: "10.0.0.1" }), tgt("legacy2", { ip: "10.0.0.1" })],
    setup: (c) => addDc(c, { ip: "10.0.0.1" }),
    expect: [],
  },
  {
    name: "an admin disabled pre-auth on purpose; account excluded",
    events: () => [tgt("bob", { preAuth: 2 }), tgt("bob", { t: DAY })],
    setup: (c) => addExclusion(c, "asrep-roasting", "ACME\\bob"),
    expect: [],
  },
  {
    name: "a Unix host running two legacy accounts, excluded by source",
    events: () => [tgt("legacy1", { ip: "10.0.5.5" }), tgt("legacy2", { ip: "10.0.5.5" })],
    setup: (c) => addExclusion(c, "asrep-roasting", "10.0.5.5"),
    expect: [],
  },
];

describe("asrep-roasting", () => {
  describe.each([
    ["positive", positive],
    ["near miss", nearMiss],
    ["benign cause", benign],
  ])("%s", (_kind, cases) => {
    it.each(cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
      const { alerts } = replay([asrepRoasting], c.events(), c.setup);
      expect(alerts.map((a) => `${a.severity} ${a.primaryEntity}`)).toEqual(c.expect);
    });
  });

  it("names the source and the roasted accounts", () => {
    const { alerts } = replay([asrepRoasting], [tgt("legacy1"), tgt("legacy2", { t: 1 })]);
    expect(alerts[0]!.description).toMatch(
      /10\.0\.0\.66 got TGTs without pre-authentication for 2 accounts \(ACME\\legacy1, ACME\\legacy2\)/,
    );
    expect(alerts[0]!.entities.filter((e) => e.role === "target").map((e) => e.id)).toEqual(["legacy1", "legacy2"]);
  });
});
