import { finalizeEvent, type VigilEvent } from "@vigil/sensor/contract";
import { describe, expect, it } from "vitest";
import { addExclusion, tagHoneytoken, type EntityContext } from "../engine/context.ts";
import { honeytokenQueried } from "./honeytoken-queried.ts";
import { DOMAIN_SID, replay, T0 } from "./test-events.ts";

const ATTACKER = "10.0.0.66";
const DECOY_SID = `${DOMAIN_SID}-1500`;
let record = 0;
const common = (account: string, t: number) => ({
  tenantId: "acme",
  sensorId: "dc01",
  time: new Date(T0 + t).toISOString(),
  dc: "DC01.acme.local",
  actor: { name: account, domain: "ACME" },
});
/** 4661 SAM_USER open by SID. */
const samr = (sid: string, account = "alice", t = 0): VigilEvent =>
  finalizeEvent({
    ...common(account, t),
    kind: "samr.query",
    target: { sid },
    objectType: "SAM_USER",
    objectName: sid,
    operation: "open",
    origin: { format: "evtx", recordId: String(++record), eventId: 4661, channel: "Security" },
  });
/** A wire LDAP search. */
const ldap = (filter: string, baseDn = "DC=acme,DC=local", account = "alice"): VigilEvent =>
  finalizeEvent({
    ...common(account, 0),
    kind: "ldap.search",
    src: { ip: ATTACKER },
    baseDn,
    scope: "sub",
    filter,
    attributes: [],
    origin: { format: "pcap", recordId: String(++record) },
  });
const bySid = (ctx: EntityContext) => tagHoneytoken(ctx, DECOY_SID);
const byName = (ctx: EntityContext) => tagHoneytoken(ctx, "ACME\\svc_decoy");

interface Case {
  name: string;
  events: () => VigilEvent[];
  setup?: (ctx: EntityContext) => EntityContext;
  expect: string[];
}

const positive: Case[] = [
  {
    name: "SAM-R open of the decoy by SID (4661)",
    events: () => [samr(DECOY_SID)],
    setup: bySid,
    expect: [`low honeytoken:${DECOY_SID.toLowerCase()}`],
  },
  {
    name: "LDAP filter naming the decoy",
    events: () => [ldap("(&(objectClass=user)(sAMAccountName=svc_decoy))")],
    setup: byName,
    expect: ["low honeytoken:svc_decoy"],
  },
  {
    name: "LDAP filter by objectSid",
    events: () => [ldap(`(objectSid=${DECOY_SID})`)],
    setup: bySid,
    expect: [`low honeytoken:${DECOY_SID.toLowerCase()}`],
  },
  {
    name: "LDAP base search on the decoy's DN",
    events: () => [ldap("(objectClass=*)", "CN=svc_decoy,OU=Service,DC=acme,DC=local")],
    setup: byName,
    expect: ["low honeytoken:svc_decoy"],
  },
  {
    name: "repeated queries: one alert",
    events: () => [samr(DECOY_SID), samr(DECOY_SID, "alice", 60_000)],
    setup: bySid,
    expect: [`low honeytoken:${DECOY_SID.toLowerCase()}`],
  },
];

const nearMiss: Case[] = [
  { name: "nothing tagged", events: () => [samr(DECOY_SID)], expect: [] },
  { name: "another account's SID", events: () => [samr(`${DOMAIN_SID}-1501`)], setup: bySid, expect: [] },
  {
    name: "bulk LDAP search not naming it (ldap-recon's)",
    events: () => [ldap("(&(objectCategory=person)(objectClass=user))")],
    setup: byName,
    expect: [],
  },
  { name: "a wildcard that merely contains the name", events: () => [ldap("(sAMAccountName=svc_decoy*)")], setup: byName, expect: [] },
];

const benign: Case[] = [
  { name: "a machine account resolving SIDs (LSA lookups)", events: () => [samr(DECOY_SID, "WS01$")], setup: bySid, expect: [] },
  {
    name: "the IAM tool's account is excluded",
    events: () => [samr(DECOY_SID, "svc_iam")],
    setup: (c) => addExclusion(bySid(c), "honeytoken-queried", "ACME\\svc_iam"),
    expect: [],
  },
];

describe("honeytoken-queried", () => {
  describe.each([
    ["positive", positive],
    ["near miss", nearMiss],
    ["benign cause", benign],
  ])("%s", (_kind, cases) => {
    it.each(cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
      const { alerts } = replay([honeytokenQueried], c.events(), c.setup);
      expect(alerts.map((a) => `${a.severity} ${a.primaryEntity}`)).toEqual(c.expect);
    });
  });

  it("names who queried what over which protocol", () => {
    const { alerts } = replay([honeytokenQueried], [ldap("(sAMAccountName=svc_decoy)")], byName);
    expect(alerts[0]!.description).toBe("ACME\\alice on 10.0.0.66 queried honeytoken svc_decoy over LDAP on DC01.acme.local.");
  });
});
