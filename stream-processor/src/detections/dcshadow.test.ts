import { finalizeEvent, type EventDraft, type Principal, type VigilEvent } from "@vigil/sensor/contract";
import { describe, expect, it } from "vitest";
import { addDc, type EntityContext } from "../engine/context.ts";
import { dcshadow } from "./dcshadow.ts";
import { acct, DOMAIN_SID, kdcEvent, replay, replication, T0 } from "./test-events.ts";

let record = 0;
const base = (eventId: number) => ({
  tenantId: "acme",
  sensorId: "dc01",
  time: new Date(T0 + record * 1000).toISOString(),
  dc: "DC01.acme.local",
  origin: { format: "evtx" as const, recordId: String(++record), eventId },
});
const DRS_SPN = "E3514235-4B06-11D1-AB04-00C04FC2DCD2/4f1c…/ws01.acme.local";
const SITES = "CN=Servers,CN=Default-First-Site-Name,CN=Sites,CN=Configuration,DC=acme,DC=local";

/** 5136 one value of an attribute on an object. */
const change = (
  actor: Principal,
  objectDn: string,
  objectClass: string,
  attribute: string,
  value: string,
  operation: "add" | "delete" = "add",
): VigilEvent =>
  finalizeEvent({
    ...base(5136),
    kind: "directory.change",
    actor,
    target: { dn: objectDn },
    objectDn,
    objectClass,
    attribute,
    operation,
    value,
  } as EventDraft);

/** 4742 reporting the computer's SPN list. */
const spnList = (actor: Principal, target: Principal, value: string): VigilEvent =>
  finalizeEvent({
    ...base(4742),
    kind: "directory.change",
    actor,
    target,
    objectClass: "computer",
    attribute: "servicePrincipalName",
    operation: "replace",
    value,
  } as EventDraft);

/** 4662 exercising control-access rights on the domain object. */
const access = (actor: Principal, properties: string[]): VigilEvent =>
  finalizeEvent({
    ...base(4662),
    kind: "directory.access",
    actor,
    objectClass: "domainDNS",
    properties,
    accessMask: "0x100",
  } as EventDraft);

const mallory = acct("mallory", 1105);
const ws01Dn = "CN=WS01,CN=Computers,DC=acme,DC=local";

interface Case {
  name: string;
  events: () => VigilEvent[];
  setup?: (ctx: EntityContext) => EntityContext;
  /** Expected alerts as `severity primaryEntity`. */
  expect: string[];
}

const positive: Case[] = [
  {
    name: "DRS SPN added to a workstation (5136)",
    events: () => [change(mallory, ws01Dn, "computer", "servicePrincipalName", DRS_SPN)],
    expect: ["high host:ws01"],
  },
  {
    name: "GC SPN added to a workstation",
    events: () => [change(mallory, ws01Dn, "computer", "servicePrincipalName", "GC/ws01.acme.local/acme.local")],
    expect: ["high host:ws01"],
  },
  {
    name: "DC SPN in a 4742 SPN list",
    events: () => [spnList(mallory, acct("WS01$"), `HOST/ws01\n${DRS_SPN}`)],
    expect: ["high host:ws01"],
  },
  {
    name: "NTDS Settings and server objects written for a workstation (aggregate on the host)",
    events: () => [
      change(mallory, `CN=WS01,${SITES}`, "server", "serverReference", ws01Dn),
      change(mallory, `CN=NTDS Settings,CN=WS01,${SITES}`, "nTDSDSA", "objectCategory", "CN=NTDS-DSA,…"),
    ],
    expect: ["high host:ws01"],
  },
  {
    name: "DS-Install-Replica exercised by a user",
    events: () => [access(mallory, ["{9923a32a-3607-11d2-b9be-0000f87a36b2}"])],
    expect: [`high account:${DOMAIN_SID}-1105`],
  },
  {
    name: "DsReplicaAdd on the wire from a workstation",
    events: () => [replication(undefined, { operation: "DRSReplicaAdd", ip: "10.0.0.66" })],
    expect: ["high host:10.0.0.66"],
  },
];

const nearMiss: Case[] = [
  {
    name: "an ordinary SPN on a workstation",
    events: () => [change(mallory, ws01Dn, "computer", "servicePrincipalName", "HTTP/ws01.acme.local")],
    expect: [],
  },
  {
    name: "the DC SPN being removed (mimikatz cleaning up is not a new registration)",
    events: () => [change(mallory, ws01Dn, "computer", "servicePrincipalName", DRS_SPN, "delete")],
    expect: [],
  },
  { name: "4662 with other rights", events: () => [access(mallory, ["{1131f6ab-9c07-11d1-f79f-00c04fc2dcd2}"])], expect: [] },
  {
    name: "DsGetNCChanges alone (dcsync's)",
    events: () => [replication(undefined, { operation: "DRSGetNCChanges", ip: "10.0.0.66" })],
    expect: [],
  },
  { name: "another Sites object class", events: () => [change(mallory, `CN=WS01,${SITES}`, "nTDSConnection", "options", "0")], expect: [] },
];

const benign: Case[] = [
  {
    name: "DC promotion: the computer is in OU=Domain Controllers",
    events: () => [change(mallory, "CN=DC05,OU=Domain Controllers,DC=acme,DC=local", "computer", "servicePrincipalName", DRS_SPN)],
    expect: [],
  },
  {
    name: "a new DC added to ctx before promotion",
    events: () => [change(mallory, `CN=NTDS Settings,CN=DC05,${SITES}`, "nTDSDSA", "options", "1")],
    setup: (ctx) => addDc(ctx, { host: "DC05" }),
    expect: [],
  },
  {
    name: "the KCC editing a known DC's NTDS Settings",
    events: () => [kdcEvent("DC02.acme.local"), change(acct("DC02$"), `CN=NTDS Settings,CN=DC02,${SITES}`, "nTDSDSA", "options", "1")],
    expect: [],
  },
  {
    name: "a DC machine account writing a server object",
    events: () => [change({ ...acct("DC01$"), sid: `${DOMAIN_SID}-1000` }, `CN=WS09,${SITES}`, "server", "dNSHostName", "ws09")],
    expect: [],
  },
  {
    name: "DsReplicaAdd from a known DC",
    events: () => [replication(undefined, { operation: "DRSReplicaAdd", ip: "10.0.0.11" })],
    setup: (ctx) => addDc(ctx, { host: "DC02", ip: "10.0.0.11" }),
    expect: [],
  },
];

describe("dcshadow", () => {
  describe.each([
    ["positive", positive],
    ["near miss", nearMiss],
    ["benign cause", benign],
  ])("%s", (_kind, cases) => {
    it.each(cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
      const { alerts } = replay([dcshadow], c.events(), c.setup);
      expect(alerts.map((a) => `${a.severity} ${a.primaryEntity}`)).toEqual(c.expect);
    });
  });

  it("names the rogue computer and who registered it", () => {
    const [alert] = replay([dcshadow], [change(mallory, ws01Dn, "computer", "servicePrincipalName", DRS_SPN)]).alerts;
    expect(alert!.description).toBe(
      "ACME\\mallory gave ws01, which is not a domain controller, the E3514235-4B06-11D1-AB04-00C04FC2DCD2/ service principal name only DCs carry: DCShadow registers a rogue DC this way.",
    );
    expect(alert!.entities.map((e) => `${e.role}:${e.kind}:${e.id}`)).toEqual([
      `actor:user:${DOMAIN_SID}-1105`,
      "target:computer:ws01",
      "dc:computer:dc01",
    ]);
  });
});
