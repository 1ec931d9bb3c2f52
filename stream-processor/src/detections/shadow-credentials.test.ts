import { finalizeEvent, type Principal, type VigilEvent } from "@vigil/sensor/contract";
import { describe, expect, it } from "vitest";
import { addExclusion, type EntityContext } from "../engine/context.ts";
import { shadowCredentials } from "./shadow-credentials.ts";
import { acct, replay, T0 } from "./test-events.ts";

const ALICE = "CN=alice,CN=Users,DC=acme,DC=local";
const WS07 = "CN=WS07,OU=Workstations,DC=acme,DC=local";
const KEY = "B:828:0002000020000100ABCDEF:CN=alice,CN=Users,DC=acme,DC=local";

let rec = 0;
function keyWrite(
  actor: Principal,
  objectDn: string,
  c: { op?: "add" | "delete"; cls?: string; attribute?: string; t?: number } = {},
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
    objectClass: c.cls ?? "user",
    attribute: c.attribute ?? "msDS-KeyCredentialLink",
    operation: c.op ?? "add",
    value: KEY,
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
    name: "Whisker: a user adds a key to another user",
    events: () => [keyWrite(acct("mallory", 1105), ALICE)],
    expect: ["high account:alice"],
  },
  {
    name: "ntlmrelayx --shadow-credentials: a relayed computer writes a user",
    events: () => [keyWrite(acct("WS07$"), ALICE)],
    expect: ["high account:alice"],
  },
  {
    name: "a key added to a computer by a user",
    events: () => [keyWrite(acct("mallory", 1105), WS07, { cls: "computer" })],
    expect: ["high account:ws07"],
  },
  {
    name: "two keys within the hour: one alert",
    events: () => [keyWrite(acct("mallory", 1105), ALICE), keyWrite(acct("mallory", 1105), ALICE, { t: 60_000 })],
    expect: ["high account:alice"],
  },
];

const nearMiss: Case[] = [
  { name: "a key removed (cleanup)", events: () => [keyWrite(acct("mallory", 1105), ALICE, { op: "delete" })], expect: [] },
  { name: "another attribute", events: () => [keyWrite(acct("mallory", 1105), ALICE, { attribute: "description" })], expect: [] },
];

const benign: Case[] = [
  {
    name: "a computer registering its own key (device registration)",
    events: () => [keyWrite(acct("WS07$"), WS07, { cls: "computer" })],
    expect: [],
  },
  {
    name: "Entra Connect writing WHfB keys, excluded",
    events: () => [keyWrite(acct("MSOL_0a1b2c3d4e5f"), ALICE)],
    setup: (ctx) => addExclusion(ctx, "shadow-credentials", "MSOL_0a1b2c3d4e5f"),
    expect: [],
  },
];

describe("shadow-credentials", () => {
  describe.each([
    ["positive", positive],
    ["near miss", nearMiss],
    ["benign cause", benign],
  ])("%s", (_kind, cases) => {
    it.each(cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
      const { alerts } = replay([shadowCredentials], c.events(), c.setup);
      expect(alerts.map((a) => `${a.severity} ${a.primaryEntity}`)).toEqual(c.expect);
    });
  });

  it("says who added a key to whom", () => {
    const [alert] = replay([shadowCredentials], [keyWrite(acct("mallory", 1105), ALICE)]).alerts;
    expect(alert!.description).toBe(
      "ACME\\mallory added a key credential to alice on DC01.acme.local. With its private key the writer can get Kerberos tickets and the NT hash of that account.",
    );
  });
});
