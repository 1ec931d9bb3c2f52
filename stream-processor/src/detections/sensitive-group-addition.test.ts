import type { VigilEvent } from "@vigil/sensor/contract";
import { describe, expect, it } from "vitest";
import { addExclusion, tagSensitive, type EntityContext } from "../engine/context.ts";
import { DAY } from "../engine/detection.ts";
import { sensitiveGroupAddition } from "./sensitive-group-addition.ts";
import { acct, DOMAIN_SID, group, kdcEvent, membership, replay } from "./test-events.ts";

const admin = acct("admin", 500);
const eve = acct("eve", 1105);
const domainAdmins = group("Domain Admins", `${DOMAIN_SID}-512`);
const ADMIN = `account:${DOMAIN_SID}-500`;

interface Case {
  name: string;
  events: () => VigilEvent[];
  setup?: (ctx: EntityContext) => EntityContext;
  /** Expected alerts as `severity primaryEntity`. */
  expect: string[];
}

const positive: Case[] = [
  {
    name: "member added to Domain Admins (4728, RID 512)",
    events: () => [membership(admin, eve, domainAdmins)],
    expect: [`medium ${ADMIN}`],
  },
  {
    name: "member added to builtin Administrators on a DC (4732, S-1-5-32-544)",
    events: () => [kdcEvent("DC01.acme.local"), membership(admin, eve, group("Administrators", "S-1-5-32-544"))],
    expect: [`medium ${ADMIN}`],
  },
  {
    name: "Enterprise Admins named without a SID",
    events: () => [membership(admin, eve, group("Enterprise Admins"))],
    expect: [`medium ${ADMIN}`],
  },
  {
    name: "Key Admins (Vigil addition, RID 526)",
    events: () => [membership(admin, eve, group("Key Admins", `${DOMAIN_SID}-526`))],
    expect: [`medium ${ADMIN}`],
  },
  {
    name: "Backup Operators (S-1-5-32-551)",
    events: () => [membership(admin, eve, group("Backup Operators", "S-1-5-32-551"))],
    expect: [`medium ${ADMIN}`],
  },
  {
    name: "a group tagged sensitive by an admin",
    events: () => [membership(admin, eve, group("SQL Admins", `${DOMAIN_SID}-1200`))],
    setup: (ctx) => tagSensitive(ctx, `${DOMAIN_SID}-1200`),
    expect: [`medium ${ADMIN}`],
  },
  {
    name: "LDAP sync diff: no actor, keyed on the group",
    events: () => [membership(undefined, eve, domainAdmins)],
    expect: [`medium group:${DOMAIN_SID}-512`],
  },
  {
    name: "after the learning period, an actor never seen changing sensitive groups: high",
    events: () => [
      membership(admin, acct("bob", 1106), domainAdmins),
      membership(eve, acct("mallory", 1107), domainAdmins, { t: 30 * DAY }),
    ],
    expect: [`medium ${ADMIN}`, `high account:${DOMAIN_SID}-1105`],
  },
];

const nearMiss: Case[] = [
  { name: "removal from Domain Admins", events: () => [membership(admin, eve, domainAdmins, { action: "remove" })], expect: [] },
  { name: "Domain Users (RID 513)", events: () => [membership(admin, eve, group("Domain Users", `${DOMAIN_SID}-513`))], expect: [] },
  { name: "a custom group nobody tagged", events: () => [membership(admin, eve, group("Helpdesk", `${DOMAIN_SID}-1201`))], expect: [] },
  {
    name: "a member server's local Administrators (S-1-5-32-544 recorded on WS01)",
    events: () => [kdcEvent("DC01.acme.local"), membership(admin, eve, group("Administrators", "S-1-5-32-544"), { dc: "WS01.acme.local" })],
    expect: [],
  },
  {
    name: "a SID says Domain Users even though the name says Domain Admins",
    events: () => [membership(admin, eve, group("Domain Admins", `${DOMAIN_SID}-513`))],
    expect: [],
  },
];

const benign: Case[] = [
  {
    name: "DC promotion: a known DC's account joins Domain Controllers",
    events: () => [kdcEvent("DC02.acme.local"), membership(admin, acct("DC02$", 1002), group("Domain Controllers", `${DOMAIN_SID}-516`))],
    expect: [],
  },
  {
    name: "provisioning account excluded",
    events: () => [membership(admin, eve, domainAdmins)],
    setup: (ctx) => addExclusion(ctx, "sensitive-group-addition", "ACME\\admin"),
    expect: [],
  },
  {
    name: "an actor seen before the learning period ended stays medium",
    events: () => [membership(admin, acct("bob", 1106), domainAdmins), membership(admin, eve, domainAdmins, { t: 30 * DAY })],
    expect: [`medium ${ADMIN}`, `medium ${ADMIN}`],
  },
  {
    name: "a new actor during the learning period is medium, not high",
    events: () => [
      membership(admin, acct("bob", 1106), domainAdmins),
      membership(eve, acct("mallory", 1107), domainAdmins, { t: 3 * DAY }),
    ],
    expect: [`medium ${ADMIN}`, `medium account:${DOMAIN_SID}-1105`],
  },
  {
    name: "an actor who only removed members before is not new",
    events: () => [
      membership(eve, acct("bob", 1106), domainAdmins, { action: "remove" }),
      membership(eve, acct("mallory", 1107), domainAdmins, { t: 30 * DAY }),
    ],
    expect: [`medium account:${DOMAIN_SID}-1105`],
  },
];

describe("sensitive-group-addition", () => {
  describe.each([
    ["positive", positive],
    ["near miss", nearMiss],
    ["benign cause", benign],
  ])("%s", (_kind, cases) => {
    it.each(cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
      const { alerts } = replay([sensitiveGroupAddition], c.events(), c.setup);
      expect(alerts.map((a) => `${a.severity} ${a.primaryEntity}`)).toEqual(c.expect);
    });
  });

  it("names a member given only by DN (as DCs log it) by its CN", () => {
    const member = { sid: `${DOMAIN_SID}-1105`, dn: "CN=Eve\\, Admin,CN=Users,DC=acme,DC=local" };
    const [alert] = replay([sensitiveGroupAddition], [membership(admin, member, domainAdmins)]).alerts;
    expect(alert!.description).toMatch(/^ACME\\admin added Eve, Admin to the sensitive group ACME\\Domain Admins/);
  });

  it("says who added whom to which group, and how much baseline there is", () => {
    const events = [
      membership(admin, acct("bob", 1106), domainAdmins),
      membership(eve, acct("mallory", 1107), domainAdmins, { t: 30 * DAY, ip: "10.0.0.66" }),
    ];
    const [first, second] = replay([sensitiveGroupAddition], events).alerts;
    expect(first!.description).toBe(
      "ACME\\admin added ACME\\bob to the sensitive group ACME\\Domain Admins on DC01.acme.local. Baseline still learning: 0 of 28 days, 0 earlier sensitive-group changes.",
    );
    expect(second!.description).toBe(
      "ACME\\eve added ACME\\mallory to the sensitive group ACME\\Domain Admins on DC01.acme.local from 10.0.0.66. ACME\\eve has not changed sensitive groups before, which is unusual. Baseline: 30 days, 1 earlier sensitive-group change.",
    );
    expect(second!.entities.map((e) => e.role)).toEqual(["actor", "member", "group", "source", "dc"]);
  });
});
