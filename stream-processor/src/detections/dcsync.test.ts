import type { VigilEvent } from "@vigil/sensor/contract";
import { describe, expect, it } from "vitest";
import { addDc, addExclusion, type EntityContext } from "../engine/context.ts";
import { dcsync } from "./dcsync.ts";
import {
  acct,
  dcSnapshot,
  DOMAIN_SID,
  GET_CHANGES,
  GET_CHANGES_ALL,
  GET_CHANGES_FILTERED,
  kdcEvent,
  replay,
  replication,
} from "./test-events.ts";

const mallory = acct("mallory", 1105);

interface Case {
  name: string;
  events: () => VigilEvent[];
  setup?: (ctx: EntityContext) => EntityContext;
  /** Expected alerts as `severity primaryEntity`. */
  expect: string[];
}

const positive: Case[] = [
  {
    name: "4662 Get-Changes + Get-Changes-All by a user (mimikatz lsadump::dcsync)",
    events: () => [replication(mallory)],
    expect: [`high account:${DOMAIN_SID}-1105`],
  },
  {
    name: "rights written the way 4662 prints them (%{GUID}, upper case)",
    events: () => [replication(mallory, { rights: [`%{${GET_CHANGES_ALL.toUpperCase()}}`] })],
    expect: [`high account:${DOMAIN_SID}-1105`],
  },
  {
    name: "Get-Changes-In-Filtered-Set alone",
    events: () => [replication(mallory, { rights: [GET_CHANGES_FILTERED] })],
    expect: [`high account:${DOMAIN_SID}-1105`],
  },
  {
    name: "DRSUAPI DsGetNCChanges on the wire from a workstation, account unknown",
    events: () => [replication(undefined, { operation: "DRSGetNCChanges", ip: "10.0.0.66" })],
    expect: ["high host:10.0.0.66"],
  },
  {
    name: "a machine account that is not a known DC",
    events: () => [kdcEvent("DC01.acme.local"), replication(acct("WS01$"))],
    expect: ["high account:ws01$"],
  },
  {
    name: "replication with no rights named",
    events: () => [replication(mallory, { rights: [] })],
    expect: [`high account:${DOMAIN_SID}-1105`],
  },
  {
    name: "a user replicating from a DC host (mimikatz run on a DC, or DC promotion)",
    events: () => [replication(mallory, { ip: "10.0.0.10" })],
    setup: (ctx) => addDc(ctx, { host: "DC02", ip: "10.0.0.10" }),
    expect: [`high account:${DOMAIN_SID}-1105`],
  },
  {
    name: "Entra Connect account without an exclusion still alerts",
    events: () => [replication(acct("MSOL_0a1b2c3d4e5f"))],
    expect: ["high account:msol_0a1b2c3d4e5f"],
  },
];

const nearMiss: Case[] = [
  { name: "Get-Changes alone (DirSync-style, no secrets)", events: () => [replication(mallory, { rights: [GET_CHANGES] })], expect: [] },
  {
    name: "Get-Changes by name, with the class GUID",
    events: () => [replication(mallory, { rights: ["Replicating Directory Changes", "{19195a5b-6da0-11d0-afd3-00c04fd930c9}"] })],
    expect: [],
  },
  {
    name: "a wire operation that is not GetNCChanges",
    events: () => [replication(undefined, { operation: "DRSBind", ip: "10.0.0.66" })],
    expect: [],
  },
];

const benign: Case[] = [
  { name: "the recording DC's own machine account", events: () => [replication(acct("DC01$"))], expect: [] },
  { name: "another DC known from its KDC events", events: () => [kdcEvent("DC02.acme.local"), replication(acct("DC02$"))], expect: [] },
  {
    name: "another DC known from LDAP sync, by SID",
    events: () => [dcSnapshot("DC03", `${DOMAIN_SID}-1003`), replication({ sid: `${DOMAIN_SID}-1003` })],
    expect: [],
  },
  {
    name: "a DC set by an admin",
    events: () => [replication(acct("DC04$"))],
    setup: (ctx) => addDc(ctx, { host: "dc04.acme.local" }),
    expect: [],
  },
  {
    name: "wire replication from a known DC IP, account unknown",
    events: () => [replication(undefined, { operation: "DRSGetNCChanges", ip: "10.0.0.11" })],
    setup: (ctx) => addDc(ctx, { host: "DC02", ip: "10.0.0.11" }),
    expect: [],
  },
  {
    name: "Entra Connect sync account excluded for dcsync",
    events: () => [replication(acct("MSOL_0a1b2c3d4e5f"))],
    setup: (ctx) => addExclusion(ctx, "dcsync", "ACME\\MSOL_0a1b2c3d4e5f"),
    expect: [],
  },
];

describe("dcsync", () => {
  describe.each([
    ["positive", positive],
    ["near miss", nearMiss],
    ["benign cause", benign],
  ])("%s", (_kind, cases) => {
    it.each(cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
      const { alerts } = replay([dcsync], c.events(), c.setup);
      expect(alerts.map((a) => `${a.severity} ${a.primaryEntity}`)).toEqual(c.expect);
    });
  });

  it("says who replicated what from which DC, and hints at sync accounts", () => {
    const [alert] = replay([dcsync], [replication(mallory, { ip: "10.0.0.66" })]).alerts;
    expect(alert!.description).toBe(
      "ACME\\mallory from 10.0.0.66 requested directory replication (DS-Replication-Get-Changes, DS-Replication-Get-Changes-All) from DC01.acme.local, but is not a domain controller: this is how DCSync copies password hashes.",
    );
    expect(alert!.entities.map((e) => `${e.role}:${e.kind}:${e.id}`)).toEqual([
      `actor:user:${DOMAIN_SID}-1105`,
      "source:ip:10.0.0.66",
      "target:computer:dc01",
    ]);
    const [sync] = replay([dcsync], [replication(acct("MSOL_abc"))]).alerts;
    expect(sync!.description).toMatch(/Entra Connect sync account/);
  });
});
