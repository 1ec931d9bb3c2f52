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
/**
 * A service install: from the wire (a CreateService request from `ip` to the DC, which the network
 * source maps with `dc` and a source address) or, with `ip: null`, a 7045 on the DC (no address).
 */
function install(actor: Principal, o: { t?: number; ip?: string | null; port?: number; image?: string } = {}): VigilEvent {
  const wire = o.ip !== null;
  return finalizeEvent({
    ...at(o.t),
    kind: "service.install",
    actor,
    ...(wire ? { dc: "dc1.corp.lab", src: { ip: o.ip ?? "10.232.0.66", port: o.port ?? 60330 } } : {}),
    target: { host: wire ? "dc1.corp.lab" : "DC01.acme.local" },
    serviceName: "eHgb",
    imagePath: o.image ?? "\\\\DC1\\sysvol\\aqGqikKU.exe",
    serviceType: "user mode service",
    startType: "demand start",
    origin: wire
      ? { format: "pcap", recordId: String(++record), channel: "lab.pcapng" }
      : { format: "evtx", recordId: String(++record), eventId: 7045, computer: "DC01.acme.local" },
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
    name: "CreateServiceW read on the wire (psexec over the svcctl pipe, decrypted with the keytab)",
    events: () => [install(acct("Administrator"))],
    expect: ["medium host:10.232.0.66"],
  },
  {
    name: "CreateService over RPC/TCP (no pipe open precedes it)",
    events: () => [install(acct("Administrator"), { port: 49726, image: "cmd.exe /c whoami" })],
    expect: ["medium host:10.232.0.66"],
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
  {
    name: "a 7045 on the DC: no source address, so not a remote request (suspicious-service-creation judges it)",
    events: () => [install(admin, { ip: null })],
    setup: dc01,
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
    name: "a service created by the DC itself over loopback",
    events: () => [install(admin, { ip: "127.0.0.1" })],
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
  it("names the service and command of a wire CreateService, and the pipe open and the request make one alert", () => {
    const { alerts } = replay(
      [remoteCodeExecution],
      [share(acct("Administrator"), "svcctl", { host: "dc1.corp.lab", ip: "10.232.0.66" }), install(acct("Administrator"), { t: 200 })],
      (c) => addDc(c, { host: "dc1.corp.lab" }),
    );
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.evidenceCount).toBe(2);
    expect(alerts[0]!.description).toContain('create service "eHgb" running \\\\DC1\\sysvol\\aqGqikKU.exe');
  });

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
