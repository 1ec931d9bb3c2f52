import type { VigilEvent } from "@vigil/sensor/contract";
import { describe, expect, it } from "vitest";
import { addExclusion, type EntityContext } from "../engine/context.ts";
import { bruteForce } from "./brute-force.ts";
import { passwordSpray, SPRAY_ACCOUNTS } from "./password-spray.ts";
import { failure, replay, SECOND, success, type AuthKind } from "./test-events.ts";

const ATTACKER = "10.0.0.66";
const accounts = (n: number) => Array.from({ length: n }, (_, i) => `user${i}`);
/** One wrong-password failure per account, `every` ms apart. */
const round = (kind: AuthKind, n: number, from = 0, every = 100, ip = ATTACKER, code?: number) =>
  accounts(n).map((a, i) => failure(kind, a, { ip, t: from + i * every }, code));

interface Case {
  name: string;
  events: () => VigilEvent[];
  setup?: (ctx: EntityContext) => EntityContext;
  expect: string[];
}

const positive: Case[] = [
  { name: "6 accounts x 1 over NTLM (4776 0xC000006A)", events: () => round("ntlm", SPRAY_ACCOUNTS), expect: [`medium host:${ATTACKER}`] },
  {
    name: "20 accounts x 1 over Kerberos (4771 0x18)",
    events: () => round("kerberos.preauth-failure", 20),
    expect: [`medium host:${ATTACKER}`],
  },
  { name: "wire AS-REP 0x18 spray", events: () => round("kerberos.as", 8), expect: [`medium host:${ATTACKER}`] },
  { name: "LDAP bind spray", events: () => round("ldap.bind", 8), expect: [`medium host:${ATTACKER}`] },
  {
    name: "PurpleSharp: 7 accounts, 4625 on the workstation + 4776 on the DC (2 per account)",
    events: () => accounts(7).flatMap((a, i) => [failure("logon", a, { host: "WS05", t: i }), failure("ntlm", a, { host: "WS05", t: i })]),
    expect: ["medium host:ws05"],
  },
  {
    name: "two rounds of 20 (average 2 per account)",
    events: () => [...round("ntlm", 20), ...round("ntlm", 20, 60 * SECOND)],
    expect: [`medium host:${ATTACKER}`],
  },
  {
    name: "a sprayed password works afterwards: high",
    events: () => [...round("ntlm", 8), success("ntlm", "user3", { ip: ATTACKER, t: 5 * SECOND })],
    expect: [`high host:${ATTACKER}`],
  },
];

const nearMiss: Case[] = [
  { name: "5 accounts: one under the threshold", events: () => round("ntlm", SPRAY_ACCOUNTS - 1), expect: [] },
  { name: "6 accounts spread over more than 10 minutes", events: () => round("ntlm", 6, 0, 130 * SECOND), expect: [] },
  {
    name: "unknown user names (0xC0000064) are account-enumeration's",
    events: () => round("ntlm", 20, 0, 100, ATTACKER, 0xc0000064),
    expect: [],
  },
  { name: "locked-out accounts (0xC0000234)", events: () => round("logon", 20, 0, 100, ATTACKER, 0xc0000234), expect: [] },
  {
    name: "6 accounts from 6 different sources",
    events: () => accounts(6).map((a, i) => failure("ntlm", a, { ip: `10.0.1.${i}`, t: i })),
    expect: [],
  },
];

const benign: Case[] = [
  {
    name: "RDS server: users mistype then log on (typos cleared by the success)",
    events: () =>
      accounts(8).flatMap((a, i) => [
        failure("logon", a, { ip: "10.0.3.3", t: i * 30 * SECOND }),
        success("logon", a, { ip: "10.0.3.3", t: i * 30 * SECOND + 5 * SECOND }),
      ]),
    expect: [],
  },
  {
    name: "machine accounts with broken secure channels",
    events: () => accounts(10).map((a, i) => failure("ntlm", `${a}$`, { ip: ATTACKER, t: i })),
    expect: [],
  },
  {
    name: "AD FS proxy excluded",
    events: () => round("ntlm", 20, 0, 100, "10.0.4.4"),
    setup: (c) => addExclusion(c, "password-spray", "10.0.4.4"),
    expect: [],
  },
];

describe("password-spray", () => {
  describe.each([
    ["positive", positive],
    ["near miss", nearMiss],
    ["benign cause", benign],
  ])("%s", (_kind, cases) => {
    it.each(cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
      const { alerts } = replay([passwordSpray], c.events(), c.setup);
      expect(alerts.map((a) => `${a.severity} ${a.primaryEntity}`)).toEqual(c.expect);
    });
  });

  it.each([
    ["a spray (20 x 1)", () => round("ntlm", 20), "password-spray"],
    ["two spray rounds (20 x 2)", () => [...round("ntlm", 20), ...round("ntlm", 20, 60 * SECOND)], "password-spray"],
    ["guessing (4 accounts x 3)", () => [0, 1, 2].flatMap((r) => round("ntlm", 4, r * SECOND)), "brute-force"],
    [
      "guessing one account (12 x 1)",
      () => Array.from({ length: 12 }, (_, i) => failure("ntlm", "bob", { ip: ATTACKER, t: i })),
      "brute-force",
    ],
  ])("never fires together with brute-force on one source's failures: %s", (_name, events, only) => {
    const { alerts } = replay([passwordSpray, bruteForce], events());
    expect(alerts.map((a) => a.detectionId)).toEqual([only]);
  });

  it("names the source and the sprayed accounts", () => {
    const { alerts } = replay([passwordSpray], round("ntlm", 7));
    expect(alerts[0]!.description).toMatch(/7 wrong-password failures from 10\.0\.0\.66 against 7 accounts \(ACME\\user0, /);
    expect(alerts[0]!.entities.filter((e) => e.role === "target")).toHaveLength(7);
  });
});
