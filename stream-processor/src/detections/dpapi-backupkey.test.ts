import { finalizeEvent, type Principal, type VigilEvent } from "@vigil/sensor/contract";
import { describe, expect, it } from "vitest";
import { addExclusion, type EntityContext } from "../engine/context.ts";
import { dpapiBackupkey } from "./dpapi-backupkey.ts";
import { acct, DOMAIN_SID, kdcEvent, replay, T0 } from "./test-events.ts";

let record = 0;
const base = (t = 0) => ({ tenantId: "acme", sensorId: "dc01", time: new Date(T0 + t).toISOString() });
/** 4662 on an LSA secret (object server LSA: no `dc`). */
function secretRead(actor: Principal, secret: string, t = 0): VigilEvent {
  return finalizeEvent({
    ...base(t),
    kind: "directory.access",
    actor,
    target: { name: `Policy\\Secrets\\${secret}` },
    objectClass: "SecretObject",
    properties: [],
    accessMask: "0x2",
    origin: { format: "evtx", recordId: String(++record), eventId: 4662, computer: "DC01.acme.local" },
  });
}
/** 5145 IPC$ named pipe open on DC01. */
function pipe(actor: Principal, name: string, ip: string, t = 0): VigilEvent {
  return finalizeEvent({
    ...base(t),
    kind: "share.access",
    actor,
    src: { ip },
    target: { host: "DC01.acme.local" },
    share: "IPC$",
    relativeTarget: name,
    origin: { format: "evtx", recordId: String(++record), eventId: 5145, computer: "DC01.acme.local" },
  });
}

const mallory = acct("pgustavo", 1104);
const M = `account:${DOMAIN_SID}-1104`;
const system: Principal = { sid: "S-1-5-18", name: "DC01$", domain: "ACME" };

interface Case {
  name: string;
  events: () => VigilEvent[];
  setup?: (ctx: EntityContext) => EntityContext;
  expect: string[];
}

const positive: Case[] = [
  { name: "G$BCKUPKEY_PREFERRED read by a user", events: () => [secretRead(mallory, "G$BCKUPKEY_PREFERRED")], expect: [`high ${M}`] },
  {
    name: "the four reads of lsadump::backupkeys make one alert",
    events: () =>
      ["G$BCKUPKEY_PREFERRED", "G$BCKUPKEY_a0feda20-878f-4e68-ba74-d4df8f0191ab", "G$BCKUPKEY_P", "G$BCKUPKEY_0343c16b"].map((s, i) =>
        secretRead(mallory, s, i),
      ),
    expect: [`high ${M}`],
  },
  { name: "a workstation machine account", events: () => [secretRead(acct("WS05$"), "G$BCKUPKEY_P")], expect: ["high account:ws05$"] },
];

const nearMiss: Case[] = [
  { name: "another LSA secret", events: () => [secretRead(mallory, "DPAPI_SYSTEM")], expect: [] },
  {
    name: "a protected_storage pipe open (MS-BKRP, every client)",
    events: () => [pipe(mallory, "protected_storage", "10.0.0.5")],
    expect: [],
  },
  { name: "an lsarpc pipe open alone", events: () => [pipe(mallory, "lsarpc", "10.0.0.5")], expect: [] },
];

const benign: Case[] = [
  {
    name: "LSA on the DC serving a BackupKey request (LocalSystem)",
    events: () => [secretRead(system, "G$BCKUPKEY_PREFERRED")],
    expect: [],
  },
  {
    name: "another DC's machine account",
    events: () => [kdcEvent("DC02.acme.local"), secretRead(acct("DC02$"), "G$BCKUPKEY_P")],
    expect: [],
  },
  {
    name: "a planned recovery by an excluded admin",
    events: () => [secretRead(mallory, "G$BCKUPKEY_P")],
    setup: (ctx) => addExclusion(ctx, "dpapi-backupkey", "ACME\\pgustavo"),
    expect: [],
  },
];

describe("dpapi-backupkey", () => {
  describe.each([
    ["positive", positive],
    ["near miss", nearMiss],
    ["benign cause", benign],
  ])("%s", (_kind, cases) => {
    it.each(cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
      const { alerts } = replay([dpapiBackupkey], c.events(), c.setup);
      expect(alerts.map((a) => `${a.severity} ${a.primaryEntity}`)).toEqual(c.expect);
    });
  });

  it("takes the source from the lsarpc pipe open just before", () => {
    const [alert] = replay(
      [dpapiBackupkey],
      [pipe(mallory, "lsarpc", "172.18.39.5"), secretRead(mallory, "G$BCKUPKEY_PREFERRED", 100)],
    ).alerts;
    expect(alert!.description).toBe(
      "ACME\\pgustavo from 172.18.39.5 read the LSA secret G$BCKUPKEY_PREFERRED on DC01.acme.local: this is the domain DPAPI backup key, which decrypts every user's DPAPI master keys (mimikatz lsadump::backupkeys).",
    );
    expect(alert!.entities.map((e) => `${e.role}:${e.kind}:${e.id}`)).toEqual([
      `actor:user:${DOMAIN_SID}-1104`,
      "source:ip:172.18.39.5",
      "target:computer:dc01",
    ]);
  });
});
