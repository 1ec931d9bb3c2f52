import { finalizeEvent, type Principal, type VigilEvent } from "@vigil/sensor/contract";
import { describe, expect, it } from "vitest";
import { addDc, addExclusion, type EntityContext } from "../engine/context.ts";
import { suspiciousServiceCreation } from "./suspicious-service-creation.ts";
import { acct, DOMAIN_SID, kdcEvent, replay, SECOND, T0 } from "./test-events.ts";

let record = 0;
/** A 7045 (or 4697 with an actor name) on `host`. */
function service(name: string, image: string, o: { t?: number; host?: string; actor?: Principal } = {}): VigilEvent {
  const host = o.host ?? "DC01.acme.local";
  return finalizeEvent({
    tenantId: "acme",
    sensorId: "s",
    time: new Date(T0 + (o.t ?? 0)).toISOString(),
    kind: "service.install",
    actor: o.actor ?? { sid: `${DOMAIN_SID}-1104` },
    target: { host },
    serviceName: name,
    imagePath: image,
    startType: "auto start",
    account: "LocalSystem",
    origin: { format: "evtx", recordId: String(++record), eventId: o.actor?.name ? 4697 : 7045, computer: host },
  });
}

const dc01 = (ctx: EntityContext) => addDc(ctx, { host: "DC01.acme.local" });
const EMPIRE = "%COMSPEC% /C start /b C:\\Windows\\System32\\WindowsPowershell\\v1.0\\powershell -noP -sta -w 1 -enc  SQBmACgA";

interface Case {
  name: string;
  events: () => VigilEvent[];
  setup?: (ctx: EntityContext) => EntityContext;
  expect: string[];
}

const positive: Case[] = [
  { name: "Empire psexec: encoded PowerShell", events: () => [service("Updater", EMPIRE)], setup: dc01, expect: ["medium host:dc01"] },
  {
    name: "smbexec random name + cmd",
    events: () => [service("PGUJLOAKFQFVOMHGFQPX", `%COMSPEC% /C "${EMPIRE}"`)],
    setup: dc01,
    expect: ["medium host:dc01"],
  },
  { name: "cmd.exe as the image (spoolfool)", events: () => [service("spoolfool", "cmd.exe")], setup: dc01, expect: ["medium host:dc01"] },
  {
    name: "meterpreter getsystem",
    events: () => [service("abcd", "cmd.exe /c echo abcd > \\\\.\\pipe\\abcd")],
    setup: dc01,
    expect: ["medium host:dc01"],
  },
  { name: "PsExec service", events: () => [service("PSEXESVC", "%SystemRoot%\\PSEXESVC.exe")], setup: dc01, expect: ["medium host:dc01"] },
  {
    name: "program in a user's folder",
    events: () => [service("upd", "C:\\Users\\bob\\AppData\\Local\\Temp\\u.exe")],
    setup: dc01,
    expect: ["medium host:dc01"],
  },
  {
    name: "program on a UNC path",
    events: () => [service("upd", "\\\\10.0.0.66\\share\\u.exe")],
    setup: dc01,
    expect: ["medium host:dc01"],
  },
  {
    name: "7045 and 4697 of one install are one alert; the DC is learned later",
    events: () => [
      service("Updater", EMPIRE),
      service("Updater", EMPIRE, { actor: acct("pgustavo", 1104) }),
      kdcEvent("DC01.acme.local", { t: SECOND }),
    ],
    expect: ["medium host:dc01"],
  },
];

const nearMiss: Case[] = [
  { name: "suspicious service on a workstation", events: () => [service("Updater", EMPIRE, { host: "WORKSTATION6" })], expect: [] },
  {
    name: "PowerShell without an encoded command (a script in Program Files)",
    events: () => [service("Mon", "C:\\Program Files\\Mon\\mon.exe -powershellhost")],
    setup: dc01,
    expect: [],
  },
  {
    name: "upper-case name with an ordinary image",
    events: () => [service("VMTOOLSSERVICE", "C:\\Program Files\\VMware\\vmtoolsd.exe")],
    setup: dc01,
    expect: [],
  },
];

const benign: Case[] = [
  {
    name: "a driver from System32",
    events: () => [service("PROCMON24", "C:\\Windows\\System32\\drivers\\PROCMON24.SYS")],
    setup: dc01,
    expect: [],
  },
  {
    name: "Defender platform update under ProgramData",
    events: () => [service("WdNisSvc", '"C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18.2\\NisSrv.exe"')],
    setup: dc01,
    expect: [],
  },
  {
    name: "an admin's sanctioned PsExec, excluded by account",
    events: () => [service("PSEXESVC", "%SystemRoot%\\PSEXESVC.exe", { actor: acct("tier0admin", 1200) })],
    setup: (c) => addExclusion(dc01(c), "suspicious-service-creation", "ACME\\tier0admin"),
    expect: [],
  },
];

describe("suspicious-service-creation", () => {
  describe.each([
    ["positive", positive],
    ["near miss", nearMiss],
    ["benign cause", benign],
  ])("%s", (_kind, cases) => {
    it.each(cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
      const { alerts } = replay([suspiciousServiceCreation], c.events(), c.setup);
      expect(alerts.map((a) => `${a.severity} ${a.primaryEntity}`)).toEqual(c.expect);
    });
  });

  it("lists every reason", () => {
    const [alert] = replay([suspiciousServiceCreation], [service("PGUJLOAKFQFVOMHGFQPX", EMPIRE)], dc01).alerts;
    expect(alert!.description).toBe(
      `Service "PGUJLOAKFQFVOMHGFQPX" was installed on domain controller DC01.acme.local, running ${EMPIRE}. It runs an encoded or downloaded PowerShell command; it runs a command interpreter or script host; it has a random-looking name.`,
    );
  });
});
