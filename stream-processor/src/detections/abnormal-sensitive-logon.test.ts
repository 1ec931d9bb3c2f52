import { finalizeEvent, type EventDraft, type VigilEvent } from "@vigil/sensor/contract";
import { describe, expect, it } from "vitest";
import { addExclusion, tagSensitive, type EntityContext } from "../engine/context.ts";
import { DAY, HOUR } from "../engine/detection.ts";
import { abnormalSensitiveLogon } from "./abnormal-sensitive-logon.ts";
import { acct, DOMAIN_SID, group, membership, replay, success, times, T0 } from "./test-events.ts";

const DOMAIN_ADMINS = group("Domain Admins", `${DOMAIN_SID}-512`);

/** n successful AS / 4624 logons of `name` from `host`, one every 3 hours from `from`. */
const routine = (name: string, host: string, n = 12, from = 0): VigilEvent[] =>
  times(n, (c, i) => (i % 2 ? success("logon", name, { ...c, host }) : success("ntlm", name, { ...c, host })), 3 * HOUR, from);
const from = (name: string, host: string, t: number, kind: "logon" | "ntlm" | "kerberos.as" = "logon"): VigilEvent =>
  success(kind, name, kind === "kerberos.as" ? { t, ip: host } : { t, host });

/** LDAP snapshot of a user with adminCount / memberOf. */
const snapshot = (name: string, attributes: Record<string, string | number | string[]>): VigilEvent =>
  finalizeEvent({
    tenantId: "acme",
    sensorId: "dc01",
    time: new Date(T0 - HOUR).toISOString(),
    kind: "entity.snapshot",
    entity: {
      objectType: "user",
      objectId: `${DOMAIN_SID}-1600`,
      name,
      attributes: { sAMAccountName: name, ...attributes },
      deleted: false,
    },
    origin: { format: "ldap", recordId: `snap-${name}` },
  } as EventDraft);

const inDomainAdmins = (name: string, rid = 1500) => membership(acct("root", 500), acct(name, rid), DOMAIN_ADMINS, { t: -2 * HOUR });
const tagged = (name: string) => (ctx: EntityContext) => tagSensitive(ctx, name);

interface Case {
  name: string;
  events: () => VigilEvent[];
  setup?: (ctx: EntityContext) => EntityContext;
  /** Expected alerts as `severity primaryEntity`. */
  expect: string[];
}

const positive: Case[] = [
  {
    name: "a Domain Admin (learned from 4728) from a new workstation",
    events: () => [inDomainAdmins("admin"), ...routine("admin", "ADMINPC"), from("admin", "WS66", 2 * DAY)],
    expect: ["medium account:admin"],
  },
  {
    name: "a tagged account over Kerberos AS from a new IP",
    events: () => [
      ...times(12, (c) => success("kerberos.as", "svc_sql", { ...c, ip: "10.0.0.5" }), 3 * HOUR),
      from("svc_sql", "10.0.0.66", 2 * DAY, "kerberos.as"),
    ],
    setup: tagged("svc_sql"),
    expect: ["medium account:svc_sql"],
  },
  {
    name: "adminCount=1 per LDAP snapshot",
    events: () => [snapshot("ops", { adminCount: 1 }), ...routine("ops", "OPSPC"), from("ops", "WS66", 2 * DAY)],
    expect: ["medium account:ops"],
  },
  {
    name: "memberOf a sensitive group per LDAP snapshot",
    events: () => [
      snapshot("ops", { memberOf: ["CN=Backup Operators,CN=Builtin,DC=acme,DC=local"] }),
      ...routine("ops", "OPSPC"),
      from("ops", "WS66", 2 * DAY, "ntlm"),
    ],
    expect: ["medium account:ops"],
  },
  {
    name: "two new computers: one alert each, aggregated on the account",
    events: () => [
      inDomainAdmins("admin"),
      ...routine("admin", "ADMINPC"),
      from("admin", "WS66", 2 * DAY),
      from("admin", "WS67", 2 * DAY + HOUR),
    ],
    expect: ["medium account:admin"],
  },
];

const nearMiss: Case[] = [
  {
    name: "the usual computer",
    events: () => [inDomainAdmins("admin"), ...routine("admin", "ADMINPC"), from("admin", "ADMINPC", 2 * DAY)],
    expect: [],
  },
  {
    name: "a non-sensitive account from a new computer",
    events: () => [...routine("bob", "BOBPC"), from("bob", "WS66", 2 * DAY)],
    expect: [],
  },
  {
    name: "too few samples (9)",
    events: () => [inDomainAdmins("admin"), ...routine("admin", "ADMINPC", 9), from("admin", "WS66", 2 * DAY)],
    expect: [],
  },
  {
    name: "profile younger than a day",
    events: () => [
      inDomainAdmins("admin"),
      ...times(12, (c) => success("logon", "admin", { ...c, host: "ADMINPC" }), HOUR),
      from("admin", "WS66", 13 * HOUR),
    ],
    expect: [],
  },
  {
    name: "removed from Domain Admins before",
    events: () => [
      inDomainAdmins("admin"),
      membership(acct("root", 500), acct("admin", 1500), DOMAIN_ADMINS, { t: -HOUR, action: "remove" }),
      ...routine("admin", "ADMINPC"),
      from("admin", "WS66", 2 * DAY),
    ],
    expect: [],
  },
  {
    name: "a failed logon from a new computer (brute-force's)",
    events: () => [
      inDomainAdmins("admin"),
      ...routine("admin", "ADMINPC"),
      finalizeEvent({ ...from("admin", "WS66", 2 * DAY), id: undefined, success: false } as unknown as EventDraft),
    ],
    expect: [],
  },
];

const benign: Case[] = [
  {
    name: "a DC machine account (Domain Controllers member)",
    events: () => [
      membership(undefined, acct("DC02$"), group("Domain Controllers", `${DOMAIN_SID}-516`), { t: -HOUR }),
      ...routine("DC02$", "DC02"),
      from("DC02$", "DC03", 2 * DAY),
    ],
    expect: [],
  },
  {
    name: "a roaming deployment account already on 25 computers",
    events: () => [
      inDomainAdmins("deploy", 1700),
      ...times(25, (c, i) => success("logon", "deploy", { ...c, host: `SRV${i}` }), HOUR / 2),
      from("deploy", "SRV99", 2 * DAY),
    ],
    expect: [],
  },
  {
    name: "a planned jump server, excluded",
    events: () => [inDomainAdmins("admin"), ...routine("admin", "ADMINPC"), from("admin", "JUMP01", 2 * DAY)],
    setup: (ctx) => addExclusion(ctx, ID, "JUMP01"),
    expect: [],
  },
  {
    name: "a generic NTLM workstation name with no IP is not a computer",
    events: () => [inDomainAdmins("admin"), ...routine("admin", "ADMINPC"), from("admin", "MSTSC", 2 * DAY, "ntlm")],
    expect: [],
  },
];
const ID = "abnormal-sensitive-logon";

describe("abnormal-sensitive-logon", () => {
  describe.each([
    ["positive", positive],
    ["near miss", nearMiss],
    ["benign cause", benign],
  ])("%s", (_kind, cases) => {
    it.each(cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
      const { alerts } = replay([abnormalSensitiveLogon], c.events(), c.setup);
      expect(alerts.map((a) => `${a.severity} ${a.primaryEntity}`)).toEqual(c.expect);
    });
  });

  it("states how confident the baseline is", () => {
    const events = [inDomainAdmins("admin"), ...routine("admin", "ADMINPC"), from("admin", "WS66", 2 * DAY)];
    const [alert] = replay([abnormalSensitiveLogon], events).alerts;
    expect(alert!.description).toBe(
      "ACME\\admin (sensitive: member of ACME\\Domain Admins) authenticated from ws66 against DC01.acme.local, a computer it has not used before. Baseline: 2 days, 12 authentications from 1 computer. Still learning: 2 of 21 days observed.",
    );
  });

  it("drops the learning note once 21 days are observed", () => {
    const events = [
      inDomainAdmins("admin"),
      ...routine("admin", "ADMINPC", 12, 0),
      ...routine("admin", "ADMINPC", 2, 22 * DAY),
      from("admin", "WS66", 23 * DAY),
    ];
    const [alert] = replay([abnormalSensitiveLogon], events).alerts;
    expect(alert!.description).toMatch(/Baseline: 23 days, 14 authentications from 1 computer\.$/);
  });
});
