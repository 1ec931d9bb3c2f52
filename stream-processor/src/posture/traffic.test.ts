import { finalizeEvent, type EventDraft, type VigilEvent } from "@vigil/sensor/contract";
import { describe, expect, it } from "vitest";
import { assessPosture } from "./assess.ts";
import { weakCipherUsage } from "./weak-cipher-usage.ts";
import { clearTextCredentials } from "./clear-text-credentials.ts";
import { snapshot, user } from "./test-fixtures.ts";
import { emptyTraffic, foldTraffic, trafficObservations } from "./traffic.ts";

const NOW = "2026-11-25T12:00:00.000Z";
const at = (daysBefore: number) => new Date(Date.parse(NOW) - daysBefore * 86_400_000).toISOString();
let record = 0;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
type Body = DistributiveOmit<EventDraft, "tenantId" | "sensorId" | "time" | "origin"> & { origin?: EventDraft["origin"] };
const ev = (daysBefore: number, body: Body, tenant = "acme"): VigilEvent =>
  finalizeEvent({
    tenantId: tenant,
    sensorId: "s1",
    time: at(daysBefore),
    dc: "DC01.acme.local",
    origin: { format: "pcap", recordId: String(++record) },
    ...body,
  } as EventDraft);

const bob = { name: "bob", domain: "ACME" };
const simpleBind = (d: number, origin?: EventDraft["origin"]) =>
  ev(d, { kind: "ldap.bind", actor: bob, bindType: "simple", result: 0, ...(origin ? { origin } : {}) });
const tgs = (d: number, etype: number, result = 0) =>
  ev(d, { kind: "kerberos.tgs", actor: bob, target: { name: "svc_sql" }, service: "MSSQLSvc/sql01", etype, result });

const observe = (events: VigilEvent[], now = NOW) => {
  const s = emptyTraffic("acme");
  for (const e of events) foldTraffic(s, e);
  return trafficObservations(s, now);
};

describe("traffic aggregation", () => {
  it("counts clear-text simple binds from the wire and from event 2889, not from Samba's audit log", () => {
    const o = observe([
      simpleBind(40),
      simpleBind(2),
      simpleBind(1, { format: "evtx", recordId: "x1", eventId: 2889 }),
      simpleBind(1, { format: "samba-json", recordId: "x2" }),
      ev(1, { kind: "ldap.bind", actor: bob, bindType: "sasl", result: 0 }),
    ]);
    expect(o?.accounts).toEqual([{ account: "ACME\\bob", ldapSimpleBinds: 2 }]);
  });

  it("counts RC4 and DES tickets that were issued, on the service for TGS and the client for AS", () => {
    const o = observe([
      tgs(1, 23),
      tgs(1, 23, 0x1f),
      tgs(1, 18),
      tgs(2, 3),
      ev(1, { kind: "kerberos.as", actor: { name: "carol" }, result: 0, etype: 23 }),
    ]);
    expect(o?.accounts).toEqual(
      expect.arrayContaining([
        { account: "svc_sql", rc4Tickets: 1, desTickets: 1 },
        { account: "carol", rc4Tickets: 1 },
      ]),
    );
    expect(o?.accounts).toHaveLength(2);
  });

  it("counts NTLMv1 from ntlm and logon events", () => {
    const o = observe([
      ev(1, { kind: "ntlm", actor: bob, version: "v1", result: 0 }),
      ev(1, { kind: "ntlm", actor: bob, version: "v2", result: 0 }),
      ev(1, { kind: "logon", actor: bob, success: true, logonType: 3, lmPackage: "NTLM V1" }),
    ]);
    expect(o?.accounts).toEqual([{ account: "ACME\\bob", ntlmV1: 2 }]);
  });

  it("drops counters older than 30 days and reports the window actually observed", () => {
    const o = observe([simpleBind(45), simpleBind(35), ev(3, { kind: "ntlm", actor: bob, version: "v2", result: 0 })]);
    expect(o?.accounts).toEqual([]);
    expect(o?.windowStart).toBe(at(30));
    expect(o?.windowEnd).toBe(at(3));
    const short = observe([ev(5, { kind: "ntlm", actor: bob, version: "v2", result: 0 })]);
    expect(short?.windowStart).toBe(at(5));
  });

  it("lists DCs heard from in the last 24 hours only, and ignores LDAP sync snapshots for that", () => {
    const s = emptyTraffic("acme");
    foldTraffic(s, ev(0.5, { kind: "ntlm", actor: bob, version: "v2", result: 0 }));
    foldTraffic(s, { ...ev(3, { kind: "ntlm", actor: bob, version: "v2", result: 0 }), dc: "DC02.acme.local" });
    foldTraffic(s, {
      ...ev(0.1, {
        kind: "entity.snapshot",
        entity: { objectType: "user", objectId: "x", attributes: {}, deleted: false },
        origin: { format: "ldap", recordId: "r" },
      }),
      dc: "DC03.acme.local",
    });
    expect(trafficObservations(s, NOW)?.monitoredDcs).toEqual(["dc01.acme.local"]);
  });

  it("ignores other tenants' events and has no observations before the first event", () => {
    const s = emptyTraffic("acme");
    expect(trafficObservations(s, NOW)).toBeUndefined();
    expect(foldTraffic(s, ev(1, { kind: "ntlm", actor: bob, version: "v1", result: 0 }, "other"))).toBe(false);
    expect(trafficObservations(s, NOW)).toBeUndefined();
  });

  it("feeds the assessments: a service account seen with RC4 fails weak-cipher usage by name", () => {
    const snap = snapshot([user("svc_sql", 1100, { servicePrincipalName: ["MSSQLSvc/sql01"] })]);
    const events = [
      ev(31, { kind: "ntlm", actor: bob, version: "v2", result: 0 }),
      tgs(1, 23),
      ev(0.2, { kind: "ntlm", actor: bob, version: "v2", result: 0 }),
    ];
    const r = assessPosture(snap, observe(events), { now: NOW, assessments: [weakCipherUsage, clearTextCredentials] });
    expect(r.assessments.map((a) => [a.id, a.status, a.affected.map((x) => x.objectId)])).toEqual([
      ["weak-cipher-usage", "failed", ["S-1-5-21-1-2-3-1100"]],
      ["clear-text-credentials", "passed", []],
    ]);
  });
});
