import type { VigilEvent } from "@vigil/sensor/contract";
import { describe, expect, it } from "vitest";
import { addDc, addExclusion, type EntityContext } from "../engine/context.ts";
import { accountEnumeration, UNKNOWN_NAMES } from "./account-enumeration.ts";
import { bruteForce } from "./brute-force.ts";
import { passwordSpray } from "./password-spray.ts";
import { failure, replay, SECOND, success, type AuthKind } from "./test-events.ts";

const ATTACKER = "10.0.0.66";
const NO_SUCH_USER = 0xc0000064;
const PRINCIPAL_UNKNOWN = 0x6;
const names = (n: number) => Array.from({ length: n }, (_, i) => `guess${i}`);
const probe = (kind: AuthKind, n: number, code: number, o: { ip?: string; every?: number } = {}) =>
  names(n).map((a, i) => failure(kind, a, { ip: o.ip ?? ATTACKER, t: i * (o.every ?? 100) }, code));

interface Case {
  name: string;
  events: () => VigilEvent[];
  setup?: (ctx: EntityContext) => EntityContext;
  expect: string[];
}

const positive: Case[] = [
  {
    name: "10 unknown names over Kerberos (4768 0x6)",
    events: () => probe("kerberos.as", UNKNOWN_NAMES, PRINCIPAL_UNKNOWN),
    expect: [`medium host:${ATTACKER}`],
  },
  {
    name: "10 unknown names over NTLM (4776 0xC0000064)",
    events: () => probe("ntlm", UNKNOWN_NAMES, NO_SUCH_USER),
    expect: [`medium host:${ATTACKER}`],
  },
  { name: "10 unknown names in 4625", events: () => probe("logon", UNKNOWN_NAMES, NO_SUCH_USER), expect: [`medium host:${ATTACKER}`] },
  {
    name: "dictionary with some valid names (bad password answers)",
    events: () => [
      ...probe("ntlm", 12, NO_SUCH_USER),
      failure("ntlm", "alice", { ip: ATTACKER, t: 2 * SECOND }),
      failure("ntlm", "bob", { ip: ATTACKER, t: 3 * SECOND }),
    ],
    expect: [`medium host:${ATTACKER}`],
  },
];

const nearMiss: Case[] = [
  { name: "9 unknown names", events: () => probe("ntlm", UNKNOWN_NAMES - 1, NO_SUCH_USER), expect: [] },
  {
    name: "one unknown name hammered 20 times (brute-force's)",
    events: () => Array.from({ length: 20 }, (_, i) => failure("ntlm", "admin", { ip: ATTACKER, t: i }, NO_SUCH_USER)),
    expect: [],
  },
  { name: "10 unknown names over more than 10 minutes", events: () => probe("ntlm", 10, NO_SUCH_USER, { every: 70 * SECOND }), expect: [] },
  { name: "10 existing accounts with wrong passwords (a spray)", events: () => probe("ntlm", 12, 0xc000006a), expect: [] },
  {
    name: "10 unknown names from 10 sources",
    events: () => names(10).map((a, i) => failure("ntlm", a, { ip: `10.0.1.${i}`, t: i }, NO_SUCH_USER)),
    expect: [],
  },
];

const benign: Case[] = [
  {
    name: "stale computer objects (NAME$)",
    events: () => names(12).map((a, i) => failure("kerberos.as", `${a}$`, { ip: ATTACKER, t: i }, PRINCIPAL_UNKNOWN)),
    expect: [],
  },
  {
    name: "Exchange checking whether accounts exist, excluded",
    events: () => probe("ntlm", 20, NO_SUCH_USER, { ip: "10.0.7.7" }),
    setup: (c) => addExclusion(c, "account-enumeration", "10.0.7.7"),
    expect: [],
  },
  {
    name: "a DC forwarding lookups",
    events: () => probe("ntlm", 20, NO_SUCH_USER, { ip: "10.0.0.1" }),
    setup: (c) => addDc(c, { ip: "10.0.0.1" }),
    expect: [],
  },
  {
    name: "a user mistyping their name once, then logging on",
    events: () => [
      failure("logon", "alcie", { ip: "10.0.0.20" }, NO_SUCH_USER),
      success("logon", "alice", { ip: "10.0.0.20", t: 5 * SECOND }),
    ],
    expect: [],
  },
];

describe("account-enumeration", () => {
  describe.each([
    ["positive", positive],
    ["near miss", nearMiss],
    ["benign cause", benign],
  ])("%s", (_kind, cases) => {
    it.each(cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
      const { alerts } = replay([accountEnumeration], c.events(), c.setup);
      expect(alerts.map((a) => `${a.severity} ${a.primaryEntity}`)).toEqual(c.expect);
    });
  });

  it("reports names tried and the valid ones found", () => {
    const events = [
      ...probe("ntlm", 12, NO_SUCH_USER),
      failure("ntlm", "alice", { ip: ATTACKER, t: 2 * SECOND }),
      success("ntlm", "bob", { ip: ATTACKER, t: 3 * SECOND }),
    ];
    const { alerts } = replay([accountEnumeration], events);
    expect(alerts[0]!.description).toBe(
      "10.0.0.66 tried 14 account names within 10 minutes: 12 do not exist; 2 name(s) exist (ACME\\alice, ACME\\bob).",
    );
    expect(alerts[0]!.evidenceEventIds).toEqual(events.map((e) => e.id));
  });

  it("a dictionary of unknown names is not also a spray or brute force", () => {
    const { alerts } = replay([accountEnumeration, passwordSpray, bruteForce], probe("ntlm", 20, NO_SUCH_USER));
    expect(alerts.map((a) => a.detectionId)).toEqual(["account-enumeration"]);
  });
});
