import { finalizeEvent, type EventDraft, type Principal, type VigilEvent } from "@vigil/sensor/contract";
import { describe, expect, it } from "vitest";
import { addExclusion, type EntityContext } from "../engine/context.ts";
import { goldenTicket } from "./golden-ticket.ts";
import { acct, DOMAIN_SID, replay, SECOND, T0, type Common } from "./test-events.ts";

const MIN = 60 * SECOND;
let record = 0;
const base = (c: Common, eventId: number) => ({
  tenantId: "acme",
  sensorId: "dc01",
  time: new Date(T0 + (c.t ?? 0)).toISOString(),
  dc: "DC01.acme.local",
  ...(c.ip ? { src: { ip: c.ip } } : {}),
  origin: { format: "evtx" as const, recordId: String(++record), eventId },
});
const EVENT_IDS = { disabled: 4725, deleted: 4726, enabled: 4722, created: 4720 } as const;

const lifecycle = (action: keyof typeof EVENT_IDS, target: Principal, c: Common = {}): VigilEvent =>
  finalizeEvent({
    ...base(c, EVENT_IDS[action]),
    kind: "account.lifecycle",
    actor: acct("admin", 500),
    target,
    action,
    accountType: "user",
  } as EventDraft);

/** 4769 as the KDC logs it: the client by name only. */
const tgs = (name: string, c: Common = {}, result = 0): VigilEvent =>
  finalizeEvent({
    ...base({ ip: "10.0.0.66", ...c }, 4769),
    kind: "kerberos.tgs",
    actor: { name, domain: "ACME.LOCAL" },
    service: "cifs/fs01",
    result,
    etype: 0x12,
  } as EventDraft);

/** TGT PAC buffers as Samba issues them, and as impacket's ticketer (with the lab's compat fix) forges them. */
const GENUINE_PAC = [1, 10, 12, 17, 18, 6, 7];
const TICKETER_PAC = [1, 10, 17, 18, 6, 7];

/** A wire TGS exchange decoded with the keytab: the presented TGT's end time and PAC are known. */
const wireTgs = (
  name: string,
  tgtEndTime: string | undefined,
  c: Common & { pac?: number[]; tgtEtype?: number; realm?: string; tgtRealm?: string } = {},
  result = 0,
): VigilEvent =>
  finalizeEvent({
    ...base({ ip: "10.99.0.66", ...c }, 0),
    kind: "kerberos.tgs",
    ...(name ? { actor: { name, domain: c.realm ?? "CORP.LAB" } } : {}),
    service: "cifs/dc1.corp.lab",
    result,
    ...(tgtEndTime ? { tgtEndTime } : {}),
    ...(c.pac ? { tgtPacTypes: c.pac } : {}),
    ...(c.tgtEtype !== undefined ? { tgtEtype: c.tgtEtype } : {}),
    ...(c.tgtRealm ? { tgtRealm: c.tgtRealm } : {}),
    origin: { format: "pcap", recordId: `w${++record}`, channel: "lab.pcapng" },
  } as EventDraft);

/** A wire AS exchange: the KDC issued `name` a TGT encrypted with `ticketEtype` (AES256 by default). */
const wireAs = (name: string, c: Common & { ticketEtype?: number } = {}): VigilEvent =>
  finalizeEvent({
    ...base({ ip: "10.99.0.20", ...c }, 0),
    kind: "kerberos.as",
    actor: { name, domain: "CORP.LAB" },
    service: "krbtgt/CORP.LAB",
    result: 0,
    etype: 18,
    ticketEtype: c.ticketEtype ?? 18,
    origin: { format: "pcap", recordId: `w${++record}`, channel: "lab.pcapng" },
  } as EventDraft);
const inHours = (h: number) => new Date(T0 + h * 3_600_000).toISOString().replace(".000", "");

/** 4624 on a member server. */
const logon = (actor: Principal, c: Common & { type?: number; pkg?: string } = {}): VigilEvent =>
  finalizeEvent({
    ...base({ ip: "10.0.0.66", ...c }, 4624),
    dc: undefined,
    kind: "logon",
    actor,
    target: { host: "FS01.acme.local" },
    success: true,
    logonType: c.type ?? 3,
    package: c.pkg ?? "Kerberos",
  } as unknown as EventDraft);

/** LDAP snapshot of a user. */
const snapshot = (name: string, rid: number, uac: number, deleted = false, c: Common = {}): VigilEvent =>
  finalizeEvent({
    ...base(c, 0),
    dc: undefined,
    kind: "entity.snapshot",
    entity: {
      objectType: "user",
      objectId: `${DOMAIN_SID}-${rid}`,
      name,
      attributes: { sAMAccountName: name, userAccountControl: uac },
      deleted,
    },
    origin: { format: "ldap", recordId: String(++record) },
  } as EventDraft);

const bob = acct("bob", 1201);

interface Case {
  name: string;
  events: () => VigilEvent[];
  setup?: (ctx: EntityContext) => EntityContext;
  /** Expected alerts as `severity primaryEntity`. */
  expect: string[];
}

const positive: Case[] = [
  {
    name: "TGS for an account disabled an hour earlier",
    events: () => [lifecycle("disabled", bob), tgs("bob", { t: 60 * MIN })],
    expect: ["high account:bob"],
  },
  {
    name: "TGS for a deleted account (4726)",
    events: () => [lifecycle("deleted", bob), tgs("bob@ACME.LOCAL", { t: 30 * MIN })],
    expect: ["high account:bob"],
  },
  {
    name: "Kerberos logon on a server by a disabled account (by SID)",
    events: () => [lifecycle("disabled", bob), logon(bob, { t: 45 * MIN })],
    expect: ["high account:bob"],
  },
  {
    name: "disabled per LDAP snapshot (ACCOUNTDISABLE)",
    events: () => [snapshot("bob", 1201, 0x202), tgs("bob", { t: 25 * MIN })],
    expect: ["high account:bob"],
  },
  {
    name: "deleted per LDAP snapshot",
    events: () => [snapshot("bob", 1201, 0x200, true), tgs("bob", { t: 25 * MIN })],
    expect: ["high account:bob"],
  },
];

const wire: Case[] = [
  {
    name: "wire: a TGT valid for ten years (ticketer's default)",
    events: () => [wireTgs("Administrator", inHours(10 * 365 * 24))],
    expect: ["high account:administrator"],
  },
  { name: "wire: a genuine TGT (10 hours)", events: () => [wireTgs("Administrator", inHours(10))], expect: [] },
  { name: "wire: a TGT at the 7-day renewal limit", events: () => [wireTgs("Administrator", inHours(7 * 24))], expect: [] },
  {
    // The KDC decrypted the forged TGT (so it was made with the real krbtgt key) and then found no
    // such client: impacket ticketer for a name that never existed, against Samba.
    name: "wire: a refused TGS (C_PRINCIPAL_UNKNOWN) with a ten-year TGT still alerts",
    events: () => [wireTgs("ghost", inHours(87600), { pac: TICKETER_PAC }, 0x6)],
    expect: ["high account:ghost"],
  },
  {
    name: "wire: a PAC without UPN_DNS_INFO (ticketer), lifetime normal",
    events: () => [wireTgs("Administrator", inHours(10), { pac: TICKETER_PAC })],
    expect: ["high account:administrator"],
  },
  { name: "wire: a genuine PAC (Samba's buffers)", events: () => [wireTgs("alice", inHours(10), { pac: GENUINE_PAC })], expect: [] },
  {
    name: "wire: a PAC with no logon info (not a user TGT's PAC) is not judged",
    events: () => [wireTgs("alice", inHours(10), { pac: [6, 7] })],
    expect: [],
  },
  {
    name: "wire, no keys: an RC4 TGT where this KDC issues AES TGTs (refused: BADKEYVER)",
    events: () => [wireAs("alice"), wireTgs("Administrator", undefined, { tgtEtype: 23, t: 60 * SECOND }, 0x2c)],
    expect: ["high account:administrator"],
  },
  {
    // Samba has no RC4 krbtgt key, so it cannot open the ticket: the refusal names no client.
    name: "wire, no keys: a refused RC4 TGT that names no client, issued (it claims) by this realm",
    events: () => [wireAs("alice"), wireTgs("", undefined, { tgtEtype: 23, tgtRealm: "CORP.LAB", t: 60 * SECOND }, 0x2c)],
    expect: ["high account:unknown"],
  },
  {
    name: "wire, no keys: an RC4 TGT before any AS-REP showed which etype this KDC uses",
    events: () => [wireTgs("Administrator", undefined, { tgtEtype: 23 })],
    expect: [],
  },
  {
    name: "wire, no keys: an RC4 TGT where this KDC issues RC4 TGTs (krbtgt without AES keys)",
    events: () => [wireAs("alice", { ticketEtype: 23 }), wireTgs("bob", undefined, { tgtEtype: 23, t: 60 * SECOND })],
    expect: [],
  },
  {
    name: "wire, no keys: an RC4 referral TGT from another forest's realm",
    events: () => [
      wireAs("alice"),
      wireTgs("carl", undefined, { tgtEtype: 23, realm: "PARTNER.ORG", tgtRealm: "PARTNER.ORG", t: 60 * SECOND }),
    ],
    expect: [],
  },
  {
    name: "wire, no keys: a TGS with no AS seen before it is not an alert by itself (captures start late)",
    events: () => [wireTgs("alice", undefined, { tgtEtype: 18 })],
    expect: [],
  },
];

const nearMiss: Case[] = [
  { name: "TGS within the KDC's 20-minute re-check", events: () => [lifecycle("disabled", bob), tgs("bob", { t: 19 * MIN })], expect: [] },
  { name: "a failed TGS", events: () => [lifecycle("disabled", bob), tgs("bob", { t: 60 * MIN }, 0x12)], expect: [] },
  {
    name: "an NTLM logon (not a ticket)",
    events: () => [lifecycle("disabled", bob), logon(bob, { t: 60 * MIN, pkg: "NTLM" })],
    expect: [],
  },
  { name: "another account's TGS", events: () => [lifecycle("disabled", bob), tgs("alice", { t: 60 * MIN })], expect: [] },
  {
    name: "a local account sharing the name (other SID)",
    events: () => [lifecycle("disabled", bob), logon({ sid: "S-1-5-21-1-2-3-1001", name: "bob" }, { t: 60 * MIN })],
    expect: [],
  },
];

const benign: Case[] = [
  {
    name: "the account re-enabled (4722)",
    events: () => [lifecycle("disabled", bob), lifecycle("enabled", bob, { t: 5 * MIN }), tgs("bob", { t: 60 * MIN })],
    expect: [],
  },
  {
    name: "a deleted name re-created",
    events: () => [lifecycle("deleted", bob), lifecycle("created", acct("bob", 1302), { t: 5 * MIN }), tgs("bob", { t: 60 * MIN })],
    expect: [],
  },
  {
    name: "a snapshot shows it enabled again",
    events: () => [lifecycle("disabled", bob), snapshot("bob", 1201, 0x200, false, { t: 10 * MIN }), tgs("bob", { t: 60 * MIN })],
    expect: [],
  },
  {
    name: "a cached logon (type 11) off the network",
    events: () => [lifecycle("disabled", bob), logon(bob, { t: 60 * MIN, type: 11 })],
    expect: [],
  },
  {
    name: "excluded account",
    events: () => [lifecycle("disabled", bob), tgs("bob", { t: 60 * MIN })],
    setup: (ctx) => addExclusion(ctx, "golden-ticket", "bob"),
    expect: [],
  },
];

describe("golden-ticket", () => {
  describe.each([
    ["positive", positive],
    ["wire lifetime", wire],
    ["near miss", nearMiss],
    ["benign cause", benign],
  ])("%s", (_kind, cases) => {
    it.each(cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
      const { alerts } = replay([goldenTicket], c.events(), c.setup);
      expect(alerts.map((a) => `${a.severity} ${a.primaryEntity}`)).toEqual(c.expect);
    });
  });

  it("names every forgery trait, the KDC's refusal and the missing AS exchange", () => {
    const [alert] = replay([goldenTicket], [wireTgs("ghost", "2036-03-01T10:00:00Z", { pac: TICKETER_PAC }, 0x6)]).alerts;
    expect(alert!.description).toBe(
      "CORP.LAB\\ghost on 10.99.0.66 asked for (the KDC refused it, error 6) a service ticket for cifs/dc1.corp.lab with a TGT the KDC never issued: it is valid until 2036-03-01T10:00:00.000Z, 4383 days ahead, beyond any KDC policy; its PAC (buffers 1,10,17,18,6,7) lacks the UPN_DNS_INFO every KDC writes. It was forged with what the attacker holds as the krbtgt key; the refusal does not make that key safe. No AS exchange or renewal for that account from that address was seen in the 10 hours before.",
    );
    const [seen] = replay(
      [goldenTicket],
      [wireAs("alice", { ip: "10.99.0.66" }), wireTgs("alice", undefined, { pac: TICKETER_PAC, t: SECOND })],
    ).alerts;
    expect(seen!.description).not.toContain("No AS exchange");
  });

  it("says how long the account had been off", () => {
    const [alert] = replay([goldenTicket], [lifecycle("disabled", bob), tgs("bob", { t: 60 * MIN })]).alerts;
    expect(alert!.description).toBe(
      "ACME.LOCAL\\bob on 10.0.0.66 got a service ticket for cifs/fs01, but the account was disabled 60 minutes earlier: the KDC cannot have issued that TGT, so it was forged with the krbtgt key.",
    );
  });
});
