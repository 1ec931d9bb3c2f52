import { finalizeEvent, type Principal, type VigilEvent } from "@vigil/sensor/contract";
import { describe, expect, it } from "vitest";
import { addExclusion, type EntityContext } from "../engine/context.ts";
import { DAY } from "../engine/detection.ts";
import { gpoTampering } from "./gpo-tampering.ts";
import { acct, DOMAIN_SID, replay, T0 } from "./test-events.ts";

const gpc = (guid: string) => `CN={${guid}},CN=Policies,CN=System,DC=acme,DC=local`;
const DEFAULT_DOMAIN = gpc("31B2F340-016D-11D2-945F-00C04FB984F9");
const DEFAULT_DC = gpc("6AC1786C-016F-11D2-945F-00C04FB984F9");
const CUSTOM_GUID = "A1B2C3D4-0000-1111-2222-333344445555";
const CUSTOM = gpc(CUSTOM_GUID);
const bob = acct("bob", 1108);
const BOB = `account:${DOMAIN_SID}-1108`;

let rec = 0;
function change(
  actor: Principal,
  objectDn: string,
  c: { attribute?: string; op?: "add" | "delete"; value?: string; cls?: string; t?: number } = {},
): VigilEvent {
  return finalizeEvent({
    tenantId: "acme",
    sensorId: "dc01",
    time: new Date(T0 + (c.t ?? 0)).toISOString(),
    dc: "DC01.acme.local",
    kind: "directory.change",
    actor,
    target: { dn: objectDn },
    objectDn,
    objectClass: c.cls ?? "groupPolicyContainer",
    attribute: c.attribute ?? "versionNumber",
    operation: c.op ?? "add",
    value: c.value ?? "65555",
    origin: { format: "evtx", recordId: String(++rec), eventId: 5136, channel: "Security" },
  });
}
const link = (containerDn: string, guid: string, cls = "organizationalUnit") =>
  change(acct("admin", 1100), containerDn, {
    attribute: "gPLink",
    cls,
    value: `[LDAP://cn={${guid}},cn=policies,cn=system,DC=acme,DC=local;0]`,
  });
function ouSnapshot(dn: string, gPLink: string): VigilEvent {
  return finalizeEvent({
    tenantId: "acme",
    sensorId: "dc01",
    time: new Date(T0).toISOString(),
    kind: "entity.snapshot",
    entity: { objectType: "ou", objectId: "ou-1", dn, attributes: { gPLink }, deleted: false },
    origin: { format: "ldap", recordId: String(++rec) },
  });
}

interface Case {
  name: string;
  events: () => VigilEvent[];
  setup?: (ctx: EntityContext) => EntityContext;
  expect: string[];
}

const positive: Case[] = [
  {
    name: "Default Domain Policy edited (versionNumber replace)",
    events: () => [change(bob, DEFAULT_DOMAIN, { op: "delete" }), change(bob, DEFAULT_DOMAIN)],
    expect: [`medium ${BOB}`],
  },
  {
    name: "Default Domain Controllers Policy's extensions changed",
    events: () => [change(bob, DEFAULT_DC, { attribute: "gPCMachineExtensionNames" })],
    expect: [`medium ${BOB}`],
  },
  {
    name: "a GPO learned as linked to the DC OU (5136 gPLink)",
    events: () => [link("OU=Domain Controllers,DC=acme,DC=local", CUSTOM_GUID), change(bob, CUSTOM)],
    expect: [`medium ${BOB}`],
  },
  {
    name: "a GPO learned as linked to the domain root (LDAP snapshot)",
    events: () => [
      ouSnapshot("DC=acme,DC=local", `[LDAP://cn={${CUSTOM_GUID}},cn=policies,cn=system,DC=acme,DC=local;0]`),
      change(bob, CUSTOM),
    ],
    expect: [`medium ${BOB}`],
  },
  {
    name: "after 28 days of learning, a new editor is high",
    events: () => [
      change(acct("gpoadmin", 1300), DEFAULT_DOMAIN),
      change(acct("gpoadmin", 1300), DEFAULT_DOMAIN, { t: 30 * DAY }),
      change(bob, DEFAULT_DOMAIN, { t: 30 * DAY + 1 }),
    ],
    expect: [`medium account:${DOMAIN_SID}-1300`, `medium account:${DOMAIN_SID}-1300`, `high ${BOB}`],
  },
];

const nearMiss: Case[] = [
  {
    name: "a GPO linked only to an ordinary OU",
    events: () => [link("OU=Kiosks,DC=acme,DC=local", CUSTOM_GUID), change(bob, CUSTOM)],
    expect: [],
  },
  { name: "an unlinked GPO", events: () => [change(bob, CUSTOM)], expect: [] },
  { name: "only the delete half of a replace", events: () => [change(bob, DEFAULT_DOMAIN, { op: "delete" })], expect: [] },
];

const benign: Case[] = [
  { name: "the directory itself (SYSTEM)", events: () => [change({ sid: "S-1-5-18", name: "SYSTEM" }, DEFAULT_DOMAIN)], expect: [] },
  {
    name: "GPO admins excluded",
    events: () => [change(acct("gpoadmin", 1300), DEFAULT_DOMAIN)],
    setup: (ctx) => addExclusion(ctx, "gpo-tampering", "gpoadmin"),
    expect: [],
  },
];

describe("gpo-tampering", () => {
  describe.each([
    ["positive", positive],
    ["near miss", nearMiss],
    ["benign cause", benign],
  ])("%s", (_kind, cases) => {
    it.each(cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
      const { alerts } = replay([gpoTampering], c.events(), c.setup);
      expect(alerts.map((a) => `${a.severity} ${a.primaryEntity}`)).toEqual(c.expect);
    });
  });

  it("names the GPO and states the baseline", () => {
    const [alert] = replay([gpoTampering], [change(bob, DEFAULT_DC)]).alerts;
    expect(alert!.description).toBe(
      "ACME\\bob changed versionNumber of {6AC1786C-016F-11D2-945F-00C04FB984F9} (Default Domain Controllers Policy) on DC01.acme.local. Baseline still learning: 0 of 28 days, 0 earlier edits of these GPOs.",
    );
  });
});
