import { finalizeEvent, type VigilEvent } from "@vigil/sensor/contract";
import { describe, expect, it } from "vitest";
import { addExclusion, type EntityContext } from "../engine/context.ts";
import { DAY, MINUTE } from "../engine/detection.ts";
import { skeletonKey } from "./skeleton-key.ts";
import { replay, SECOND, T0 } from "./test-events.ts";

const WINDOWS_OFFER = [18, 17, 23, 24, -135, 3];
const AES256 = 18;
const RC4 = 23;

let record = 0;
/** A successful AS exchange as the network mapper emits it (reply etype = the key the KDC chose). */
function as(account: string, etype: number, o: { t?: number; dc?: string; offered?: number[]; result?: number } = {}): VigilEvent {
  return finalizeEvent({
    tenantId: "acme",
    sensorId: "s",
    time: new Date(T0 + (o.t ?? 0)).toISOString(),
    kind: "kerberos.as",
    dc: o.dc ?? "DC01.acme.local",
    actor: { name: account, domain: "ACME" },
    src: { ip: "10.0.3.40" },
    result: o.result ?? 0,
    etype,
    ticketEtype: AES256,
    requestedEtypes: o.offered ?? WINDOWS_OFFER,
    service: "krbtgt/ACME.LOCAL",
    origin: { format: "pcap", recordId: String(++record), channel: "test.pcap" },
  });
}

const users = (n: number) => Array.from({ length: n }, (_, i) => `user${i + 1}`);
/** Yesterday: every user logs on with AES at DC01 or DC02. */
const baseline = (names = users(8)) =>
  names.map((u, i) => as(u, AES256, { t: -DAY + i * SECOND, dc: i % 2 ? "DC02.acme.local" : undefined }));
/** Today from T0: the users' logons answered by `dc` with `etype`, a minute apart. */
const logons = (names: string[], etype: number, o: { dc?: string; offered?: number[]; from?: number } = {}) =>
  names.map((u, i) => as(u, etype, { t: (o.from ?? 0) + i * MINUTE, ...o }));

interface Case {
  name: string;
  events: () => VigilEvent[];
  setup?: (ctx: EntityContext) => EntityContext;
  /** `severity primaryEntity evidenceCount` per alert. */
  expect: string[];
}

const positive: Case[] = [
  {
    name: "five AES accounts answered with RC4 by DC01 while DC02 keeps AES",
    events: () => [...baseline(), ...logons(users(5), RC4), as("user6", AES256, { t: 30 * SECOND, dc: "DC02.acme.local" })],
    expect: ["high host:dc01 5"],
  },
  {
    name: "later downgrades update the alert",
    events: () => [...baseline(), ...logons(users(8), RC4)],
    expect: ["high host:dc01 8"],
  },
  { name: "DES is a downgrade too", events: () => [...baseline(), ...logons(users(5), 3)], expect: ["high host:dc01 5"] },
  {
    name: "downgrades after the DC's last AES reply count",
    events: () => [...baseline(), as("user8", AES256, { t: -MINUTE }), ...logons(users(5), RC4)],
    expect: ["high host:dc01 5"],
  },
];

const nearMiss: Case[] = [
  { name: "four accounts (below MIN_ACCOUNTS)", events: () => [...baseline(), ...logons(users(4), RC4)], expect: [] },
  {
    name: "five downgrades spread over more than the window",
    events: () => [...baseline(), ...users(5).map((u, i) => as(u, RC4, { t: i * 20 * MINUTE }))],
    expect: [],
  },
  {
    name: "the same DC still answers someone with AES between the downgrades",
    events: () => [
      ...baseline(),
      ...logons(users(3), RC4),
      as("user7", AES256, { t: 3 * MINUTE - SECOND }),
      ...logons(users(5).slice(3), RC4, { from: 3 * MINUTE }),
    ],
    expect: [],
  },
  {
    name: "downgrades split over two DCs",
    events: () => [...baseline(), ...logons(users(3), RC4), ...logons(users(6).slice(3), RC4, { dc: "DC02.acme.local", from: 3 * MINUTE })],
    expect: [],
  },
  {
    name: "failed AS exchanges",
    events: () => [...baseline(), ...users(5).map((u, i) => as(u, RC4, { t: i * MINUTE, result: 0x18 }))],
    expect: [],
  },
];

const benign: Case[] = [
  { name: "accounts that never had AES (no AES keys)", events: () => logons(users(6), RC4), expect: [] },
  {
    name: "legacy clients offering RC4 only",
    events: () => [...baseline(), ...logons(users(6), RC4, { offered: [RC4] })],
    expect: [],
  },
  {
    name: "a DC restricted to RC4 on purpose, excluded",
    events: () => [...baseline(), ...logons(users(6), RC4)],
    setup: (c) => addExclusion(c, "skeleton-key", "DC01"),
    expect: [],
  },
  {
    name: "excluded accounts are not counted",
    events: () => [...baseline(), ...logons(users(5), RC4)],
    setup: (c) => addExclusion(c, "skeleton-key", "user5"),
    expect: [],
  },
  {
    name: "AES memory ends after 30 days",
    events: () => [
      ...baseline().map((e) => ({ ...e, time: new Date(Date.parse(e.time) - 30 * DAY).toISOString() })),
      ...logons(users(6), RC4),
    ],
    expect: [],
  },
];

describe("skeleton-key", () => {
  describe.each([
    ["positive", positive],
    ["near miss", nearMiss],
    ["benign cause", benign],
  ])("%s", (_kind, cases) => {
    it.each(cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
      const { alerts } = replay([skeletonKey], c.events(), c.setup);
      expect(alerts.map((a) => `${a.severity} ${a.primaryEntity} ${a.evidenceCount}`)).toEqual(c.expect);
    });
  });

  it("names the DC, the accounts and the DCs that kept AES", () => {
    const events = [...baseline(), as("user6", AES256, { t: 10 * SECOND, dc: "DC02.acme.local" }), ...logons(users(5), RC4)];
    const [alert] = replay([skeletonKey], events).alerts;
    expect(alert!.description).toBe(
      "Domain controller DC01.acme.local answered the Kerberos logons of 5 accounts that offered AES and used AES before with RC4 only (ACME\\user1, ACME\\user2, ACME\\user3 and 2 more), and answered nobody with AES, while dc02 kept answering with AES: its LSASS may be patched with a Skeleton Key.",
    );
    expect(alert!.entities.map((e) => `${e.role}:${e.id}`)).toEqual(["dc:dc01", ...users(5).map((u) => `target:ACME\\${u}`)]);
  });

  it("says when no other DC can be compared", () => {
    const events = [...users(5).map((u, i) => as(u, AES256, { t: -DAY + i })), ...logons(users(5), RC4)];
    expect(replay([skeletonKey], events).alerts[0]!.description).toMatch(/no other DC answered with AES meanwhile to compare with/);
  });
});
