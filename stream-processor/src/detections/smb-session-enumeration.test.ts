import { finalizeEvent, type VigilEvent } from "@vigil/sensor/contract";
import { describe, expect, it } from "vitest";
import { addDc, addExclusion, type EntityContext } from "../engine/context.ts";
import { smbSessionEnumeration } from "./smb-session-enumeration.ts";
import { kdcEvent, replay, T0 } from "./test-events.ts";

const ATTACKER = "10.0.0.66";
let record = 0;
/** A 5145 on `host` for `pipe` in IPC$ by `account` from `ip`. */
const pipe = (pipeName: string, o: { account?: string; ip?: string; host?: string; share?: string; t?: number } = {}): VigilEvent =>
  finalizeEvent({
    tenantId: "acme",
    sensorId: "dc01",
    time: new Date(T0 + (o.t ?? 0)).toISOString(),
    kind: "share.access",
    actor: { name: o.account ?? "alice", domain: "ACME" },
    ...(o.ip === "" ? {} : { src: { ip: o.ip ?? ATTACKER } }),
    target: { host: o.host ?? "DC01.acme.local" },
    share: o.share ?? "IPC$",
    relativeTarget: pipeName,
    origin: { format: "evtx", recordId: String(++record), eventId: 5145, channel: "Security", computer: o.host ?? "DC01.acme.local" },
  });
const dcKnown = (ctx: EntityContext) => addDc(ctx, { host: "DC01", ip: "10.0.0.1" });

interface Case {
  name: string;
  events: () => VigilEvent[];
  setup?: (ctx: EntityContext) => EntityContext;
  expect: string[];
}

const positive: Case[] = [
  {
    name: "srvsvc on a DC known from ctx (Get-NetSession)",
    events: () => [pipe("srvsvc")],
    setup: dcKnown,
    expect: [`medium host:${ATTACKER}`],
  },
  {
    name: "DC learned from an earlier KDC event",
    events: () => [kdcEvent("DC01.acme.local"), pipe("srvsvc", { t: 1000 })],
    expect: [`medium host:${ATTACKER}`],
  },
  { name: "wire form \\PIPE\\srvsvc", events: () => [pipe("\\PIPE\\srvsvc")], setup: dcKnown, expect: [`medium host:${ATTACKER}`] },
  {
    name: "repeated enumeration from one source is one alert",
    events: () => [pipe("srvsvc"), pipe("srvsvc", { t: 60_000 }), pipe("srvsvc", { t: 120_000 })],
    setup: dcKnown,
    expect: [`medium host:${ATTACKER}`],
  },
];

const nearMiss: Case[] = [
  { name: "srvsvc on a member server (not a DC)", events: () => [pipe("srvsvc", { host: "FS01.acme.local" })], setup: dcKnown, expect: [] },
  { name: "srvsvc on a host nothing shows is a DC", events: () => [pipe("srvsvc")], expect: [] },
  { name: "another pipe (samr, lsarpc) on the DC", events: () => [pipe("samr"), pipe("lsarpc")], setup: dcKnown, expect: [] },
  { name: "srvsvc outside IPC$", events: () => [pipe("srvsvc", { share: "C$" })], setup: dcKnown, expect: [] },
  { name: "no network source (local)", events: () => [pipe("srvsvc", { ip: "" })], setup: dcKnown, expect: [] },
  { name: "loopback source", events: () => [pipe("srvsvc", { ip: "::1" })], setup: dcKnown, expect: [] },
];

const benign: Case[] = [
  { name: "machine account (DFS, management)", events: () => [pipe("srvsvc", { account: "WS01$" })], setup: dcKnown, expect: [] },
  {
    name: "another DC as the source",
    events: () => [pipe("srvsvc", { ip: "10.0.0.2" })],
    setup: (c) => addDc(dcKnown(c), { ip: "10.0.0.2" }),
    expect: [],
  },
  {
    name: "inventory scanner excluded by source",
    events: () => [pipe("srvsvc", { ip: "10.0.9.9" })],
    setup: (c) => addExclusion(dcKnown(c), "smb-session-enumeration", "10.0.9.0/24"),
    expect: [],
  },
  {
    name: "admin account excluded",
    events: () => [pipe("srvsvc", { account: "svc_inventory" })],
    setup: (c) => addExclusion(dcKnown(c), "smb-session-enumeration", "ACME\\svc_inventory"),
    expect: [],
  },
];

describe("smb-session-enumeration", () => {
  describe.each([
    ["positive", positive],
    ["near miss", nearMiss],
    ["benign cause", benign],
  ])("%s", (_kind, cases) => {
    it.each(cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
      const { alerts } = replay([smbSessionEnumeration], c.events(), c.setup);
      expect(alerts.map((a) => `${a.severity} ${a.primaryEntity}`)).toEqual(c.expect);
    });
  });

  it("names the user, the source and the DC", () => {
    const { alerts } = replay([smbSessionEnumeration], [pipe("srvsvc", { account: "pgustavo" })], dcKnown);
    expect(alerts[0]!.description).toMatch(/ACME\\pgustavo on 10\.0\.0\.66 opened the srvsvc pipe on domain controller DC01\.acme\.local/);
    expect(alerts[0]!.entities).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ role: "source", id: ATTACKER }),
        expect.objectContaining({ role: "dc", id: "dc01" }),
      ]),
    );
  });
});
