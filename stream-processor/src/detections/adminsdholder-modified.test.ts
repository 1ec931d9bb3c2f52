import { finalizeEvent, type Principal, type VigilEvent } from "@vigil/sensor/contract";
import { describe, expect, it } from "vitest";
import { addExclusion, type EntityContext } from "../engine/context.ts";
import { adminsdholderModified } from "./adminsdholder-modified.ts";
import { acct, DOMAIN_SID, replay, T0 } from "./test-events.ts";

const ADMINSDHOLDER = "CN=AdminSDHolder,CN=System,DC=acme,DC=local";
const mallory = acct("mallory", 1105);

let rec = 0;
function change(
  actor: Principal,
  objectDn: string,
  c: { attribute?: string; op?: "add" | "delete"; t?: number; success?: boolean } = {},
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
    objectClass: "container",
    attribute: c.attribute ?? "nTSecurityDescriptor",
    operation: c.op ?? "add",
    value: "O:DAG:DAD:(A;;GA;;;S-1-5-21-1-2-3-1105)",
    ...(c.success !== undefined ? { success: c.success } : {}),
    origin: { format: "evtx", recordId: String(++rec), eventId: 5136, channel: "Security" },
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
    name: "DACL replace on AdminSDHolder (delete + add, one alert)",
    events: () => [change(mallory, ADMINSDHOLDER, { op: "delete" }), change(mallory, ADMINSDHOLDER)],
    expect: [`high account:${DOMAIN_SID}-1105`],
  },
  {
    name: "another attribute of AdminSDHolder, DN in another case",
    events: () => [change(mallory, ADMINSDHOLDER.toUpperCase(), { attribute: "description" })],
    expect: [`high account:${DOMAIN_SID}-1105`],
  },
];

const nearMiss: Case[] = [
  { name: "DACL change of an ordinary container", events: () => [change(mallory, "CN=Users,DC=acme,DC=local")], expect: [] },
  {
    name: "an object merely named like it elsewhere",
    events: () => [change(mallory, "CN=AdminSDHolder,OU=Lab,DC=acme,DC=local")],
    expect: [],
  },
  { name: "a refused change", events: () => [change(mallory, ADMINSDHOLDER, { success: false })], expect: [] },
];

const benign: Case[] = [
  { name: "the directory itself (SYSTEM)", events: () => [change({ sid: "S-1-5-18", name: "SYSTEM" }, ADMINSDHOLDER)], expect: [] },
  { name: "the recording DC's machine account", events: () => [change(acct("DC01$"), ADMINSDHOLDER)], expect: [] },
  {
    name: "Exchange / adprep setup account excluded during the upgrade",
    events: () => [change(acct("exsetup", 1400), ADMINSDHOLDER)],
    setup: (ctx) => addExclusion(ctx, "adminsdholder-modified", "exsetup"),
    expect: [],
  },
];

describe("adminsdholder-modified", () => {
  describe.each([
    ["positive", positive],
    ["near miss", nearMiss],
    ["benign cause", benign],
  ])("%s", (_kind, cases) => {
    it.each(cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
      const { alerts } = replay([adminsdholderModified], c.events(), c.setup);
      expect(alerts.map((a) => `${a.severity} ${a.primaryEntity}`)).toEqual(c.expect);
    });
  });

  it("says who changed what", () => {
    const [alert] = replay([adminsdholderModified], [change(mallory, ADMINSDHOLDER)]).alerts;
    expect(alert!.description).toBe(
      `ACME\\mallory changed nTSecurityDescriptor of ${ADMINSDHOLDER} on DC01.acme.local. SDProp copies AdminSDHolder's permissions onto every protected account and group within the hour.`,
    );
  });
});
