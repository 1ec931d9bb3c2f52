import { finalizeEvent, type VigilEvent } from "@vigil/sensor/contract";
import { describe, expect, it } from "vitest";
import { addDc, addExclusion, tagSensitive, type EntityContext } from "../engine/context.ts";
import { DAY } from "../engine/detection.ts";
import { JOIN_MS, samrRecon } from "./samr-recon.ts";
import { DOMAIN_SID, replay, SECOND, T0 } from "./test-events.ts";

const ATTACKER = "10.0.0.66";
const DC = "DC01.acme.local";
let record = 0;
interface O {
  account?: string;
  ip?: string;
  t?: number;
  host?: string;
}
const base = (o: O, eventId: number) => ({
  tenantId: "acme",
  sensorId: "dc01",
  time: new Date(T0 + (o.t ?? 0)).toISOString(),
  actor: { name: o.account ?? "alice", domain: "ACME" },
  origin: { format: "evtx" as const, recordId: String(++record), eventId, channel: "Security", computer: o.host ?? DC },
});
/** 5145 IPC$\samr. */
const samrPipe = (o: O = {}): VigilEvent =>
  finalizeEvent({
    ...base(o, 5145),
    kind: "share.access",
    src: { ip: o.ip ?? ATTACKER },
    target: { host: o.host ?? DC },
    share: "IPC$",
    relativeTarget: "samr",
  });
/** 4661 on the domain SAM (named by DN, so the mapper marks it DC-recorded). */
const openDomain = (o: O = {}, dn = "DC=acme,DC=local"): VigilEvent =>
  finalizeEvent({
    ...base(o, 4661),
    kind: "samr.query",
    dc: o.host ?? DC,
    target: { dn },
    objectType: "SAM_DOMAIN",
    objectName: dn,
    operation: "open",
  });
/** 4661 on a group or user by SID (no `dc` from the mapper). */
const openObject = (type: "SAM_GROUP" | "SAM_USER", rid: number, o: O = {}): VigilEvent =>
  finalizeEvent({
    ...base(o, 4661),
    kind: "samr.query",
    target: { sid: `${DOMAIN_SID}-${rid}` },
    objectType: type,
    objectName: `${DOMAIN_SID}-${rid}`,
    operation: "open",
  });
/** A wire SAM-R call: source on the event itself. */
const wire = (operation: string, o: O = {}): VigilEvent =>
  finalizeEvent({
    ...base(o, 0),
    kind: "samr.query",
    dc: DC,
    src: { ip: o.ip ?? ATTACKER },
    operation,
    origin: { format: "pcap", recordId: String(++record) },
  });
/** The same call when the capture saw no exchange naming the session's user. */
const anonymousWire = (operation: string): VigilEvent => {
  const { actor: _actor, id: _id, v: _v, ...rest } = wire(operation);
  void [_actor, _id, _v];
  return finalizeEvent(rest);
};
const dcKnown = (ctx: EntityContext) => addDc(ctx, { host: "DC01", ip: "10.0.0.1" });
const days = (n: number) => Array.from({ length: n }, (_, d) => [samrPipe({ t: d * DAY }), openDomain({ t: d * DAY + 100 })]).flat();

interface Case {
  name: string;
  events: () => VigilEvent[];
  setup?: (ctx: EntityContext) => EntityContext;
  expect: string[];
}

const positive: Case[] = [
  {
    name: "net user /domain: samr pipe then SAM_DOMAIN open",
    events: () => [samrPipe(), openDomain({ t: 10 })],
    expect: [`medium host:${ATTACKER}`],
  },
  {
    name: "4661 logged before its 5145 (same second)",
    events: () => [openDomain(), samrPipe({ t: 5 })],
    expect: [`medium host:${ATTACKER}`],
  },
  {
    name: 'net group "Domain Admins" /domain: SAM_GROUP RID 512 on a DC known from ctx',
    events: () => [samrPipe(), openObject("SAM_GROUP", 512, { t: 10 })],
    setup: dcKnown,
    expect: [`medium host:${ATTACKER}`],
  },
  {
    name: "a tagged sensitive user opened",
    events: () => [samrPipe(), openObject("SAM_USER", 1500, { t: 10 })],
    setup: (c) => tagSensitive(dcKnown(c), `${DOMAIN_SID}-1500`),
    expect: [`medium host:${ATTACKER}`],
  },
  { name: "wire EnumDomainUsers", events: () => [wire("SamrEnumerateUsersInDomain")], expect: [`medium host:${ATTACKER}`] },
  {
    name: "wire EnumDomainUsers on a Kerberos session the capture cannot name (no actor)",
    events: () => [anonymousWire("SamrEnumerateUsersInDomain")],
    expect: [`medium host:${ATTACKER}`],
  },
  { name: "four days of use: not yet profiled, one alert a day", events: () => days(4), expect: Array(4).fill(`medium host:${ATTACKER}`) },
];

const nearMiss: Case[] = [
  { name: "SAM_DOMAIN open with no network source (local on the DC)", events: () => [openDomain()], expect: [] },
  { name: "5145 more than 2 minutes away", events: () => [samrPipe(), openDomain({ t: JOIN_MS + SECOND })], expect: [] },
  {
    name: "Builtin domain opened (every local logon)",
    events: () => [samrPipe(), openDomain({ t: 10 }, "CN=Builtin,DC=acme,DC=local")],
    expect: [],
  },
  {
    name: "an ordinary group (RID 1105)",
    events: () => [samrPipe(), openObject("SAM_GROUP", 1105, { t: 10 })],
    setup: dcKnown,
    expect: [],
  },
  {
    name: "Domain Admins opened on a host not known as a DC",
    events: () => [samrPipe({ host: "FS01" }), openObject("SAM_GROUP", 512, { t: 10, host: "FS01" })],
    expect: [],
  },
  { name: "the samr pipe alone", events: () => [samrPipe()], setup: dcKnown, expect: [] },
  { name: "wire lookup of one user (not an enumeration)", events: () => [wire("SamrLookupNamesInDomain")], expect: [] },
];

const benign: Case[] = [
  {
    name: "machine account (group policy, LSA lookups)",
    events: () => [samrPipe({ account: "WS01$" }), openDomain({ account: "WS01$", t: 10 })],
    expect: [],
  },
  {
    name: "another DC as source",
    events: () => [samrPipe({ ip: "10.0.0.2" }), openDomain({ t: 10 })],
    setup: (c) => addDc(c, { ip: "10.0.0.2" }),
    expect: [],
  },
  {
    name: "IAM tool excluded by source",
    events: () => [samrPipe({ ip: "10.0.9.9" }), openDomain({ t: 10 })],
    setup: (c) => addExclusion(c, "samr-recon", "10.0.9.9"),
    expect: [],
  },
  {
    name: "a recurring tool is profiled after 5 days over 2 weeks (alerts only before)",
    events: () => [0, 4, 8, 12, 14, 16].flatMap((d) => [samrPipe({ t: d * DAY }), openDomain({ t: d * DAY + 100 })]),
    expect: [
      `medium host:${ATTACKER}`,
      `medium host:${ATTACKER}`,
      `medium host:${ATTACKER}`,
      `medium host:${ATTACKER}`,
      `medium host:${ATTACKER}`,
    ],
  },
];

describe("samr-recon", () => {
  describe.each([
    ["positive", positive],
    ["near miss", nearMiss],
    ["benign cause", benign],
  ])("%s", (_kind, cases) => {
    it.each(cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
      const { alerts } = replay([samrRecon], c.events(), c.setup);
      expect(alerts.map((a) => `${a.severity} ${a.primaryEntity}`)).toEqual(c.expect);
    });
  });

  it("joins the pipe access as evidence and names what was queried and the baseline", () => {
    const events = [
      samrPipe({ account: "sbeavers" }),
      openDomain({ account: "sbeavers", t: 10 }),
      openObject("SAM_GROUP", 512, { account: "sbeavers", t: 20 }),
    ];
    const { alerts } = replay([samrRecon], events);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.evidenceEventIds).toEqual(events.map((e) => e.id));
    expect(alerts[0]!.description).toMatch(
      /ACME\\sbeavers on 10\.0\.0\.66 queried sensitive group "domain admins" over SAM-R on domain controller DC01\.acme\.local/,
    );
    expect(alerts[0]!.description).toMatch(/no SAM-R history/);
  });
});
