import { finalizeEvent, type VigilEvent } from "@vigil/sensor/contract";
import { describe, expect, it } from "vitest";
import { addDc, addExclusion, tagSensitive, type EntityContext } from "../engine/context.ts";
import { DAY } from "../engine/detection.ts";
import { ldapRecon } from "./ldap-recon.ts";
import { replay, T0 } from "./test-events.ts";

const ATTACKER = "10.0.0.66";
const DC = "dc1.acme.local";
let record = 0;
interface O {
  terms?: string[];
  filter?: string;
  account?: string;
  ip?: string;
  t?: number;
}
/** A wire LDAP search as the network source maps it. */
const search = (o: O): VigilEvent =>
  finalizeEvent({
    tenantId: "acme",
    sensorId: "net",
    time: new Date(T0 + (o.t ?? 0)).toISOString(),
    kind: "ldap.search",
    dc: DC,
    actor: { name: o.account ?? "eve", domain: "ACME" },
    src: { ip: o.ip ?? ATTACKER },
    target: { host: DC },
    baseDn: "DC=acme,DC=local",
    scope: "sub",
    attributes: [],
    resultCount: 3,
    ...(o.terms ? { terms: o.terms } : {}),
    ...(o.filter ? { filter: o.filter } : {}),
    origin: { format: "pcap", recordId: String(++record), channel: "test.pcap" },
  });

interface Case {
  name: string;
  events: () => VigilEvent[];
  setup?: (ctx: EntityContext) => EntityContext;
  expect: string[];
}
const ALERT = [`medium host:${ATTACKER}`];

const positive: Case[] = [
  {
    name: "Covenant GetDomainGroup 'Domain Admins' (wire terms)",
    events: () => [search({ terms: ["objectCategory", "samAccountName", "group", "Domain Admins"] })],
    expect: ALERT,
  },
  {
    name: "GetUserSPNs: user objects with an SPN (wire terms)",
    events: () => [search({ terms: ["samAccountType", "samAccountName", "servicePrincipalName", "805306368", "krbtgt"] })],
    expect: ALERT,
  },
  {
    name: "GetNPUsers: DONT_REQ_PREAUTH bit (filter text)",
    events: () => [search({ filter: "(userAccountControl:1.2.840.113556.1.4.803:=4194304)" })],
    expect: ALERT,
  },
  { name: "adminCount=1 (filter text)", events: () => [search({ filter: "(&(objectClass=user)(adminCount=1))" })], expect: ALERT },
  {
    name: "unconstrained delegation hosts",
    events: () => [search({ filter: "(userAccountControl:1.2.840.113556.1.4.803:=524288)" })],
    expect: ALERT,
  },
  {
    name: "a group the tenant tagged sensitive",
    events: () => [search({ terms: ["cn", "Tier0 Operators"] })],
    setup: (ctx) => tagSensitive(ctx, "Tier0 Operators"),
    expect: ALERT,
  },
  {
    name: "no actor known (a Kerberos session the capture could not name)",
    events: () => [{ ...search({ terms: ["Domain Admins"] }), actor: undefined } as VigilEvent],
    expect: ALERT,
  },
];

const nearMiss: Case[] = [
  {
    name: "one user looked up by name",
    events: () => [search({ terms: ["samAccountType", "samAccountName", "805306368", "nmartha"] })],
    expect: [],
  },
  {
    name: "root DSE and schema reads",
    events: () => [search({ terms: ["objectClass"] }), search({ terms: ["objectClass", "dMD"] })],
    expect: [],
  },
  { name: "SPNs of computers only", events: () => [search({ terms: ["objectCategory", "computer", "servicePrincipalName"] })], expect: [] },
  { name: "a group that is not sensitive", events: () => [search({ terms: ["objectCategory", "group", "Marketing"] })], expect: [] },
];

const benign: Case[] = [
  {
    name: "a DC's machine account (replication partner, GPO)",
    events: () => [search({ terms: ["Domain Admins"], account: "DC2$" })],
    expect: [],
  },
  {
    name: "from a known DC",
    events: () => [search({ terms: ["Domain Admins"], ip: "10.0.0.1" })],
    setup: (ctx) => addDc(ctx, { host: "DC01", ip: "10.0.0.1" }),
    expect: [],
  },
  {
    name: "an IAM server excluded for this detection",
    events: () => [search({ terms: ["adminCount", "1"] })],
    setup: (ctx) => addExclusion(ctx, "ldap-recon", ATTACKER),
    expect: [],
  },
  {
    name: "a tool that queries admin groups every day is profiled after 5 days over 2 weeks",
    events: () => [0, 3, 6, 9, 12, 15].map((d) => search({ terms: ["Domain Admins"], t: d * DAY })),
    // Days 0, 3, 6, 9 and 12 alert (one alert each, an hour window apart) and build the profile; day 15 is profiled.
    expect: Array.from({ length: 5 }, () => ALERT[0]!),
  },
];

describe("ldap-recon", () => {
  describe.each([
    ["positive", positive],
    ["near miss", nearMiss],
    ["benign cause", benign],
  ])("%s", (_kind, cases) => {
    it.each(cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
      const { alerts } = replay([ldapRecon], c.events(), c.setup);
      expect(alerts.map((a) => `${a.severity} ${a.primaryEntity}`)).toEqual(c.expect);
    });
  });

  it("says what was searched, from where, on which DC, with the baseline", () => {
    const { alerts } = replay([ldapRecon], [search({ terms: ["objectCategory", "group", "Domain Admins"] })]);
    expect(alerts[0]!.description).toMatch(
      /ACME\\eve on 10\.0\.0\.66 searched dc1\.acme\.local over LDAP for sensitive group Domain Admins \(3 entries returned\)\. This source has no LDAP reconnaissance/,
    );
  });

  it("stops alerting once the source is profiled", () => {
    const days = [0, 3, 6, 9, 12, 15].map((d) => search({ terms: ["Domain Admins"], t: d * DAY }));
    const { updates } = replay([ldapRecon], days);
    const last = days[days.length - 1]!;
    expect(updates.some((u) => u.alert.evidenceEventIds.includes(last.id))).toBe(false);
  });
});
