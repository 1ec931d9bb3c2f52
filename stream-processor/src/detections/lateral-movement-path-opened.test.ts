import { finalizeEvent, type EventDraft, type Principal, type VigilEvent } from "@vigil/sensor/contract";
import { describe, expect, it } from "vitest";
import { addDc, addExclusion, tagSensitive, type EntityContext } from "../engine/context.ts";
import { DAY, HOUR } from "../engine/detection.ts";
import { lateralMovementPathOpened } from "./lateral-movement-path-opened.ts";
import { acct, DOMAIN_SID, group, membership, T0, replay } from "./test-events.ts";

let record = 0;
/** Fields of an event recorded by `host` itself (a member server: no `dc`). */
const on = (host: string, t: number, eventId: number) => ({
  tenantId: "acme",
  sensorId: "fs01",
  time: new Date(T0 + t).toISOString(),
  origin: { format: "evtx" as const, recordId: String(++record), eventId, computer: `${host}.acme.local` },
});

/** 4624 on `host`. */
const logon = (actor: Principal, host: string, t = 0, logonType = 10): VigilEvent =>
  finalizeEvent({
    ...on(host, t, 4624),
    kind: "logon",
    actor,
    target: { host: `${host}.acme.local` },
    success: true,
    logonType,
    package: "Negotiate",
  } as EventDraft);

/** 4732 / 4733 on `host`: `member` added to / removed from its local Administrators. */
const localAdmin = (
  member: Principal,
  host: string,
  t = 0,
  action: "add" | "remove" = "add",
  grp: Principal = group("Administrators", "S-1-5-32-544"),
): VigilEvent =>
  finalizeEvent({
    ...on(host, t, action === "add" ? 4732 : 4733),
    kind: "group.membership",
    actor: acct("itadmin", 1400),
    target: grp,
    group: grp,
    member,
    action,
    scope: "local",
  } as EventDraft);

const da = acct("da_bob", 1500);
const helpdesk = { sid: `${DOMAIN_SID}-1601` };
const daMember = membership(acct("root", 500), da, group("Domain Admins", `${DOMAIN_SID}-512`), { t: -HOUR });

interface Case {
  name: string;
  events: () => VigilEvent[];
  setup?: (ctx: EntityContext) => EntityContext;
  /** Expected alerts as `severity primaryEntity`. */
  expect: string[];
}

const positive: Case[] = [
  {
    name: "helpdesk made local admin, then a Domain Admin RDPs in",
    events: () => [daMember, localAdmin(helpdesk, "FS01"), logon(da, "FS01", HOUR)],
    expect: ["medium account:da_bob"],
  },
  {
    name: "a Domain Admin's session, then helpdesk made local admin",
    events: () => [daMember, logon(da, "FS01", 0, 2), localAdmin(helpdesk, "FS01", HOUR)],
    expect: ["medium account:da_bob"],
  },
  {
    name: "a tagged account's runas /netonly (type 9)",
    events: () => [localAdmin(helpdesk, "WS07"), logon(acct("svc_backup"), "WS07", HOUR, 9)],
    setup: (ctx) => tagSensitive(ctx, "svc_backup"),
    expect: ["medium account:svc_backup"],
  },
  {
    name: "the built-in Administrator (RID 500) logs on interactively",
    events: () => [localAdmin(helpdesk, "FS01"), logon(acct("Administrator", 500), "FS01", HOUR, 2)],
    expect: ["medium account:administrator"],
  },
];

const nearMiss: Case[] = [
  {
    name: "a network logon (type 3) caches no credentials",
    events: () => [daMember, localAdmin(helpdesk, "FS01"), logon(da, "FS01", HOUR, 3)],
    expect: [],
  },
  {
    name: "a non-sensitive account's session",
    events: () => [localAdmin(helpdesk, "FS01"), logon(acct("carol", 1700), "FS01", HOUR)],
    expect: [],
  },
  {
    name: "the admin grant on another computer",
    events: () => [daMember, localAdmin(helpdesk, "FS02"), logon(da, "FS01", HOUR)],
    expect: [],
  },
  {
    name: "the grant removed before the session",
    events: () => [daMember, localAdmin(helpdesk, "FS01"), localAdmin(helpdesk, "FS01", HOUR, "remove"), logon(da, "FS01", 2 * HOUR)],
    expect: [],
  },
  {
    name: "the session older than 48 hours when the grant comes",
    events: () => [daMember, logon(da, "FS01", 0), localAdmin(helpdesk, "FS01", 3 * DAY)],
    expect: [],
  },
  {
    name: "another local group (Remote Desktop Users)",
    events: () => [
      daMember,
      localAdmin(helpdesk, "FS01", 0, "add", group("Remote Desktop Users", "S-1-5-32-555")),
      logon(da, "FS01", HOUR),
    ],
    expect: [],
  },
];

const benign: Case[] = [
  {
    name: "only sensitive accounts are local admins (tiered admin workstation)",
    events: () => [daMember, localAdmin(da, "PAW01"), logon(da, "PAW01", HOUR)],
    expect: [],
  },
  {
    name: "grants recorded on a DC are the domain's",
    events: () => [daMember, localAdmin(helpdesk, "DC02"), logon(da, "DC02", HOUR)],
    setup: (ctx) => addDc(ctx, { host: "DC02" }),
    expect: [],
  },
  {
    name: "a repeat logon within 48 hours alerts once",
    events: () => [daMember, localAdmin(helpdesk, "FS01"), logon(da, "FS01", HOUR), logon(da, "FS01", 5 * HOUR)],
    expect: ["medium account:da_bob"],
  },
  {
    name: "a planned helpdesk server, excluded",
    events: () => [daMember, localAdmin(helpdesk, "FS01"), logon(da, "FS01", HOUR)],
    setup: (ctx) => addExclusion(ctx, "lateral-movement-path-opened", "FS01"),
    expect: [],
  },
];

describe("lateral-movement-path-opened", () => {
  describe.each([
    ["positive", positive],
    ["near miss", nearMiss],
    ["benign cause", benign],
  ])("%s", (_kind, cases) => {
    it.each(cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
      const { alerts } = replay([lateralMovementPathOpened], c.events(), c.setup);
      expect(alerts.map((a) => `${a.severity} ${a.primaryEntity}`)).toEqual(c.expect);
    });
  });

  it("names the path and what the knowledge rests on", () => {
    const [alert] = replay([lateralMovementPathOpened], [daMember, localAdmin(helpdesk, "FS01"), logon(da, "FS01", 2 * DAY)]).alerts;
    expect(alert!.description).toBe(
      `ACME\\da_bob (sensitive: member of ACME\\Domain Admins) logged on to fs01 (type 10), leaving credentials where ${DOMAIN_SID}-1601 is local admin: anyone controlling ${DOMAIN_SID}-1601 can take over ACME\\da_bob. Based on 2 days of events: 1 sensitive session and 1 local admin grant seen; rights granted before that, or through groups and GPOs, need the identity graph.`,
    );
  });
});
