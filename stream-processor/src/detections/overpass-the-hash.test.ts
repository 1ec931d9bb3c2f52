import { finalizeEvent, type VigilEvent } from "@vigil/sensor/contract";
import { describe, expect, it } from "vitest";
import { addExclusion, type EntityContext } from "../engine/context.ts";
import { overpassTheHash } from "./overpass-the-hash.ts";
import { replay, SECOND, T0 } from "./test-events.ts";

let record = 0;
/** A TGT issued by DC01 (4768, or the wire when `offered` is given). */
function tgt(
  user: string,
  etype: number | undefined,
  o: { t?: number; ip?: string; offered?: number[]; result?: number } = {},
): VigilEvent {
  const wire = o.offered !== undefined;
  return finalizeEvent({
    tenantId: "acme",
    sensorId: "dc01",
    time: new Date(T0 + (o.t ?? 0)).toISOString(),
    dc: "DC01.acme.local",
    kind: "kerberos.as",
    src: { ip: o.ip ?? "10.0.0.6" },
    actor: { name: user, domain: "acme.local" },
    result: o.result ?? 0,
    ...(etype !== undefined ? { etype } : {}),
    ...(wire ? { requestedEtypes: o.offered } : {}),
    preAuthType: 2,
    origin: wire ? { format: "pcap", recordId: String(++record) } : { format: "evtx", recordId: String(++record), eventId: 4768 },
  });
}
/** A 4781 rename of a computer account. */
function renamed(from: string, to: string): VigilEvent {
  return finalizeEvent({
    tenantId: "acme",
    sensorId: "dc01",
    time: new Date(T0).toISOString(),
    dc: "DC01.acme.local",
    kind: "account.lifecycle",
    actor: { name: "lgrove", domain: "ACME" },
    target: { name: from, domain: "ACME" },
    action: "renamed",
    accountType: "computer",
    newName: to,
    origin: { format: "evtx", recordId: String(++record), eventId: 4781 },
  });
}
const RC4 = 0x17;
const AES = 0x12;
const series = (n: number, build: (t: number) => VigilEvent) => Array.from({ length: n }, (_, i) => build(i * SECOND));

interface Case {
  name: string;
  events: () => VigilEvent[];
  setup?: (ctx: EntityContext) => EntityContext;
  expect: string[];
}

const positive: Case[] = [
  {
    name: "an RC4 TGT for an account that used AES before",
    events: () => [tgt("pgustavo", AES), tgt("pgustavo", RC4, { t: 60 * SECOND })],
    expect: ["high account:pgustavo"],
  },
  {
    name: "an RC4 TGT with no baseline (Rubeus asktgt /rc4 sample)",
    events: () => [tgt("pgustavo", RC4)],
    expect: ["medium account:pgustavo"],
  },
  {
    name: "wire: client offered RC4 only",
    events: () => [tgt("pgustavo", undefined, { offered: [RC4] })],
    expect: ["high account:pgustavo"],
  },
  {
    name: "an AES account alerts while a legacy RC4 account beside it is learned",
    events: () => [tgt("alice", AES), ...series(25, (t) => tgt("svc", RC4, { t })), tgt("alice", RC4, { t: 60 * SECOND })],
    expect: ["medium account:svc", "high account:alice"],
  },
];

const nearMiss: Case[] = [
  { name: "an AES TGT", events: () => [tgt("pgustavo", AES)], expect: [] },
  { name: "a failed AS request with RC4", events: () => [tgt("pgustavo", RC4, { result: 0x18 })], expect: [] },
  { name: "wire: client offered AES, KDC chose RC4 (no AES keys)", events: () => [tgt("old", RC4, { offered: [AES, RC4] })], expect: [] },
];

const benign: Case[] = [
  {
    name: "an account without AES keys is learned after 3 RC4 TGTs",
    events: () => series(6, (t) => tgt("legacy", RC4, { t: t * 60 })),
    expect: ["medium account:legacy"],
  },
  {
    name: "an RC4-only domain: after 20 RC4 TGTs and no AES, new accounts stay quiet",
    events: () => [...series(20, (t) => tgt("svc", RC4, { t })), tgt("bob", RC4, { t: 60 * SECOND })],
    expect: ["medium account:svc"],
  },
  {
    name: "an account renamed a moment ago (AES salt no longer matches its name)",
    events: () => [renamed("DC012$", "srv-new"), tgt("srv-new", RC4, { t: 5 * SECOND })],
    expect: [],
  },
  {
    name: "the rename grace period ends after an hour",
    events: () => [renamed("DC012$", "srv-new"), tgt("srv-new", RC4, { t: 2 * 3600 * SECOND })],
    expect: ["medium account:srv-new"],
  },
  {
    name: "an appliance excluded by source IP",
    events: () => [tgt("scanner", RC4, { ip: "10.0.9.9" })],
    setup: (ctx) => addExclusion(ctx, "overpass-the-hash", "10.0.9.9"),
    expect: [],
  },
];

describe("overpass-the-hash", () => {
  describe.each([
    ["positive", positive],
    ["near miss", nearMiss],
    ["benign cause", benign],
  ])("%s", (_kind, cases) => {
    it.each(cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
      const { alerts } = replay([overpassTheHash], c.events(), c.setup);
      expect(alerts.map((a) => `${a.severity} ${a.primaryEntity}`)).toEqual(c.expect);
    });
  });

  it("says which account, from where, and how confident the baseline is", () => {
    const [alert] = replay([overpassTheHash], [tgt("pgustavo", AES), tgt("pgustavo", RC4, { t: 60 * SECOND })]).alerts;
    expect(alert!.description).toMatch(
      /^acme\.local\\pgustavo on 10\.0\.0\.6 obtained a Kerberos TGT from DC01\.acme\.local encrypted with RC4/,
    );
    expect(alert!.description).toMatch(/received 1 AES TGT\(s\) before/);
  });
});
