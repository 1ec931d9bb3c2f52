import { finalizeEvent, type Principal, type VigilEvent } from "@vigil/sensor/contract";
import { describe, expect, it } from "vitest";
import { addExclusion, type EntityContext } from "../engine/context.ts";
import { rbcdModified } from "./rbcd-modified.ts";
import { acct, DOMAIN_SID, replay, T0 } from "./test-events.ts";

const FS01 = "CN=FS01,OU=Servers,DC=acme,DC=local";
const EVIL = `${DOMAIN_SID}-3001`;
const RBCD = `O:BAD:(A;;CCDCLCSWRPWPDTLOCRSDRCWDWO;;;${EVIL})`;

let rec = 0;
function rbcd(actor: Principal, c: { op?: "add" | "delete"; attribute?: string; t?: number; dn?: string } = {}): VigilEvent {
  const objectDn = c.dn ?? FS01;
  return finalizeEvent({
    tenantId: "acme",
    sensorId: "dc01",
    time: new Date(T0 + (c.t ?? 0)).toISOString(),
    dc: "DC01.acme.local",
    kind: "directory.change",
    actor,
    target: { dn: objectDn },
    objectDn,
    objectClass: "computer",
    attribute: c.attribute ?? "msDS-AllowedToActOnBehalfOfOtherIdentity",
    operation: c.op ?? "add",
    value: RBCD,
    origin: { format: "evtx", recordId: String(++rec), eventId: 5136, channel: "Security" },
  });
}
const key = "account:fs01";

interface Case {
  name: string;
  events: () => VigilEvent[];
  setup?: (ctx: EntityContext) => EntityContext;
  expect: string[];
  title?: string;
}

const positive: Case[] = [
  {
    name: "written by a machine account (KrbRelayUp / ntlmrelayx --delegate-access)",
    events: () => [rbcd(acct("WS07$"))],
    expect: [`high ${key}`],
  },
  { name: "written by a user with GenericWrite", events: () => [rbcd(acct("mallory", 1105))], expect: [`high ${key}`] },
  {
    name: "attribute name in another case, replace (delete + add)",
    events: () => [rbcd(acct("WS07$"), { op: "delete" }), rbcd(acct("WS07$"), { attribute: "msds-allowedtoactonbehalfofotheridentity" })],
    expect: [`high ${key}`],
  },
];

const nearMiss: Case[] = [
  { name: "RBCD cleared (delete only)", events: () => [rbcd(acct("admin", 1100), { op: "delete" })], expect: [] },
  {
    name: "classic constrained delegation (msDS-AllowedToDelegateTo)",
    events: () => [rbcd(acct("WS07$"), { attribute: "msDS-AllowedToDelegateTo" })],
    expect: [],
  },
];

const benign: Case[] = [
  {
    name: "an admin configuring delegation for a service, excluded",
    events: () => [rbcd(acct("srvadmin", 1300))],
    setup: (ctx) => addExclusion(ctx, "rbcd-modified", "srvadmin"),
    expect: [],
  },
];

describe("rbcd-modified", () => {
  describe.each([
    ["positive", positive],
    ["near miss", nearMiss],
    ["benign cause", benign],
  ])("%s", (_kind, cases) => {
    it.each(cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
      const { alerts } = replay([rbcdModified], c.events(), c.setup);
      expect(alerts.map((a) => `${a.severity} ${a.primaryEntity}`)).toEqual(c.expect);
    });
  });

  it("names the allowed principal and flags a machine-account writer", () => {
    const [alert] = replay([rbcdModified], [rbcd(acct("WS07$"))]).alerts;
    expect(alert!.title).toBe("Resource-based constrained delegation modified by a machine account");
    expect(alert!.description).toBe(
      `ACME\\WS07$ wrote resource-based constrained delegation on FS01, allowing ${EVIL} to impersonate any user to it on DC01.acme.local. The writer is a computer account, which is how relayed NTLM (KrbRelayUp, ntlmrelayx) sets RBCD.`,
    );
    expect(alert!.entities.map((e) => `${e.role}:${e.kind}:${e.id}`)).toEqual([
      "actor:computer:WS07$",
      "target:computer:FS01",
      "dc:computer:dc01",
    ]);
  });
});
