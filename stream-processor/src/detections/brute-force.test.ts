import { finalizeEvent, type VigilEvent } from "@vigil/sensor/contract";
import { describe, expect, it } from "vitest";
import { addExclusion, type EntityContext } from "../engine/context.ts";
import { bruteForce, FAILURE_THRESHOLD } from "./brute-force.ts";
import { failure, replay, SECOND, success, times, type AuthKind } from "./test-events.ts";

const ATTACKER = "10.0.0.66";
const fail = (kind: AuthKind, account: string, ip: string | undefined, t: number, code?: number) => failure(kind, account, { ip, t }, code);
const ntlmAudit = (account: string, ip: string, t: number) =>
  finalizeEvent({
    ...failure("ntlm", account, { ip, t }),
    result: undefined,
    origin: { format: "evtx", recordId: `audit-${t}`, eventId: 8004, channel: "Microsoft-Windows-NTLM/Operational" },
  } as Parameters<typeof finalizeEvent>[0]);
const accounts = (n: number) => Array.from({ length: n }, (_, i) => `user${i}`);
// An NTLM exchange seen on the wire: the SMB server's STATUS_LOGON_FAILURE, not the DC's sub-status.
const wireNtlm = (account: string, ip: string, t: number) =>
  finalizeEvent({
    ...failure("ntlm", account, { ip, t }),
    result: 0xc000006d,
    origin: { format: "pcap", recordId: `wire-${t}`, channel: "lab.pcapng" },
  } as Parameters<typeof finalizeEvent>[0]);

interface Case {
  name: string;
  events: () => VigilEvent[];
  setup?: (ctx: EntityContext) => EntityContext;
  /** Expected final alerts as `severity primaryEntity`, in creation order. */
  expect: string[];
}

const positive: Case[] = [
  {
    name: "10 bad passwords (4625) from one source against one account",
    events: () => times(10, (c) => fail("logon", "bob", ATTACKER, c.t!)),
    expect: [`medium host:${ATTACKER}`],
  },
  {
    name: "10 Kerberos pre-auth failures (4771 0x18) from 10 sources against one account",
    events: () => times(10, (c, i) => fail("kerberos.preauth-failure", "bob", `10.0.1.${i}`, c.t!)),
    expect: ["medium account:bob"],
  },
  {
    name: "10 NTLM failures (4776) named only by workstation",
    events: () => times(10, (c) => failure("ntlm", "bob", { t: c.t, host: "KALI" })),
    expect: ["medium host:kali"],
  },
  {
    name: "10 failed LDAP simple binds",
    events: () => times(10, (c) => fail("ldap.bind", "bob", ATTACKER, c.t!)),
    expect: [`medium host:${ATTACKER}`],
  },
  {
    name: "10 wire AS-REQ pre-auth failures",
    events: () => times(10, (c) => fail("kerberos.as", "bob", ATTACKER, c.t!)),
    expect: [`medium host:${ATTACKER}`],
  },
  {
    name: "mixed: 4 accounts x 3 guesses from one source (average 3 per account)",
    events: () => accounts(4).flatMap((a, i) => times(3, (c) => fail("ntlm", a, ATTACKER, c.t!), SECOND, i * 10 * SECOND)),
    expect: [`medium host:${ATTACKER}`],
  },
  {
    name: "10 wire NTLM session setups answered STATUS_LOGON_FAILURE (0xC000006D)",
    events: () => times(10, (c) => wireNtlm("bob", ATTACKER, c.t!)),
    expect: [`medium host:${ATTACKER}`],
  },
  {
    name: "unknown-user failures (0xC0000064) hammering one name",
    events: () => times(12, (c) => fail("ntlm", "administrator", ATTACKER, c.t!, 0xc0000064)),
    expect: [`medium host:${ATTACKER}`],
  },
  {
    name: "failures then a success from the same source: high, same alert",
    events: () => [...times(10, (c) => fail("logon", "bob", ATTACKER, c.t!)), success("logon", "bob", { ip: ATTACKER, t: 20 * SECOND })],
    expect: [`high host:${ATTACKER}`],
  },
  {
    name: "samba lab: spray of 12, then 10 guesses at bob, then bob's password works (account alert, high)",
    events: () => [
      ...accounts(11).map((a, i) => fail("kerberos.as", a, ATTACKER, i * 100)),
      fail("kerberos.as", "bob", ATTACKER, 1_200),
      ...times(10, (c) => fail("logon", "bob", ATTACKER, c.t!), 300, 3 * SECOND),
      success("logon", "bob", { ip: ATTACKER, t: 7 * SECOND }),
    ],
    expect: ["high account:bob"],
  },
  {
    name: "a late failure fills the window the stream had already moved past",
    events: () => [...times(9, (c) => fail("logon", "bob", ATTACKER, c.t!), SECOND, 2 * 60 * SECOND), fail("logon", "bob", ATTACKER, 0)],
    expect: [`medium host:${ATTACKER}`],
  },
];

const nearMiss: Case[] = [
  {
    name: "9 failures: one under the threshold",
    events: () => times(FAILURE_THRESHOLD - 1, (c) => fail("logon", "bob", ATTACKER, c.t!)),
    expect: [],
  },
  {
    name: "10 failures spread over more than 10 minutes",
    events: () => times(10, (c) => fail("logon", "bob", ATTACKER, c.t!), 70 * SECOND),
    expect: [],
  },
  {
    name: "password spray: 20 accounts x 1 (password-spray's)",
    events: () => accounts(20).map((a, i) => fail("ntlm", a, ATTACKER, i * SECOND)),
    expect: [],
  },
  {
    name: "two spray rounds: 20 accounts x 2 (average 2 per account)",
    events: () => [0, 1].flatMap((round) => accounts(20).map((a, i) => fail("ntlm", a, ATTACKER, round * 60 * SECOND + i * SECOND))),
    expect: [],
  },
  {
    name: "5 failures then a success (a user who mistyped)",
    events: () => [...times(5, (c) => fail("logon", "bob", ATTACKER, c.t!)), success("logon", "bob", { ip: ATTACKER, t: 10 * SECOND })],
    expect: [],
  },
  {
    name: "an NTLM 8004 audit (no result: outcome unknown) after the failures is not a success",
    events: () => [...times(10, (c) => fail("ntlm", "bob", ATTACKER, c.t!)), ntlmAudit("bob", ATTACKER, 20 * SECOND)],
    expect: [`medium host:${ATTACKER}`],
  },
  {
    name: "Kerberos 0x19 PREAUTH_REQUIRED round trips",
    events: () => times(20, (c) => fail("kerberos.as", "bob", ATTACKER, c.t!, 0x19)),
    expect: [],
  },
  {
    name: "locked-out account retried (0xC0000234)",
    events: () => times(20, (c) => fail("logon", "bob", ATTACKER, c.t!, 0xc0000234)),
    expect: [],
  },
  {
    name: "0xC000006D from a Windows 4776 (the DC names the real reason in its own codes)",
    events: () => times(12, (c) => fail("ntlm", "bob", ATTACKER, c.t!, 0xc000006d)),
    expect: [],
  },
  {
    name: "LDAP bind failures that are not bad credentials (50)",
    events: () => times(20, (c) => fail("ldap.bind", "bob", ATTACKER, c.t!, 50)),
    expect: [],
  },
];

const benign: Case[] = [
  {
    name: "machine account with a broken secure channel",
    events: () => times(20, (c) => fail("ntlm", "WS01$", "10.0.0.7", c.t!)),
    expect: [],
  },
  {
    name: "stale password on a phone behind an excluded source",
    events: () => times(20, (c) => fail("kerberos.preauth-failure", "bob", "10.0.0.9", c.t!)),
    setup: (ctx) => addExclusion(ctx, "brute-force", "10.0.0.0/24"),
    expect: [],
  },
  {
    name: "service with a stale password, account excluded",
    events: () => times(20, (c, i) => fail("logon", "svc_backup", `10.0.2.${i}`, c.t!)),
    setup: (ctx) => addExclusion(ctx, "brute-force", "ACME\\svc_backup"),
    expect: [],
  },
  {
    name: "excluded source does not push an account over the threshold",
    events: () => [
      ...times(8, (c) => fail("logon", "bob", "10.0.0.9", c.t!)),
      ...times(2, (c) => fail("logon", "bob", "10.0.5.5", c.t!), SECOND, 9 * SECOND),
    ],
    setup: (ctx) => addExclusion(ctx, "brute-force", "10.0.0.9"),
    expect: [],
  },
  {
    name: "success from another source does not escalate",
    events: () => [...times(10, (c) => fail("logon", "bob", ATTACKER, c.t!)), success("logon", "bob", { ip: "10.0.0.20", t: 20 * SECOND })],
    expect: [`medium host:${ATTACKER}`],
  },
];

describe("brute-force", () => {
  describe.each([
    ["positive", positive],
    ["near miss", nearMiss],
    ["benign cause", benign],
  ])("%s", (_kind, cases) => {
    it.each(cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
      const { alerts } = replay([bruteForce], c.events(), c.setup);
      expect(alerts.map((a) => `${a.severity} ${a.primaryEntity}`)).toEqual(c.expect);
    });
  });

  it("describes who, from where, against what, and keeps the failures as evidence", () => {
    const events = [...times(10, (c) => fail("logon", "bob", ATTACKER, c.t!)), success("logon", "bob", { ip: ATTACKER, t: 20 * SECOND })];
    const { alerts, updates } = replay([bruteForce], events);
    expect(updates.map((u) => u.type)).toEqual(["created", "updated"]);
    const [alert] = alerts;
    expect(alert!.description).toMatch(
      /10 failed authentications from 10\.0\.0\.66 against ACME\\bob within 10 minutes, then ACME\\bob authenticated successfully/,
    );
    expect(alert!.evidenceEventIds).toEqual(events.map((e) => e.id));
    expect(alert!.entities).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ role: "source", kind: "ip", id: ATTACKER }),
        expect.objectContaining({ role: "target", id: "bob" }),
      ]),
    );
    expect(alert!.title).toMatch(/successful/);
  });

  it("keeps updating one alert while the guessing goes on", () => {
    const { updates, alerts } = replay(
      [bruteForce],
      times(30, (c) => fail("logon", "bob", ATTACKER, c.t!)),
    );
    expect(updates.filter((u) => u.type === "created")).toHaveLength(1);
    expect(alerts[0]!.evidenceCount).toBe(30);
  });
});
