import { finalizeEvent, type Principal, type VigilEvent } from "@vigil/sensor/contract";
import { describe, expect, it } from "vitest";
import { addDc, addExclusion, type EntityContext } from "../engine/context.ts";
import { HOUR } from "../engine/detection.ts";
import { remoteCodeExecution } from "./remote-code-execution.ts";
import { acct, kdcEvent, replay, SECOND, T0 } from "./test-events.ts";

let record = 0;
const at = (t = 0) => ({ tenantId: "acme", sensorId: "s", time: new Date(T0 + t).toISOString() });
/** 5145 on `host`. */
function share(
  actor: Principal,
  name: string,
  o: { t?: number; host?: string; ip?: string; share?: string; mask?: string } = {},
): VigilEvent {
  const host = o.host ?? "DC01.acme.local";
  return finalizeEvent({
    ...at(o.t),
    kind: "share.access",
    actor,
    src: { ip: o.ip ?? "10.0.2.17" },
    target: { host },
    share: o.share ?? "IPC$",
    relativeTarget: name,
    accessMask: o.mask ?? "0x3",
    origin: { format: "evtx", recordId: String(++record), eventId: 5145, computer: host },
  });
}
/** 4661 on the domain SAM: proves `host` is a DC. */
function domainSam(host: string, t = 0): VigilEvent {
  return finalizeEvent({
    ...at(t),
    dc: host,
    kind: "samr.query",
    actor: acct("administrator"),
    target: { dn: "DC=acme,DC=local" },
    objectType: "SAM_DOMAIN",
    objectName: "DC=acme,DC=local",
    operation: "open",
    origin: { format: "evtx", recordId: String(++record), eventId: 4661, computer: host },
  });
}

const admin = acct("Administrator", 500);
const dc01 = (ctx: EntityContext) => addDc(ctx, { host: "DC01.acme.local" });

interface Case {
  name: string;
  events: () => VigilEvent[];
  setup?: (ctx: EntityContext) => EntityContext;
  expect: string[];
}

const positive: Case[] = [
  { name: "atsvc on a known DC (atexec)", events: () => [share(admin, "atsvc")], setup: dc01, expect: ["medium host:10.0.2.17"] },
  {
    name: "svcctl on a DC known from its KDC events",
    events: () => [kdcEvent("DC01.acme.local"), share(admin, "svcctl")],
    expect: ["medium host:10.0.2.17"],
  },
  {
    name: "executable written to ADMIN$ on a DC",
    events: () => [share(admin, "PSEXESVC.exe", { share: "ADMIN$", mask: "0x2" })],
    setup: dc01,
    expect: ["medium host:10.0.2.17"],
  },
  {
    name: "held until a later 4661 proves the host is a DC (ATSVC sample)",
    events: () => [share(admin, "atsvc"), domainSam("DC01.acme.local", 13 * SECOND)],
    expect: ["medium host:10.0.2.17"],
  },
];

const nearMiss: Case[] = [
  { name: "svcctl on a workstation", events: () => [share(admin, "svcctl", { host: "PC01.acme.local" })], expect: [] },
  {
    name: "the DC proof comes more than an hour later",
    events: () => [share(admin, "atsvc"), domainSam("DC01.acme.local", 2 * HOUR)],
    expect: [],
  },
  { name: "other pipes (samr, lsarpc)", events: () => [share(admin, "samr"), share(admin, "lsarpc")], setup: dc01, expect: [] },
  {
    name: "reading an executable on ADMIN$",
    events: () => [share(admin, "x.exe", { share: "ADMIN$", mask: "0x1" })],
    setup: dc01,
    expect: [],
  },
];

const benign: Case[] = [
  { name: "a local admin tool on the DC (loopback)", events: () => [share(admin, "svcctl", { ip: "::1" })], setup: dc01, expect: [] },
  {
    name: "a DC machine account",
    events: () => [share(acct("DC02$"), "svcctl")],
    setup: (c) => addDc(dc01(c), { host: "DC02" }),
    expect: [],
  },
  {
    name: "a management server excluded by CIDR",
    events: () => [share(acct("sccm$"), "svcctl", { ip: "10.0.5.5" })],
    setup: (c) => addExclusion(dc01(c), "remote-code-execution", "10.0.5.0/24"),
    expect: [],
  },
];

describe("remote-code-execution", () => {
  describe.each([
    ["positive", positive],
    ["near miss", nearMiss],
    ["benign cause", benign],
  ])("%s", (_kind, cases) => {
    it.each(cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
      const { alerts } = replay([remoteCodeExecution], c.events(), c.setup);
      expect(alerts.map((a) => `${a.severity} ${a.primaryEntity}`)).toEqual(c.expect);
    });
  });

  it("dates a held hit at its own event and names the mechanism", () => {
    const [alert] = replay([remoteCodeExecution], [share(admin, "atsvc"), domainSam("DC01.acme.local", 13 * SECOND)]).alerts;
    expect(alert!.firstSeen).toBe(new Date(T0).toISOString());
    expect(alert!.description).toBe(
      "ACME\\Administrator from 10.0.2.17 used the task scheduler (atsvc: atexec, schtasks /s) on domain controller DC01.acme.local: a way to run commands on it remotely.",
    );
  });
});
