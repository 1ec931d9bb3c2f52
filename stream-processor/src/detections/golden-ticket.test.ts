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

/** A wire TGS exchange decoded with the keytab: the presented TGT's end time is known. */
const wireTgs = (name: string, tgtEndTime: string, c: Common = {}, result = 0): VigilEvent =>
  finalizeEvent({
    ...base({ ip: "10.99.0.66", ...c }, 0),
    kind: "kerberos.tgs",
    actor: { name, domain: "CORP.LAB" },
    service: "cifs/dc1.corp.lab",
    result,
    tgtEndTime,
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
  { name: "wire: a refused TGS with a ten-year TGT", events: () => [wireTgs("Administrator", inHours(87600), {}, 0x1f)], expect: [] },
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

  it("says how long the account had been off", () => {
    const [alert] = replay([goldenTicket], [lifecycle("disabled", bob), tgs("bob", { t: 60 * MIN })]).alerts;
    expect(alert!.description).toBe(
      "ACME.LOCAL\\bob on 10.0.0.66 got a service ticket for cifs/fs01, but the account was disabled 60 minutes earlier: the KDC cannot have issued that TGT, so it was forged with the krbtgt key.",
    );
  });
});
