import { finalizeEvent, type Principal, type VigilEvent } from "@vigil/sensor/contract";
import { describe, expect, it } from "vitest";
import { addExclusion, tagHoneytoken, type EntityContext } from "../engine/context.ts";
import { honeytokenModified } from "./honeytoken-modified.ts";
import { acct, DOMAIN_SID, group, membership, replay, T0 } from "./test-events.ts";

const DECOY = `${DOMAIN_SID}-1666`;
const decoy: Principal = { name: "svc_backup_old", domain: "ACME", sid: DECOY };
const mallory = acct("mallory", 1105);
const tag = (ctx: EntityContext) => tagHoneytoken(ctx, DECOY);
const tagByName = (ctx: EntityContext) => tagHoneytoken(ctx, "svc_backup_old");

let rec = 0;
const base = (eventId: number, t = 0) => ({
  tenantId: "acme",
  sensorId: "dc01",
  time: new Date(T0 + t).toISOString(),
  dc: "DC01.acme.local",
  origin: { format: "evtx" as const, recordId: String(++rec), eventId, channel: "Security" },
});
const attr = (actor: Principal, attribute: string, target: Principal = decoy): VigilEvent =>
  finalizeEvent({
    ...base(4738),
    kind: "directory.change",
    actor,
    target,
    objectClass: "user",
    attribute,
    operation: "replace",
    value: "x",
  });
const dn5136 = (actor: Principal, attribute: string): VigilEvent =>
  finalizeEvent({
    ...base(5136),
    kind: "directory.change",
    actor,
    target: { dn: "CN=svc_backup_old,OU=Svc,DC=acme,DC=local" },
    objectDn: "CN=svc_backup_old,OU=Svc,DC=acme,DC=local",
    objectClass: "user",
    attribute,
    operation: "add",
    value: "x",
  });
const reset = (actor: Principal, action: "password-reset" | "created" = "password-reset"): VigilEvent =>
  finalizeEvent({ ...base(4724), kind: "account.lifecycle", actor, target: decoy, action, accountType: "user" });
function snapshot(attributes: Record<string, string>, t = 0): VigilEvent {
  return finalizeEvent({
    tenantId: "acme",
    sensorId: "dc01",
    time: new Date(T0 + t).toISOString(),
    kind: "entity.snapshot",
    entity: {
      objectType: "user",
      objectId: DECOY,
      name: "svc_backup_old",
      attributes: { sAMAccountName: "svc_backup_old", ...attributes },
      deleted: false,
    },
    origin: { format: "ldap", recordId: String(++rec) },
  });
}

interface Case {
  name: string;
  events: () => VigilEvent[];
  setup?: (ctx: EntityContext) => EntityContext;
  expect: string[];
}

const K = `high account:${DECOY}`;
const positive: Case[] = [
  { name: "4738 attribute change on the honeytoken", events: () => [attr(mallory, "servicePrincipalName")], setup: tag, expect: [K] },
  {
    name: "5136 by DN, honeytoken tagged by name",
    events: () => [dn5136(mallory, "description")],
    setup: tagByName,
    expect: ["high account:svc_backup_old"],
  },
  { name: "password reset of the honeytoken (4724)", events: () => [reset(mallory)], setup: tag, expect: [K] },
  {
    name: "honeytoken added to a group (4728)",
    events: () => [membership(mallory, decoy, group("Helpdesk", `${DOMAIN_SID}-1500`))],
    setup: tag,
    expect: [K],
  },
  {
    name: "LDAP sync: an attribute changed between snapshots",
    events: () => [snapshot({ description: "old" }), snapshot({ description: "new" }, 3_600_000)],
    setup: tag,
    expect: [K],
  },
];

const nearMiss: Case[] = [
  {
    name: "the same change on an ordinary account",
    events: () => [attr(mallory, "servicePrincipalName", acct("alice", 1201))],
    setup: tag,
    expect: [],
  },
  { name: "no honeytoken tagged", events: () => [attr(mallory, "servicePrincipalName")], expect: [] },
  { name: "the first snapshot is the baseline", events: () => [snapshot({ description: "old" })], setup: tag, expect: [] },
  { name: "creation of the honeytoken", events: () => [reset(acct("admin", 1100), "created")], setup: tag, expect: [] },
];

const benign: Case[] = [
  {
    name: "logon bookkeeping (lastLogonTimestamp) by the DC",
    events: () => [dn5136(mallory, "lastLogonTimestamp")],
    setup: tagByName,
    expect: [],
  },
  {
    name: "snapshots differing only in volatile attributes",
    events: () => [snapshot({ logonCount: "1", whenChanged: "a" }), snapshot({ logonCount: "2", whenChanged: "b" }, 3_600_000)],
    setup: tag,
    expect: [],
  },
  {
    name: "the directory itself (SYSTEM)",
    events: () => [attr({ sid: "S-1-5-18", name: "SYSTEM" }, "userAccountControl")],
    setup: tag,
    expect: [],
  },
  {
    name: "the decoy's owner maintaining it, excluded",
    events: () => [attr(acct("secops", 1400), "description")],
    setup: (ctx) => addExclusion(tag(ctx), "honeytoken-modified", "secops"),
    expect: [],
  },
];

describe("honeytoken-modified", () => {
  describe.each([
    ["positive", positive],
    ["near miss", nearMiss],
    ["benign cause", benign],
  ])("%s", (_kind, cases) => {
    it.each(cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
      const { alerts } = replay([honeytokenModified], c.events(), c.setup);
      expect(alerts.map((a) => `${a.severity} ${a.primaryEntity}`)).toEqual(c.expect);
    });
  });

  it("says what changed on which honeytoken", () => {
    const [alert] = replay([honeytokenModified], [membership(mallory, decoy, group("Helpdesk"))], tag).alerts;
    expect(alert!.description).toBe(
      "ACME\\mallory added ACME\\svc_backup_old to ACME\\Helpdesk, involving the honeytoken ACME\\svc_backup_old on DC01.acme.local. Nobody uses a honeytoken: whoever changes it is exploring the directory.",
    );
    const [sync] = replay(
      [honeytokenModified],
      [snapshot({ description: "old" }), snapshot({ description: "new" }, 3_600_000)],
      tag,
    ).alerts;
    expect(sync!.description).toMatch(/^LDAP sync found description changed on the honeytoken svc_backup_old\./);
  });
});
