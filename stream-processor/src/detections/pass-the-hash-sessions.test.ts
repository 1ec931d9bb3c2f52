// pass-the-hash, DC side: NTLM use of an account from a computer where it holds no Kerberos session,
// while it holds one elsewhere (wire NTLMSSP / 4776, Samba's audit, a DC's 4624).
import { finalizeEvent, type EventDraft, type VigilEvent } from "@vigil/sensor/contract";
import { describe, expect, it } from "vitest";
import { addExclusion, type EntityContext } from "../engine/context.ts";
import { HOUR } from "../engine/detection.ts";
import { passTheHash } from "./pass-the-hash.ts";
import { replay, SECOND, T0 } from "./test-events.ts";

let record = 0;
const WS = "10.232.0.20";
const ATK = "10.232.0.66";
const at = (t: number) => ({ tenantId: "corp", sensorId: "dc1", time: new Date(T0 + t).toISOString(), dc: "dc1.corp.lab" });
const pcap = () => ({ format: "pcap" as const, recordId: `p${++record}`, channel: "lab.pcapng" });

/** A TGT issued on the wire (AS-REP) to `user` at `ip`: the user is signed in there. */
function tgt(user: string, o: { t?: number; ip?: string; host?: string } = {}): VigilEvent {
  return finalizeEvent({
    ...at(o.t ?? 0),
    kind: "kerberos.as",
    actor: { name: user, domain: "CORP.LAB" },
    src: { ip: o.ip ?? WS, ...(o.host ? { host: o.host } : {}) },
    service: "krbtgt/CORP.LAB",
    result: 0,
    etype: 18,
    origin: pcap(),
  } as EventDraft);
}

/** NTLMSSP AUTHENTICATE of `user` from `ip` and the session setup's status. */
function ntlm(user: string, o: { t?: number; ip?: string; ws?: string; result?: number; domain?: string } = {}): VigilEvent {
  return finalizeEvent({
    ...at(o.t ?? 60 * SECOND),
    kind: "ntlm",
    actor: { name: user, domain: o.domain ?? "CORP" },
    src: { ip: o.ip ?? ATK, ...(o.ws ? { host: o.ws.toLowerCase() } : {}) },
    target: { host: "dc1.corp.lab" },
    result: o.result ?? 0,
    workstation: o.ws ?? "ATK01",
    version: "v2",
    origin: pcap(),
  } as EventDraft);
}

/** Samba's Authentication record of an NTLM network logon (mapped to `logon`). */
function sambaNtlm(user: string, o: { t?: number; ip?: string; ws?: string } = {}): VigilEvent {
  return finalizeEvent({
    ...at(o.t ?? 60 * SECOND),
    kind: "logon",
    actor: { name: user, domain: "CORP" },
    src: { ip: o.ip ?? ATK, ...(o.ws ? { host: o.ws } : {}) },
    target: { host: "dc1.corp.lab" },
    success: true,
    logonType: 3,
    package: "NTLM",
    process: "SMB2",
    origin: { format: "samba-json", recordId: `s${++record}` },
  } as EventDraft);
}

interface Case {
  name: string;
  events: () => VigilEvent[];
  setup?: (ctx: EntityContext) => EntityContext;
  expect: string[];
}

const positive: Case[] = [
  {
    name: "smbclient --pw-nt-hash from ATK01 while Administrator is signed in on WS01",
    events: () => [tgt("Administrator"), ntlm("Administrator")],
    expect: ["high account:administrator"],
  },
  {
    name: "impacket psexec -hashes (no workstation, FQDN domain)",
    events: () => [tgt("Administrator"), ntlm("Administrator", { ws: "", domain: "corp.lab" })],
    expect: ["high account:administrator"],
  },
  {
    name: "Samba's audit record of the NTLM logon",
    events: () => [tgt("Administrator"), sambaNtlm("Administrator", { ws: "ATK01" })],
    expect: ["high account:administrator"],
  },
  {
    name: "the session was seen 9 hours earlier (within the TGT lifetime)",
    events: () => [tgt("Administrator"), ntlm("Administrator", { t: 9 * HOUR })],
    expect: ["high account:administrator"],
  },
];

const nearMiss: Case[] = [
  { name: "NTLM from the computer the account is signed in on", events: () => [tgt("bob"), ntlm("bob", { ip: WS })], expect: [] },
  {
    name: "the same computer by name after a DHCP address change",
    events: () => [tgt("bob", { host: "ws01" }), ntlm("bob", { ip: "10.232.0.21", ws: "WS01" })],
    expect: [],
  },
  {
    // A member server's pass-through: the DC's 4776 names the workstation, the 4768 only the address.
    name: "a 4776 that names only the workstation, against sessions known only by address",
    events: () => [
      tgt("bob"),
      finalizeEvent({
        ...at(60 * SECOND),
        kind: "ntlm",
        actor: { name: "bob", domain: "CORP" },
        result: 0,
        workstation: "WS01",
        origin: { format: "evtx", recordId: `e${++record}`, eventId: 4776 },
      } as EventDraft),
    ],
    expect: [],
  },
  { name: "no Kerberos session anywhere (typed password, NTLM only)", events: () => [ntlm("bob")], expect: [] },
  { name: "the session ended more than 10 hours earlier", events: () => [tgt("bob"), ntlm("bob", { t: 11 * HOUR })], expect: [] },
  { name: "a failed NTLM authentication", events: () => [tgt("bob"), ntlm("bob", { result: 0xc000006d })], expect: [] },
  { name: "a machine account", events: () => [tgt("WS01$"), ntlm("WS01$")], expect: [] },
  { name: "another account's session", events: () => [tgt("alice"), ntlm("bob")], expect: [] },
];

const benign: Case[] = [
  {
    name: "a roaming account signed in on six computers",
    events: () => [
      ...[20, 21, 22, 23, 24, 25].map((n, i) => tgt("svc_deploy", { ip: `10.232.0.${n}`, t: i * SECOND })),
      ntlm("svc_deploy"),
    ],
    expect: [],
  },
  {
    name: "the user's second (non-domain) computer excluded",
    events: () => [tgt("bob"), ntlm("bob")],
    setup: (c) => addExclusion(c, "pass-the-hash", ATK),
    expect: [],
  },
  {
    name: "later uses from the same computer aggregate into the one alert",
    events: () => [tgt("Administrator"), ntlm("Administrator"), ntlm("Administrator", { t: 120 * SECOND, ws: "" })],
    expect: ["high account:administrator"],
  },
];

describe("pass-the-hash (DC side: NTLM away from the account's Kerberos sessions)", () => {
  describe.each([
    ["positive", positive],
    ["near miss", nearMiss],
    ["benign cause", benign],
  ])("%s", (_kind, cases) => {
    it.each(cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
      const { updates } = replay([passTheHash], c.events(), c.setup);
      const created = updates.filter((u) => u.type === "created").map((u) => `${u.alert.severity} ${u.alert.primaryEntity}`);
      expect(created).toEqual(c.expect);
    });
  });

  it("names where the account is signed in and the tool trait", () => {
    const { alerts } = replay([passTheHash], [tgt("Administrator"), ntlm("Administrator", { ws: "", domain: "corp.lab" })]);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.description).toBe(
      "corp.lab\\Administrator authenticated with NTLM from 10.232.0.66, where it holds no Kerberos session, while it is signed in on 10.232.0.20 (last seen 1 minutes earlier). Its NT hash (or password) is being used away from the computers it is logged on to, as pass-the-hash does. The NTLM message names no workstation, as impacket's tools send it. If the user also works from that computer with a typed password (a non-domain machine, access by IP address), exclude it for this detection.",
    );
  });
});
