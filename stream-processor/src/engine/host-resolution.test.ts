import { describe, expect, it } from "vitest";
import { finalizeEvent, type EventDraft, type VigilEvent } from "@vigil/sensor/contract";
import { T0 } from "../detections/test-events.ts";
import {
  emptyHosts,
  hostCount,
  learnHosts,
  LOOKBACK,
  releasedSessions,
  resolveIp,
  SHARE_WINDOW,
  TTL,
  type HostTable,
} from "./host-resolution.ts";

const MIN = 60_000;
let record = 0;

type Auth = "4768" | "4769" | "4624" | "4624-ntlm" | "4768-failed";

/** An authentication of `account` from `ip`, `t` ms after T0, as the DC logs it. */
function auth(type: Auth, account: string, ip: string, t = 0, over: Partial<EventDraft> = {}): VigilEvent {
  const base = { tenantId: "acme", sensorId: "dc01", time: new Date(T0 + t).toISOString(), dc: "DC01.acme.local", src: { ip } };
  const origin = (eventId: number) => ({ format: "evtx" as const, recordId: String(++record), eventId, channel: "Security" });
  const actor = { name: account, domain: "ACME.LOCAL" };
  const drafts: Record<Auth, EventDraft> = {
    "4768": { ...base, kind: "kerberos.as", actor, result: 0, origin: origin(4768) },
    "4768-failed": { ...base, kind: "kerberos.as", actor, result: 0x18, origin: origin(4768) },
    "4769": { ...base, kind: "kerberos.tgs", actor, result: 0, service: "ldap/dc01", origin: origin(4769) },
    "4624": { ...base, kind: "logon", actor, success: true, logonType: 3, package: "Kerberos", origin: origin(4624) },
    "4624-ntlm": { ...base, kind: "logon", actor, success: true, logonType: 3, package: "NTLM", origin: origin(4624) },
  };
  return finalizeEvent({ ...drafts[type], ...over } as EventDraft);
}

const learn = (events: VigilEvent[], table: HostTable = emptyHosts(), max?: number) =>
  events.reduce((t, e) => learnHosts(t, e, max), table);
const hostAt = (table: HostTable, ip: string, t = 0) => resolveIp(table, ip, T0 + t)?.host;

describe("host resolution: what binds an IP", () => {
  it.each([
    ["a machine's TGT (4768)", auth("4768", "WS05$", "10.0.0.5"), "10.0.0.5", "ws05"],
    ["a machine's service ticket (4769, user@REALM form)", auth("4769", "WS05$@ACME.LOCAL", "10.0.0.5"), "10.0.0.5", "ws05"],
    ["a machine's Kerberos network logon (4624)", auth("4624", "ACME\\WS05$", "10.0.0.5"), "10.0.0.5", "ws05"],
    ["an IPv4-mapped address, under its IPv4 form", auth("4768", "WS05$", "::ffff:10.0.0.5"), "10.0.0.5", "ws05"],
    ["NTLM logon (a relay shows the relay's IP)", auth("4624-ntlm", "WS05$", "10.0.0.5"), "10.0.0.5", undefined],
    ["a failed TGT request", auth("4768-failed", "WS05$", "10.0.0.5"), "10.0.0.5", undefined],
    ["a user's TGT (users roam)", auth("4768", "alice", "10.0.0.5"), "10.0.0.5", undefined],
    ["IPv4 loopback", auth("4624", "DC01$", "127.0.0.1"), "127.0.0.1", undefined],
    ["IPv6 loopback", auth("4624", "DC01$", "::1"), "::1", undefined],
    ["unspecified IPv4", auth("4768", "WS05$", "0.0.0.0"), "0.0.0.0", undefined],
    ["unspecified IPv6", auth("4768", "WS05$", "::"), "::", undefined],
    ["an address that is not one", auth("4768", "WS05$", "-"), "-", undefined],
  ])("%s", (_label, event, ip, expected) => {
    expect(hostAt(learn([event]), ip)).toBe(expected);
  });

  it("keeps the machine account's domain and the evidence", () => {
    expect(resolveIp(learn([auth("4768", "WS05$", "10.0.0.5")]), "10.0.0.5", T0)).toEqual({
      host: "ws05",
      domain: "ACME.LOCAL",
      source: "event:4768",
    });
  });
});

const IP = "10.0.0.9";
const proof = (host: string, minutes: number) => auth("4769", `${host}$`, IP, minutes * MIN);

describe("host resolution over time", () => {
  it.each([
    ["resolves right after the proof", [proof("WS01", 0)], 1, "ws01"],
    ["resolves a little before the first proof (the user's request came first)", [proof("WS01", 10)], 10 - LOOKBACK / MIN, "ws01"],
    ["not long before the first proof", [proof("WS01", 10)], 10 - LOOKBACK / MIN - 1, undefined],
    ["still resolves 23 h after the last proof", [proof("WS01", 0)], 23 * 60, "ws01"],
    ["expires 24 h after the last proof (DHCP)", [proof("WS01", 0)], TTL / MIN + 1, undefined],
    ["a refresh pushes the expiry", [proof("WS01", 0), proof("WS01", 20 * 60)], 40 * 60, "ws01"],
    ["a new lease replaces the old binding", [proof("WS01", 0), proof("WS02", 120)], 121, "ws02"],
    ["a new lease after the old one expired", [proof("WS01", 0), proof("WS02", 25 * 60)], 25 * 60, "ws02"],
    ["two machines within the window: shared, unresolved", [proof("WS01", 0), proof("WS02", 10)], 20, undefined],
    [
      "shared, then one machine alone for the window: resolved again",
      [proof("WS01", 0), proof("WS02", 10)],
      10 + SHARE_WINDOW / MIN,
      "ws02",
    ],
    ["machines alternating keep it shared", [proof("WS01", 0), proof("WS02", 10), proof("WS01", 20), proof("WS02", 30)], 80, undefined],
    ["a late proof of an older lease does not take the IP back", [proof("WS01", 0), proof("WS02", 600), proof("WS01", 60)], 601, "ws02"],
    ["a late proof inside the window makes it shared", [proof("WS01", 0), proof("WS02", 120), proof("WS01", 100)], 130, undefined],
  ])("%s", (_label, proofs, minutes, expected) => {
    expect(hostAt(learn(proofs), IP, minutes * MIN)).toBe(expected);
  });

  it("is immutable: learning returns a new table and leaves the old one as it was; nothing new, the same table", () => {
    const before = learn([proof("WS01", 0)]);
    const after = learnHosts(before, proof("WS02", 120));
    expect([hostAt(before, IP, 121 * MIN), hostAt(after, IP, 121 * MIN)]).toEqual(["ws01", "ws02"]);
    expect(learnHosts(after, proof("WS02", 120.5))).toBe(after);
    expect(learnHosts(after, auth("4768", "alice", IP, 121 * MIN))).toBe(after);
  });

  it("is bounded: the least recently seen IPs go first", () => {
    const max = 512;
    let table = emptyHosts();
    for (let i = 0; i < 5_000; i++)
      table = learnHosts(table, auth("4768", `WS${i}$`, `10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`, i * 1000), max);
    expect(hostCount(table)).toBeLessThanOrEqual(max);
    expect(hostCount(table)).toBeGreaterThan(max / 2);
    expect(hostAt(table, "10.0.19.135", 4_999_000)).toBe("ws4999");
    expect(hostAt(table, "10.0.0.0", 0)).toBeUndefined();
  });

  it("is plain JSON", () => {
    const table = learn([proof("WS01", 0), auth("4768", "bob", "10.0.0.77")]);
    const copy = JSON.parse(JSON.stringify(table)) as HostTable;
    expect(copy).toEqual(table);
    expect(hostAt(copy, IP, MIN)).toBe("ws01");
  });
});

describe("user authentications waiting for their IP's machine", () => {
  const user = (t: number) => auth("4769", "alice", IP, t);

  it("releases the users seen on the IP just before the machine proved itself, with the proof only", () => {
    const machine = auth("4624", "WS01$", IP, 6_000);
    const table = learn([auth("4769", "bob", IP, -LOOKBACK - 1000), user(0), machine]);
    expect(releasedSessions(table, machine).map((p) => [p.who.name, p.at - T0, p.source])).toEqual([["alice", 0, "event:4769"]]);
    expect(releasedSessions(table, user(7_000))).toEqual([]);
  });

  it("does not wait on an IP that resolves, and keeps a few users per IP", () => {
    const resolved = learn([proof("WS01", 0)]);
    expect(learnHosts(resolved, user(MIN))).toBe(resolved);
    const crowd = learn(Array.from({ length: 20 }, (_, i) => auth("4769", `user${i}`, "10.0.0.50", i * 1000)));
    const machine = auth("4768", "WS50$", "10.0.0.50", 21_000);
    expect(releasedSessions(learnHosts(crowd, machine), machine).map((p) => p.who.name)).toEqual(
      Array.from({ length: 8 }, (_, i) => `user${i + 12}`),
    );
  });

  it("releases nothing once the IP turns out shared", () => {
    const first = proof("WS01", 0.1);
    const second = proof("WS02", 0.2);
    const table = learn([user(0), first, second]);
    expect([releasedSessions(table, first), releasedSessions(table, second)]).toEqual([[], []]);
    expect(releasedSessions(learn([user(0), first]), first)).toHaveLength(1);
  });
});
