import { finalizeEvent, type VigilEvent } from "@vigil/sensor/contract";
import { describe, expect, it } from "vitest";
import { addDc, addExclusion, type EntityContext } from "../engine/context.ts";
import { DAY } from "../engine/detection.ts";
import { dnsZoneTransfer } from "./dns-zone-transfer.ts";
import { replay, SECOND, T0 } from "./test-events.ts";

let record = 0;
/** A DNS query as the network mapper emits it: from `ip` to the DNS server `server`. */
function dns(
  qtype: string,
  o: { t?: number; ip?: string; host?: string; server?: string; zone?: string; rcode?: number } = {},
): VigilEvent {
  return finalizeEvent({
    tenantId: "acme",
    sensorId: "s",
    time: new Date(T0 + (o.t ?? 0)).toISOString(),
    kind: "dns.query",
    src: { ip: o.ip ?? "10.0.2.17", ...(o.host ? { host: o.host } : {}) },
    target: { host: o.server ?? "dc01.acme.local" },
    qname: o.zone ?? "acme.local",
    qtype,
    ...(o.rcode === undefined ? {} : { rcode: o.rcode }),
    origin: { format: "pcap", recordId: String(++record), channel: "test.pcap" },
  });
}

const dc01 = (ctx: EntityContext) => addDc(addDc(ctx, { host: "DC01.acme.local", ip: "10.0.0.10" }), { host: "DC02", ip: "10.0.0.11" });
const BIND = "10.0.5.53";

interface Case {
  name: string;
  events: () => VigilEvent[];
  setup?: (ctx: EntityContext) => EntityContext;
  /** `severity primaryEntity evidenceCount` per alert. */
  expect: string[];
}

const positive: Case[] = [
  { name: "AXFR from a workstation, refused", events: () => [dns("AXFR", { rcode: 5 })], setup: dc01, expect: ["medium host:10.0.2.17 1"] },
  { name: "AXFR answered with NOERROR", events: () => [dns("AXFR", { rcode: 0 })], setup: dc01, expect: ["medium host:10.0.2.17 1"] },
  { name: "IXFR (an old serial gets the whole zone)", events: () => [dns("IXFR", { rcode: 0 })], expect: ["medium host:10.0.2.17 1"] },
  { name: "no answer seen (capture cut)", events: () => [dns("axfr")], expect: ["medium host:10.0.2.17 1"] },
  {
    name: "several zones and DCs within the hour: one alert per source",
    events: () => [
      dns("AXFR", { rcode: 5 }),
      dns("AXFR", { t: SECOND, zone: "_msdcs.acme.local", rcode: 5 }),
      dns("AXFR", { t: 2 * SECOND, server: "dc02", rcode: 5 }),
      dns("AXFR", { t: 3 * SECOND, ip: "10.0.2.18", rcode: 5 }),
    ],
    setup: dc01,
    expect: ["medium host:10.0.2.17 3", "medium host:10.0.2.18 1"],
  },
  {
    name: "a refused transfer by a DC does not make the server a learned DNS server",
    events: () => [dns("AXFR", { ip: "10.0.0.10", server: BIND, rcode: 5 }), dns("AXFR", { t: SECOND, ip: BIND, rcode: 0 })],
    setup: dc01,
    expect: [`medium host:${BIND} 1`],
  },
  {
    name: "a learned secondary is forgotten 30 days after it last answered",
    events: () => [dns("SOA", { ip: "10.0.0.10", server: BIND, rcode: 0 }), dns("AXFR", { t: 31 * DAY, ip: BIND, rcode: 0 })],
    setup: dc01,
    expect: [`medium host:${BIND} 1`],
  },
];

const nearMiss: Case[] = [
  {
    name: "ordinary lookups (A, SRV, SOA, ANY)",
    events: () => ["A", "SRV", "SOA", "ANY"].map((q, i) => dns(q, { t: i, rcode: 0 })),
    expect: [],
  },
  { name: "a query without a source", events: () => [finalizeEvent({ ...dns("AXFR"), src: undefined } as never)], expect: [] },
];

const benign: Case[] = [
  { name: "a DC pulling a zone", events: () => [dns("AXFR", { ip: "10.0.0.11", rcode: 0 })], setup: dc01, expect: [] },
  { name: "a DC known by name only", events: () => [dns("IXFR", { ip: "10.9.9.9", host: "dc02", rcode: 0 })], setup: dc01, expect: [] },
  {
    name: "a DC known by name, its IP resolved from its machine account's Kerberos logon",
    events: () => [
      finalizeEvent({
        tenantId: "acme",
        sensorId: "s",
        time: new Date(T0).toISOString(),
        kind: "kerberos.as",
        dc: "DC01.acme.local",
        actor: { name: "DC02$", domain: "ACME" },
        src: { ip: "10.0.0.12" },
        result: 0,
        etype: 18,
        origin: { format: "pcap", recordId: String(++record), channel: "test.pcap" },
      }),
      dns("AXFR", { t: SECOND, ip: "10.0.0.12", rcode: 0 }),
    ],
    setup: (c) => addDc(addDc(c, { host: "DC01" }), { host: "DC02" }),
    expect: [],
  },
  { name: "the server asking itself (loopback)", events: () => [dns("AXFR", { ip: "127.0.0.1", rcode: 0 })], expect: [] },
  { name: "the server asking its own address", events: () => [dns("AXFR", { ip: "10.0.0.10", server: "10.0.0.10" })], expect: [] },
  {
    name: "a secondary that a DC pulls from (SOA answered) transfers from the DC",
    events: () => [
      dns("SOA", { ip: "10.0.0.10", server: BIND, zone: "lab.acme.local", rcode: 0 }),
      dns("AXFR", { t: 10 * DAY, ip: BIND, rcode: 0 }),
    ],
    setup: dc01,
    expect: [],
  },
  {
    name: "an excluded secondary, and the primary it pulls from",
    events: () => [
      dns("IXFR", { ip: "10.0.5.54", server: BIND, rcode: 0 }),
      dns("AXFR", { t: SECOND, ip: "10.0.5.54", rcode: 0 }),
      dns("AXFR", { t: 2 * SECOND, ip: BIND, rcode: 0 }),
    ],
    setup: (c) => addExclusion(dc01(c), "dns-zone-transfer", "10.0.5.54"),
    expect: [],
  },
  {
    name: "an IPAM subnet excluded by CIDR",
    events: () => [dns("AXFR", { ip: "10.0.8.20", rcode: 0 })],
    setup: (c) => addExclusion(dc01(c), "dns-zone-transfer", "10.0.8.0/24"),
    expect: [],
  },
];

describe("dns-zone-transfer", () => {
  describe.each([
    ["positive", positive],
    ["near miss", nearMiss],
    ["benign cause", benign],
  ])("%s", (_kind, cases) => {
    it.each(cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
      const { alerts } = replay([dnsZoneTransfer], c.events(), c.setup);
      expect(alerts.map((a) => `${a.severity} ${a.primaryEntity} ${a.evidenceCount}`)).toEqual(c.expect);
    });
  });

  it("says which zones, servers and answers", () => {
    const { alerts } = replay(
      [dnsZoneTransfer],
      [dns("AXFR", { rcode: 5 }), dns("AXFR", { t: SECOND, zone: "_msdcs.acme.local.", server: "dc02", rcode: 0 })],
      dc01,
    );
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.description).toBe(
      "10.0.2.17 asked dc01, dc02 for 2 zone transfer(s) (AXFR) of acme.local, _msdcs.acme.local (REFUSED, NOERROR), but is not a known DNS server or domain controller: a full zone lists every host of the domain.",
    );
    expect(alerts[0]!.entities.map((e) => `${e.role}:${e.id}`)).toEqual(["source:10.0.2.17", "target:dc01", "target:dc02"]);
  });
});
