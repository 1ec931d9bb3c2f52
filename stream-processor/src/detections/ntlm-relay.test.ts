import { finalizeEvent, type VigilEvent } from "@vigil/sensor/contract";
import { describe, expect, it } from "vitest";
import { addDc, addExclusion, type EntityContext } from "../engine/context.ts";
import { DAY } from "../engine/detection.ts";
import { ntlmRelay } from "./ntlm-relay.ts";
import { replay, SECOND, T0 } from "./test-events.ts";

let record = 0;
const at = (t = 0) => ({ tenantId: "acme", sensorId: "dc01", time: new Date(T0 + t).toISOString() });
/** A machine's TGT (4768) from `ip`. */
function tgt(account: string, ip: string, t = 0): VigilEvent {
  return finalizeEvent({
    ...at(t),
    dc: "DC01.acme.local",
    kind: "kerberos.as",
    src: { ip },
    actor: { name: account, domain: "acme.local" },
    result: 0,
    etype: 0x12,
    origin: { format: "evtx", recordId: String(++record), eventId: 4768 },
  });
}
/** A 4624 type 3 on DC01 from `ip`. */
function logon(account: string, ip: string, o: { t?: number; pkg?: string; host?: string } = {}): VigilEvent {
  return finalizeEvent({
    ...at(o.t),
    kind: "logon",
    src: { ip, ...(o.host ? { host: o.host } : {}) },
    actor: { name: account, domain: "ACME" },
    target: { host: "DC01.acme.local" },
    success: true,
    logonType: 3,
    package: o.pkg ?? "NTLM",
    process: o.pkg === "Kerberos" ? "Kerberos" : "NtLmSsp",
    origin: { format: "evtx", recordId: String(++record), eventId: 4624, computer: "DC01.acme.local" },
  });
}

interface Case {
  name: string;
  events: () => VigilEvent[];
  setup?: (ctx: EntityContext) => EntityContext;
  expect: string[];
}

const EX = "10.0.0.20";
const EVIL = "10.0.0.87";
const t1 = 60 * SECOND;

const positive: Case[] = [
  {
    name: "EXCHANGE$ NTLM from an address other than its Kerberos one (PrivExchange)",
    events: () => [tgt("EXCHANGE$", EX), logon("EXCHANGE$", EVIL, { t: t1 })],
    expect: ["medium host:10.0.0.87"],
  },
  {
    name: "machine NTLM from an address that is another machine's",
    events: () => [tgt("WS07$", EVIL), logon("FILESRV$", EVIL, { t: t1 })],
    expect: ["medium host:10.0.0.87"],
  },
  {
    name: "a DC's account over NTLM from a non-DC address (coerced DC) is high",
    events: () => [logon("DC01$", EVIL)],
    setup: (ctx) => addDc(ctx, { host: "DC01", ip: "10.0.0.10" }),
    expect: ["high host:10.0.0.87"],
  },
  {
    name: "a Kerberos 4624 teaches the address too",
    events: () => [logon("EXCHANGE$", EX, { pkg: "Kerberos" }), logon("EXCHANGE$", EVIL, { t: t1 })],
    expect: ["medium host:10.0.0.87"],
  },
];

const nearMiss: Case[] = [
  { name: "NTLM from the machine's own address", events: () => [tgt("EXCHANGE$", EX), logon("EXCHANGE$", EX, { t: t1 })], expect: [] },
  { name: "nothing learned about the machine or the address (PrivExchange sample)", events: () => [logon("EXCHANGE$", EVIL)], expect: [] },
  { name: "a user account over NTLM from anywhere", events: () => [tgt("bob", EX), logon("bob", EVIL, { t: t1 })], expect: [] },
  {
    name: "a Kerberos logon from another address",
    events: () => [tgt("EXCHANGE$", EX), logon("EXCHANGE$", EVIL, { t: t1, pkg: "Kerberos" })],
    expect: [],
  },
];

const benign: Case[] = [
  {
    name: "DHCP change: a new TGT from the new address first",
    events: () => [tgt("WS01$", EX), tgt("WS01$", EVIL, t1), logon("WS01$", EVIL, { t: 2 * t1 })],
    expect: [],
  },
  { name: "the learned address expires after 7 days", events: () => [tgt("WS01$", EX), logon("WS01$", EVIL, { t: 8 * DAY })], expect: [] },
  { name: "loopback", events: () => [tgt("EXCHANGE$", EX), logon("EXCHANGE$", "127.0.0.1", { t: t1 })], expect: [] },
  {
    name: "a NAT address excluded",
    events: () => [tgt("EXCHANGE$", EX), logon("EXCHANGE$", EVIL, { t: t1 })],
    setup: (ctx) => addExclusion(ctx, "ntlm-relay", EVIL),
    expect: [],
  },
];

describe("ntlm-relay", () => {
  describe.each([
    ["positive", positive],
    ["near miss", nearMiss],
    ["benign cause", benign],
  ])("%s", (_kind, cases) => {
    it.each(cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
      const { alerts } = replay([ntlmRelay], c.events(), c.setup);
      expect(alerts.map((a) => `${a.severity} ${a.primaryEntity}`)).toEqual(c.expect);
    });
  });

  it("says where the machine really is", () => {
    const [alert] = replay([ntlmRelay], [tgt("EXCHANGE$", EX), logon("EXCHANGE$", EVIL, { t: t1 })]).alerts;
    expect(alert!.description).toBe(
      "ACME\\EXCHANGE$ authenticated over NTLM to DC01.acme.local from 10.0.0.87, but its own Kerberos traffic comes from 10.0.0.20: the machine's authentication was most likely coerced and relayed from 10.0.0.87.",
    );
  });
});
