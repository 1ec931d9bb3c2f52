import { finalizeEvent, type VigilEvent } from "@vigil/sensor/contract";
import { describe, expect, it } from "vitest";
import { addDc, addExclusion, type EntityContext } from "../engine/context.ts";
import { ANY_SERVICES, kerberoasting, WEAK_SERVICES } from "./kerberoasting.ts";
import { replay, SECOND, T0 } from "./test-events.ts";

const ATTACKER = "10.0.0.66";
const RC4 = 0x17;
const AES = 0x12;
let record = 0;
interface O {
  t?: number;
  ip?: string;
  account?: string;
  etype?: number;
  result?: number;
  wire?: boolean;
}
/** A 4769 (or wire TGS-REP) for `service`, requested by `account` from `ip`. */
const tgs = (service: string, o: O = {}): VigilEvent =>
  finalizeEvent({
    tenantId: "acme",
    sensorId: "dc01",
    time: new Date(T0 + (o.t ?? 0)).toISOString(),
    dc: "DC01.acme.local",
    kind: "kerberos.tgs",
    actor: { name: o.account ?? "pgustavo", domain: "ACME" },
    src: { ip: o.ip ?? ATTACKER },
    ...(o.wire ? {} : { target: { name: service } }),
    result: o.result ?? 0,
    etype: o.etype ?? RC4,
    service,
    origin: o.wire
      ? { format: "pcap", recordId: String(++record) }
      : { format: "evtx", recordId: String(++record), eventId: 4769, channel: "Security" },
  });
const svcs = (n: number, o: O = {}, from = 0) => Array.from({ length: n }, (_, i) => tgs(`svc${i}`, { ...o, t: from + i * 100 }));
const snapshot = (sam: string, types: number): VigilEvent =>
  finalizeEvent({
    tenantId: "acme",
    sensorId: "dc01",
    time: new Date(T0 - 1000).toISOString(),
    kind: "entity.snapshot",
    entity: {
      objectType: "user",
      objectId: `id-${sam}`,
      name: sam,
      attributes: { sAMAccountName: sam, "msDS-SupportedEncryptionTypes": types },
      deleted: false,
    },
    origin: { format: "ldap", recordId: String(++record) },
  });

interface Case {
  name: string;
  events: () => VigilEvent[];
  setup?: (ctx: EntityContext) => EntityContext;
  expect: string[];
}

const positive: Case[] = [
  {
    name: "RC4 tickets for 5 user-account services in 1 s (PurpleSharp)",
    events: () => svcs(WEAK_SERVICES),
    expect: [`high host:${ATTACKER}`],
  },
  { name: "AES tickets for 10 user-account services", events: () => svcs(ANY_SERVICES, { etype: AES }), expect: [`high host:${ATTACKER}`] },
  {
    name: "wire: RC4 for 5 non-computer SPNs",
    events: () =>
      ["MSSQLSvc/db1:1433", "MSSQLSvc/db2:1433", "HTTP/app1", "exchangeAB/mx1", "kafka/k1"].map((s, i) => tgs(s, { wire: true, t: i })),
    expect: [`high host:${ATTACKER}`],
  },
  {
    name: "RC4 for a service that got an AES ticket before (downgrade)",
    events: () => [tgs("sqlsvc", { etype: AES, ip: "10.0.0.20", account: "alice" }), tgs("sqlsvc", { t: 60 * SECOND })],
    expect: [`high host:${ATTACKER}`],
  },
  {
    name: "RC4 for a service whose LDAP snapshot says AES",
    events: () => [snapshot("sqlsvc", 0x18), tgs("sqlsvc")],
    expect: [`high host:${ATTACKER}`],
  },
];

const nearMiss: Case[] = [
  { name: "RC4 for 4 user-account services", events: () => svcs(WEAK_SERVICES - 1), expect: [] },
  { name: "AES for 9 user-account services", events: () => svcs(ANY_SERVICES - 1, { etype: AES }), expect: [] },
  {
    name: "5 RC4 tickets spread over more than 10 minutes",
    events: () => Array.from({ length: 5 }, (_, i) => tgs(`svc${i}`, { t: i * 3 * 60 * SECOND })),
    expect: [],
  },
  { name: "the same service 20 times", events: () => Array.from({ length: 20 }, (_, i) => tgs("sqlsvc", { t: i })), expect: [] },
  { name: "failed requests (0x1B)", events: () => svcs(10, { result: 0x1b }), expect: [] },
  { name: "RC4 for a service never seen with AES", events: () => [tgs("legacysvc")], expect: [] },
];

const benign: Case[] = [
  {
    name: "computer accounts and krbtgt (random passwords)",
    events: () => [...svcs(12).map((_, i) => tgs(`WS${i}$`, { t: i })), tgs("krbtgt")],
    expect: [],
  },
  {
    name: "wire: computer SPN classes (host/, cifs/, ldap/)",
    events: () => ["host/ws1", "cifs/fs1", "ldap/dc01", "cifs/fs2", "host/ws2", "wsman/ws3"].map((s, i) => tgs(s, { wire: true, t: i })),
    expect: [],
  },
  { name: "machine account requesting for services (S4U)", events: () => svcs(12, { account: "WEB01$" }), expect: [] },
  { name: "DC as the requester", events: () => svcs(12, { ip: "10.0.0.1" }), setup: (c) => addDc(c, { ip: "10.0.0.1" }), expect: [] },
  {
    name: "SPN scanner excluded",
    events: () => svcs(12, { ip: "10.0.9.9" }),
    setup: (c) => addExclusion(c, "kerberoasting", "10.0.9.9"),
    expect: [],
  },
];

describe("kerberoasting", () => {
  describe.each([
    ["positive", positive],
    ["near miss", nearMiss],
    ["benign cause", benign],
  ])("%s", (_kind, cases) => {
    it.each(cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
      const { alerts } = replay([kerberoasting], c.events(), c.setup);
      expect(alerts.map((a) => `${a.severity} ${a.primaryEntity}`)).toEqual(c.expect);
    });
  });

  it("names the requester, the services and keeps every request as evidence", () => {
    const events = svcs(6);
    const { alerts } = replay([kerberoasting], events);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.description).toMatch(/ACME\\pgustavo on 10\.0\.0\.66 requested RC4\/DES service tickets for 6 user-account services/);
    expect(alerts[0]!.evidenceEventIds).toEqual(events.map((e) => e.id));
  });
});
