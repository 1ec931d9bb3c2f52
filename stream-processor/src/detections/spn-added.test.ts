import { finalizeEvent, type Principal, type VigilEvent } from "@vigil/sensor/contract";
import { describe, expect, it } from "vitest";
import { addExclusion, type EntityContext } from "../engine/context.ts";
import { spnAdded } from "./spn-added.ts";
import { acct, DOMAIN_SID, replay, T0 } from "./test-events.ts";

const ALICE_DN = "CN=alice,CN=Users,DC=acme,DC=local";
const ALICE = `${DOMAIN_SID}-1201`;
const bob = acct("bob", 1108);

let rec = 0;
/** 5136 value add (DN only) */
function spn5136(actor: Principal, value: string, c: { op?: "add" | "delete"; cls?: string; dn?: string } = {}): VigilEvent {
  const objectDn = c.dn ?? ALICE_DN;
  return finalizeEvent({
    tenantId: "acme",
    sensorId: "dc01",
    time: new Date(T0).toISOString(),
    dc: "DC01.acme.local",
    kind: "directory.change",
    actor,
    target: { dn: objectDn },
    objectDn,
    objectClass: c.cls ?? "user",
    attribute: "servicePrincipalName",
    operation: c.op ?? "add",
    value,
    origin: { format: "evtx", recordId: String(++rec), eventId: 5136, channel: "Security" },
  });
}
/** 4738 listing the account's whole SPN set. */
function spn4738(actor: Principal, spns: string[], t = 0): VigilEvent {
  return finalizeEvent({
    tenantId: "acme",
    sensorId: "dc01",
    time: new Date(T0 + t).toISOString(),
    dc: "DC01.acme.local",
    kind: "directory.change",
    actor,
    target: { name: "alice", domain: "ACME", sid: ALICE },
    objectClass: "user",
    attribute: "servicePrincipalName",
    operation: "replace",
    value: spns.join("\n"),
    origin: { format: "evtx", recordId: String(++rec), eventId: 4738, channel: "Security" },
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
    name: "5136: SPN added to a user by another user (targeted kerberoast)",
    events: () => [spn5136(bob, "http/fake.acme.local")],
    expect: ["medium account:alice"],
  },
  { name: "4738 with an SPN list, nothing known before", events: () => [spn4738(bob, ["http/fake"])], expect: [`medium account:${ALICE}`] },
  {
    name: "4738 adding a second SPN to a known list",
    events: () => [spn4738(acct("alice", 1201), ["MSSQLSvc/db01:1433"]), spn4738(bob, ["MSSQLSvc/db01:1433", "http/fake"], 60_000)],
    expect: [`medium account:${ALICE}`],
  },
];

const nearMiss: Case[] = [
  { name: "SPN removed (attacker cleanup)", events: () => [spn5136(bob, "http/fake", { op: "delete" })], expect: [] },
  {
    name: "SPN on a computer",
    events: () => [spn5136(bob, "HOST/ws07", { cls: "computer", dn: "CN=WS07,OU=W,DC=acme,DC=local" })],
    expect: [],
  },
  {
    name: "SPN on a gMSA",
    events: () => [
      spn5136(bob, "http/app", { cls: "msDS-GroupManagedServiceAccount", dn: "CN=gmsa,CN=Managed Service Accounts,DC=acme,DC=local" }),
    ],
    expect: [],
  },
  {
    name: "4738 re-listing the same SPNs",
    events: () => [spn4738(acct("alice", 1201), ["http/a"]), spn4738(bob, ["HTTP/a"], 60_000)],
    expect: [],
  },
];

const benign: Case[] = [
  { name: "a service account registering its own SPN", events: () => [spn5136(acct("alice", 1201), "MSSQLSvc/db01:1433")], expect: [] },
  { name: "the directory itself (SYSTEM)", events: () => [spn5136({ sid: "S-1-5-18", name: "SYSTEM" }, "http/x")], expect: [] },
  {
    name: "provisioning account excluded",
    events: () => [spn5136(acct("svc_idm", 1400), "http/app")],
    setup: (ctx) => addExclusion(ctx, "spn-added", "svc_idm"),
    expect: [],
  },
];

describe("spn-added", () => {
  describe.each([
    ["positive", positive],
    ["near miss", nearMiss],
    ["benign cause", benign],
  ])("%s", (_kind, cases) => {
    it.each(cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
      const { alerts } = replay([spnAdded], c.events(), c.setup);
      expect(alerts.map((a) => `${a.severity} ${a.primaryEntity}`)).toEqual(c.expect);
    });
  });

  it("names only the SPNs that are new", () => {
    const { alerts } = replay(
      [spnAdded],
      [spn4738(acct("alice", 1201), ["MSSQLSvc/db01:1433"]), spn4738(bob, ["MSSQLSvc/db01:1433", "http/fake"], 60_000)],
    );
    expect(alerts[0]!.description).toBe(
      "ACME\\bob added the SPN http/fake to the user account alice on DC01.acme.local. Anyone can now request a service ticket for it and crack the account's password offline.",
    );
  });
});
