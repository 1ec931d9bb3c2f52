import { finalizeEvent, type VigilEvent } from "@vigil/sensor/contract";
import { describe, expect, it } from "vitest";
import { addExclusion, type EntityContext } from "../engine/context.ts";
import { HOUR, MINUTE } from "../engine/detection.ts";
import { passTheTicket } from "./pass-the-ticket.ts";
import { replay, T0 } from "./test-events.ts";

let record = 0;
const at = (t: number) => ({ tenantId: "acme", sensorId: "dc01", time: new Date(T0 + t).toISOString(), dc: "DC01.acme.local" });
function tgt(account: string, ip: string, t: number): VigilEvent {
  return finalizeEvent({
    ...at(t),
    kind: "kerberos.as",
    src: { ip },
    actor: { name: account, domain: "acme.local" },
    result: 0,
    etype: 0x12,
    origin: { format: "evtx", recordId: String(++record), eventId: 4768 },
  });
}
function tgs(account: string, ip: string, t: number, o: { service?: string; options?: string } = {}): VigilEvent {
  return finalizeEvent({
    ...at(t),
    kind: "kerberos.tgs",
    src: { ip },
    actor: { name: account, domain: "acme.local" },
    result: 0,
    etype: 0x12,
    service: o.service ?? "cifs/fs01",
    ticketOptions: o.options ?? "0x40810000",
    origin: { format: "evtx", recordId: String(++record), eventId: 4769 },
  });
}

const A = "10.0.0.5"; // WS05
const B = "10.0.0.66"; // WS66, the attacker's
// Eleven hours of observation, the machines' own TGTs, then alice's TGT on WS05.
const warm = (): VigilEvent[] => [tgt("WS05$", A, 0), tgt("WS66$", B, 11 * HOUR), tgt("alice", A, 11 * HOUR + MINUTE)];
const T = 11 * HOUR + 30 * MINUTE;

interface Case {
  name: string;
  events: () => VigilEvent[];
  setup?: (ctx: EntityContext) => EntityContext;
  expect: string[];
}

const positive: Case[] = [
  { name: "alice's TGT issued to WS05, used from WS66", events: () => [...warm(), tgs("alice", B, T)], expect: ["high account:alice"] },
  {
    name: "several service tickets are one alert",
    events: () => [...warm(), tgs("alice", B, T), tgs("alice", B, T + MINUTE, { service: "ldap/dc01" })],
    expect: ["high account:alice"],
  },
];

const nearMiss: Case[] = [
  { name: "used from the computer it was issued to", events: () => [...warm(), tgs("alice", A, T)], expect: [] },
  {
    name: "WS66 also obtained its own TGT for alice",
    events: () => [...warm(), tgt("alice", B, T - MINUTE), tgs("alice", B, T)],
    expect: [],
  },
  {
    name: "the TGT is older than its lifetime",
    events: () => [...warm(), tgt("WS66$", B, 22 * HOUR), tgs("alice", B, 22 * HOUR)],
    expect: [],
  },
  {
    name: "less than 10 hours observed",
    events: () => [tgt("WS05$", A, 0), tgt("WS66$", B, 0), tgt("alice", A, MINUTE), tgs("alice", B, 2 * MINUTE)],
    expect: [],
  },
  { name: "a machine account's tickets", events: () => [...warm(), tgs("WS05$", B, T)], expect: [] },
];

const benign: Case[] = [
  { name: "laptop changed address: the new address does not resolve", events: () => [...warm(), tgs("alice", "10.0.9.9", T)], expect: [] },
  {
    name: "laptop changed address: both resolve to WS05",
    events: () => [...warm(), tgt("WS05$", "10.0.9.9", T - MINUTE), tgs("alice", "10.0.9.9", T)],
    expect: [],
  },
  {
    name: "unconstrained delegation: a forwarded TGT was requested first",
    events: () => [...warm(), tgs("alice", A, T - MINUTE, { service: "krbtgt", options: "0x60810010" }), tgs("alice", B, T)],
    expect: [],
  },
  { name: "constrained delegation (S4U2Proxy)", events: () => [...warm(), tgs("alice", B, T, { options: "0x40820000" })], expect: [] },
  {
    name: "a shared NAT address excluded",
    events: () => [...warm(), tgs("alice", B, T)],
    setup: (ctx) => addExclusion(ctx, "pass-the-ticket", B),
    expect: [],
  },
];

describe("pass-the-ticket", () => {
  describe.each([
    ["positive", positive],
    ["near miss", nearMiss],
    ["benign cause", benign],
  ])("%s", (_kind, cases) => {
    it.each(cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
      const { alerts } = replay([passTheTicket], c.events(), c.setup);
      expect(alerts.map((a) => `${a.severity} ${a.primaryEntity}`)).toEqual(c.expect);
    });
  });

  it("names both computers and starts at the TGT", () => {
    const [alert] = replay([passTheTicket], [...warm(), tgs("alice", B, T)]).alerts;
    expect(alert!.description).toBe(
      "acme.local\\alice requested a service ticket for cifs/fs01 from WS66 (10.0.0.66), but its TGT was issued to WS05 (10.0.0.5) and WS66 never obtained one: the ticket was most likely stolen from WS05 and passed.",
    );
    expect(alert!.firstSeen).toBe(new Date(T0 + 11 * HOUR + MINUTE).toISOString());
  });
});
