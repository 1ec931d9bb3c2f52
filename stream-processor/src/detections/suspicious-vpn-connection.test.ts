import { finalizeEvent, type VigilEvent } from "@vigil/sensor/contract";
import { describe, expect, it } from "vitest";
import { DAY } from "../engine/detection.ts";
import { addExclusion, type EntityContext } from "../engine/context.ts";
import { suspiciousVpnConnection } from "./suspicious-vpn-connection.ts";
import { replay, T0 } from "./test-events.ts";

let rec = 0;
interface Vpn {
  t?: number;
  nas?: string;
  session?: string;
  status?: "start" | "stop" | "interim";
  tenant?: string;
}
/** One RADIUS accounting packet as the sensor publishes it. */
function vpn(user: string, station: string | undefined, c: Vpn = {}): VigilEvent {
  const nas = c.nas ?? "192.0.2.1";
  return finalizeEvent({
    tenantId: c.tenant ?? "acme",
    sensorId: "vpn01",
    time: new Date(T0 + (c.t ?? 0)).toISOString(),
    kind: "radius.accounting",
    actor: { name: user, domain: "ACME" },
    ...(station && /^[\d.]+$|:.*:/.test(station) && !/^([0-9a-f]{2}:){5}/i.test(station) ? { src: { ip: station } } : {}),
    target: { host: nas },
    statusType: c.status ?? "start",
    sessionId: c.session ?? `s-${++rec}`,
    userName: `ACME\\${user}`,
    ...(station ? { callingStation: station } : {}),
    nasIp: nas,
    origin: { format: "radius", recordId: String(++rec), provider: "radius-accounting" },
  });
}
/** n connections of a user from one network, one every `every` ms from `from`. */
const routine = (user: string, n: number, from: number, every: number, station = (i: number) => `198.51.${i % 3}.${10 + i}`, c: Vpn = {}) =>
  Array.from({ length: n }, (_, i) => vpn(user, station(i), { ...c, t: from + i * every }));
/** The MDI baseline: first connection on day 0, then ≥ 5 in the last 30 days, ending on day 31. */
const baseline = (user = "alice", c: Vpn = {}) => routine(user, 8, 0, 4.4 * DAY, undefined, c);
const DAY_32 = 32 * DAY;

interface Case {
  name: string;
  events: () => VigilEvent[];
  setup?: (ctx: EntityContext) => EntityContext;
  expect: string[];
}

const positive: Case[] = [
  {
    name: "after the baseline, a connection from a new /16",
    events: () => [...baseline(), vpn("alice", "203.0.113.9", { t: DAY_32 })],
    expect: ["medium account:alice"],
  },
  {
    name: "a lost Start: the session's first Interim-Update counts",
    events: () => [...baseline(), vpn("alice", "203.0.113.9", { t: DAY_32, status: "interim" })],
    expect: ["medium account:alice"],
  },
  {
    name: "IPv6 from a new /32",
    events: () => [...routine("alice", 8, 0, 4.4 * DAY, (i) => `2001:db8:${i}::1`), vpn("alice", "2001:470::5", { t: DAY_32 })],
    expect: ["medium account:alice"],
  },
  {
    name: "a non-IP client id (MAC) never seen",
    events: () => [...routine("alice", 8, 0, 4.4 * DAY, () => "00-11-22-33-44-55"), vpn("alice", "66:77:88:99:aa:bb", { t: DAY_32 })],
    expect: ["medium account:alice"],
  },
  {
    name: "a network last seen more than 60 days ago is new again",
    events: () => [
      vpn("alice", "203.0.113.9", { t: 0 }),
      ...routine("alice", 20, DAY, 3.5 * DAY),
      vpn("alice", "203.0.113.9", { t: 70 * DAY }),
    ],
    expect: ["medium account:alice"],
  },
];

const nearMiss: Case[] = [
  {
    name: "still learning: 5 connections but the first is only 10 days old",
    events: () => [...routine("alice", 5, 0, 2 * DAY), vpn("alice", "203.0.113.9", { t: 10 * DAY })],
    expect: [],
  },
  {
    name: "31 days old but only 4 connections in the last 30 days",
    events: () => [vpn("alice", "198.51.0.1", { t: 0 }), ...routine("alice", 4, 28 * DAY, DAY), vpn("alice", "203.0.113.9", { t: DAY_32 })],
    expect: [],
  },
  { name: "another address in a known /16", events: () => [...baseline(), vpn("alice", "198.51.200.7", { t: DAY_32 })], expect: [] },
  {
    name: "a known network through a new NAS",
    events: () => [...baseline(), vpn("alice", "198.51.0.10", { t: DAY_32, nas: "vpn2.acme.example" })],
    expect: [],
  },
  { name: "no Calling-Station-Id", events: () => [...baseline(), vpn("alice", undefined, { t: DAY_32 })], expect: [] },
  {
    name: "the Stop of a session whose Start was already counted",
    events: () => [
      ...baseline(),
      vpn("alice", "203.0.113.9", { t: DAY_32, session: "x" }),
      vpn("alice", "203.0.113.9", { t: DAY_32 + 3 * DAY, session: "x", status: "stop" }),
    ],
    expect: ["medium account:alice"],
  },
];

const benign: Case[] = [
  {
    name: "travel: the new network alerts once, then is learned",
    events: () => [
      ...baseline(),
      vpn("alice", "203.0.113.9", { t: DAY_32 }),
      vpn("alice", "203.0.113.10", { t: DAY_32 + 2 * DAY }),
      vpn("alice", "203.0.7.1", { t: DAY_32 + 4 * DAY }),
    ],
    expect: ["medium account:alice"],
  },
  {
    name: "a shared account excluded for this detection",
    events: () => [...baseline("svc_vpn"), vpn("svc_vpn", "203.0.113.9", { t: DAY_32 })],
    setup: (ctx) => addExclusion(ctx, "suspicious-vpn-connection", "svc_vpn"),
    expect: [],
  },
  {
    name: "another tenant's baseline does not count: the same user elsewhere is still learning",
    events: () => [...baseline(), vpn("alice", "203.0.113.9", { t: DAY_32, tenant: "beta" })],
    expect: [],
  },
];

describe("suspicious-vpn-connection", () => {
  describe.each([
    ["positive", positive],
    ["near miss", nearMiss],
    ["benign cause", benign],
  ])("%s", (_kind, cases) => {
    it.each(cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
      const { alerts } = replay([suspiciousVpnConnection], c.events(), c.setup);
      expect(alerts.map((a) => `${a.severity} ${a.primaryEntity}`)).toEqual(c.expect);
    });
  });

  it("says what the baseline rests on and names the new VPN server", () => {
    const { alerts } = replay([suspiciousVpnConnection], [...baseline(), vpn("alice", "203.0.113.9", { t: DAY_32, nas: "vpn2" })]);
    expect(alerts[0]!.description).toBe(
      "ACME\\alice connected to the VPN from 203.0.113.9 (network 203.0.0.0/16), which this user has not connected from before, through vpn2, a VPN server the user has not used either. Baseline: 32 days, 7 connections in the last 30 days from 1 network.",
    );
    expect(alerts[0]!.entities).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ role: "actor", id: "alice" }),
        expect.objectContaining({ role: "source", id: "203.0.113.9" }),
      ]),
    );
  });

  it("keeps at most 50 networks per user: the oldest is forgotten and alerts again", () => {
    const many = Array.from({ length: 60 }, (_, i) => vpn("alice", `10.${i}.0.1`, { t: 31 * DAY + i * 60_000 }));
    const { alerts } = replay([suspiciousVpnConnection], [...baseline(), ...many, vpn("alice", "198.51.0.10", { t: 40 * DAY })]);
    const again = alerts.filter((a) => a.description.includes("198.51.0.10"));
    expect(again).toHaveLength(1);
  });
});
