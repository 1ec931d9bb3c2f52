import { finalizeEvent, type Principal, type VigilEvent } from "@vigil/sensor/contract";
import { describe, expect, it } from "vitest";
import { addDc, type EntityContext } from "../engine/context.ts";
import { samaccountnameSpoofing } from "./samaccountname-spoofing.ts";
import { acct, DOMAIN_SID, kdcEvent, replay, T0 } from "./test-events.ts";

const lgrove = acct("lgrove", 1606);
const FAKE = `${DOMAIN_SID}-2201`;
const fake = (name: string): Principal => ({ name, domain: "ACME", sid: FAKE });

let rec = 0;
const common = (eventId: number, t = 0) => ({
  tenantId: "acme",
  sensorId: "dc01",
  time: new Date(T0 + t).toISOString(),
  dc: "DC01.acme.local",
  actor: lgrove,
  origin: { format: "evtx" as const, recordId: String(++rec), eventId, channel: "Security" },
});
/** 4742: a computer's sAMAccountName changed. */
const changed = (from: string, to: string, c: { objectClass?: string; op?: "replace" | "delete" } = {}): VigilEvent =>
  finalizeEvent({
    ...common(4742),
    kind: "directory.change",
    target: fake(from),
    objectClass: c.objectClass ?? "computer",
    attribute: "sAMAccountName",
    operation: c.op ?? "replace",
    value: to,
  });
/** 4781: an account renamed. */
const renamed = (from: string, to: string, accountType: "user" | "computer" = "computer"): VigilEvent =>
  finalizeEvent({ ...common(4781), kind: "account.lifecycle", target: fake(from), action: "renamed", accountType, newName: to });

interface Case {
  name: string;
  events: () => VigilEvent[];
  setup?: (ctx: EntityContext) => EntityContext;
  expect: string[];
}

const positive: Case[] = [
  {
    name: "noPac: 4742 + 4781 renaming DC012$ to the recording DC's name (one alert)",
    events: () => [changed("DC012$", "dc01"), renamed("DC012$", "dc01")],
    expect: [`high account:${FAKE}`],
  },
  {
    name: "rename to another DC known from its KDC events",
    events: () => [kdcEvent("DC02.acme.local"), renamed("WS7$", "DC02")],
    expect: [`high account:${FAKE}`],
  },
  {
    name: "rename to a DC set by an admin",
    events: () => [renamed("WS7$", "dc04")],
    setup: (ctx) => addDc(ctx, { host: "dc04.acme.local" }),
    expect: [`high account:${FAKE}`],
  },
  {
    name: "5136-style change on a computer object",
    events: () => [changed("DC012$", "DC01", { objectClass: "computer" })],
    expect: [`high account:${FAKE}`],
  },
];

const nearMiss: Case[] = [
  { name: "ordinary computer rename keeps the $", events: () => [changed("WS7$", "WS8$"), renamed("WS7$", "WS8$")], expect: [] },
  {
    name: "rename back to a non-DC name without $",
    events: () => [changed("dc01", "DC012"), renamed("dc01", "DC012", "user")],
    expect: [],
  },
  { name: "DC name with the $ (only a DC's own account may have it)", events: () => [renamed("WS7$", "DC01$")], expect: [] },
  {
    name: "a user renamed like a DC",
    events: () => [changed("alice", "dc01", { objectClass: "user" }), renamed("alice", "dc01", "user")],
    expect: [],
  },
  { name: "sAMAccountName cleared", events: () => [changed("WS7$", "", { op: "delete" })], expect: [] },
];

const benign: Case[] = [{ name: "a computer named like an unknown host", events: () => [renamed("WS7$", "FILESRV")], expect: [] }];

describe("samaccountname-spoofing", () => {
  describe.each([
    ["positive", positive],
    ["near miss", nearMiss],
    ["benign cause", benign],
  ])("%s", (_kind, cases) => {
    it.each(cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
      const { alerts } = replay([samaccountnameSpoofing], c.events(), c.setup);
      expect(alerts.map((a) => `${a.severity} ${a.primaryEntity}`)).toEqual(c.expect);
    });
  });

  it("says who renamed which computer to which DC", () => {
    const [alert] = replay([samaccountnameSpoofing], [renamed("DC012$", "dc01")]).alerts;
    expect(alert!.description).toBe(
      'ACME\\lgrove renamed the computer account DC012$ to "dc01", the name of domain controller DC01 without the trailing $ on DC01.acme.local. This is how noPac gets a Kerberos ticket issued as the DC.',
    );
    expect(alert!.entities.map((e) => `${e.role}:${e.kind}:${e.id}`)).toEqual([
      `actor:user:${DOMAIN_SID}-1606`,
      `target:computer:${FAKE}`,
      "dc:computer:dc01",
    ]);
  });
});
