import { finalizeEvent, type Principal, type VigilEvent } from "@vigil/sensor/contract";
import { describe, expect, it } from "vitest";
import { acct, dcSnapshot, DOMAIN_SID, failure, group, kdcEvent, replication, T0 } from "../detections/test-events.ts";
import {
  addDc,
  addExclusion,
  defaultSensitiveGroup,
  emptyContext,
  isDcAccount,
  isDcEndpoint,
  isDcHost,
  isExcluded,
  isHoneytoken,
  isSensitiveGroup,
  learnFromEvent,
  removeExclusion,
  resolveSourceHost,
  hasRole,
  tagHoneytoken,
  tagRole,
  tagSensitive,
} from "./context.ts";
import type { AlertEntity } from "./detection.ts";
import { createEngine } from "./engine.ts";

/** WS05$'s TGT from 10.0.0.5, as DC01 logs it (4768). */
const machineTgt = (t = 0): VigilEvent =>
  finalizeEvent({
    tenantId: "acme",
    sensorId: "dc01",
    time: new Date(T0 + t).toISOString(),
    kind: "kerberos.as",
    dc: "DC01.acme.local",
    src: { ip: "10.0.0.5" },
    actor: { name: "WS05$", domain: "ACME" },
    result: 0,
    origin: { format: "evtx", recordId: String(t), eventId: 4768, channel: "Security" },
  });
const at = (t = 0) => new Date(T0 + t).toISOString();

describe("entity context", () => {
  it("learns DCs from DC-only events and LDAP snapshots, not from events any server logs", () => {
    let ctx = emptyContext();
    ctx = learnFromEvent(ctx, kdcEvent("DC01.acme.local"));
    ctx = learnFromEvent(ctx, replication(acct("x"), { dc: "10.0.0.12" }));
    ctx = learnFromEvent(ctx, dcSnapshot("DC03", `${DOMAIN_SID}-1003`));
    const unchanged = learnFromEvent(ctx, failure("logon", "bob", { dc: "WS01.acme.local" }));
    expect(unchanged).toBe(ctx);
    expect(ctx).toMatchObject({ dcHosts: ["dc01", "dc03"], dcIps: ["10.0.0.12"], dcSids: [`${DOMAIN_SID}-1003`] });
    expect(learnFromEvent(ctx, kdcEvent("dc01"))).toBe(ctx);
  });

  it.each([
    ["DC01$ for known DC01", acct("DC01$"), true],
    ["CORP\\DC01$ written with its domain", { name: "CORP\\DC01$" }, true],
    ["DC03 by SID only", { sid: `${DOMAIN_SID}-1003` }, true],
    ["DC01 without the $ (a user named like the DC: noPac)", acct("DC01"), false],
    ["WS01$ (not a DC)", acct("WS01$"), false],
    ["DC01 by DN in the Domain Controllers OU", { dn: "CN=DC01,OU=Domain Controllers,DC=acme,DC=local" }, true],
    ["a user object named DC01 (noPac)", { dn: "CN=DC01,CN=Users,DC=acme,DC=local" }, false],
    ["nothing", undefined, false],
  ] as [string, Principal | undefined, boolean][])("knows DC accounts: %s", (_name, p, expected) => {
    const ctx = addDc(addDc(emptyContext(), { host: "DC01.acme.local" }), { sid: `${DOMAIN_SID}-1003` });
    expect(isDcAccount(ctx, p)).toBe(expected);
  });

  it("knows DC hosts and endpoints by name or IP", () => {
    const ctx = addDc(emptyContext(), { host: "DC01.acme.local", ip: "::ffff:10.0.0.10" });
    expect([
      isDcHost(ctx, "dc01"),
      isDcHost(ctx, "DC01.other.local"),
      isDcHost(ctx, "10.0.0.10"),
      isDcHost(ctx, "ws01"),
      isDcHost(ctx, undefined),
    ]).toEqual([true, true, true, false, false]);
    expect([isDcEndpoint(ctx, { ip: "10.0.0.10" }), isDcEndpoint(ctx, { host: "dc01" }), isDcEndpoint(ctx, { ip: "10.0.0.11" })]).toEqual([
      true,
      true,
      false,
    ]);
  });

  it.each([
    ["Administrators", "S-1-5-32-544", true],
    ["Account Operators", "S-1-5-32-548", true],
    ["Server Operators", "S-1-5-32-549", true],
    ["Print Operators", "S-1-5-32-550", true],
    ["Backup Operators", "S-1-5-32-551", true],
    ["Domain Admins", `${DOMAIN_SID}-512`, true],
    ["Domain Controllers", `${DOMAIN_SID}-516`, true],
    ["Schema Admins", `${DOMAIN_SID}-518`, true],
    ["Enterprise Admins", `${DOMAIN_SID}-519`, true],
    ["Group Policy Creator Owners", `${DOMAIN_SID}-520`, true],
    ["Key Admins", `${DOMAIN_SID}-526`, true],
    ["Enterprise Key Admins", `${DOMAIN_SID}-527`, true],
    ["renamed Domain Admins (SID wins)", `${DOMAIN_SID}-512`, true],
    ["Exchange Servers (no fixed RID)", `${DOMAIN_SID}-1120`, true],
    ["DnsAdmins (no fixed RID)", `${DOMAIN_SID}-1101`, true],
    ["Domain Users", `${DOMAIN_SID}-513`, false],
    ["Cert Publishers", `${DOMAIN_SID}-517`, false],
    ["Remote Desktop Users", "S-1-5-32-555", false],
    ["Helpdesk", `${DOMAIN_SID}-1200`, false],
  ])("sensitive by default: %s (%s) → %s", (name, sid, expected) => {
    expect(isSensitiveGroup(emptyContext(), group(name.replace(/ \(.*\)$/, "").replace("renamed ", "Tier0 "), sid))).toBe(expected);
  });

  it("matches names only when the event gives no SID, and builtins only on DCs once DCs are known", () => {
    const ctx = addDc(emptyContext(), { host: "DC01" });
    expect(isSensitiveGroup(ctx, { name: "CORP\\Domain Admins" })).toBe(true);
    expect(defaultSensitiveGroup(ctx, { name: "Schema Admins" })?.rid).toBe(518);
    expect(isSensitiveGroup(ctx, group("Administrators", "S-1-5-32-544"), "dc01.acme.local")).toBe(true);
    expect(isSensitiveGroup(ctx, group("Administrators", "S-1-5-32-544"), "ws01.acme.local")).toBe(false);
    expect(isSensitiveGroup(emptyContext(), group("Administrators", "S-1-5-32-544"), "ws01.acme.local")).toBe(true);
  });

  it("applies manual sensitive and honeytoken tags by SID or name", () => {
    let ctx = tagSensitive(emptyContext(), "ACME\\SQL Admins");
    ctx = tagHoneytoken(ctx, `${DOMAIN_SID}-1300`);
    expect(tagSensitive(ctx, "sql admins")).toBe(ctx);
    expect(isSensitiveGroup(ctx, { name: "SQL Admins" })).toBe(true);
    expect(isHoneytoken(ctx, { sid: `${DOMAIN_SID.toLowerCase()}-1300` })).toBe(true);
    expect(isHoneytoken(ctx, acct("bob"))).toBe(false);
  });

  it("excludes by primary entity, actor or source (name, SID, IP, CIDR), never by target, per detection", () => {
    let ctx = addExclusion(emptyContext(), "dcsync", "ACME\\MSOL_1");
    ctx = addExclusion(ctx, "brute-force", "10.1.0.0/16");
    ctx = addExclusion(ctx, "*", `${DOMAIN_SID}-7`);
    const e = (role: AlertEntity["role"], kind: AlertEntity["kind"], id: string, name?: string): AlertEntity => ({
      role,
      kind,
      id,
      ...(name ? { name } : {}),
    });
    const alert = (primaryEntity: string, ...entities: AlertEntity[]) => ({ primaryEntity, entities });
    expect(isExcluded(ctx, "dcsync", alert("account:x", e("actor", "user", `${DOMAIN_SID}-9`, "ACME\\MSOL_1")))).toBe(true);
    expect(isExcluded(ctx, "brute-force", alert("account:x", e("actor", "user", "x", "MSOL_1")))).toBe(false);
    expect(isExcluded(ctx, "brute-force", alert("host:10.1.2.3", e("source", "ip", "10.1.2.3")))).toBe(true);
    expect(isExcluded(ctx, "brute-force", alert("host:10.2.2.3"))).toBe(false);
    expect(isExcluded(ctx, "sensitive-group-addition", alert(`account:${DOMAIN_SID}-7`))).toBe(true);
    expect(isExcluded(ctx, "dcsync", alert("account:y", e("target", "user", "MSOL_1")))).toBe(false);
    expect(removeExclusion(ctx, "dcsync", "msol_1").exclusions["dcsync"]).toEqual([]);
  });

  it("is plain JSON: a parsed copy answers the same", () => {
    const ctx = tagSensitive(addDc(emptyContext(), { host: "DC01", ip: "10.0.0.10" }), "SQL Admins");
    const copy = JSON.parse(JSON.stringify(ctx));
    expect(copy).toEqual(ctx);
    expect([isDcAccount(copy, acct("DC01$")), isSensitiveGroup(copy, { name: "SQL Admins" })]).toEqual([true, true]);
  });

  it("learns which computer holds an IP along with the DCs, from the same event", () => {
    const ctx = learnFromEvent(emptyContext(), machineTgt());
    expect(ctx.dcHosts).toEqual(["dc01"]);
    expect(resolveSourceHost(ctx, "10.0.0.5", at(60_000))?.host).toBe("ws05");
    expect(resolveSourceHost(ctx, "10.0.0.6", at(60_000))).toBeUndefined();
    expect(learnFromEvent(ctx, machineTgt(1_000))).toBe(ctx);
  });

  it("learns hosts into a context restored from a snapshot written before host tables existed", () => {
    const { hosts: _hosts, ...old } = emptyContext();
    const ctx = learnFromEvent(old, machineTgt());
    expect(resolveSourceHost(ctx, "10.0.0.5", at())?.host).toBe("ws05");
    expect(learnFromEvent(old, failure("logon", "bob", { ip: "10.0.0.7" }))).toBe(old);
  });

  it("travels with the engine snapshot: a restored engine still resolves the IP", () => {
    const engine = createEngine({ detections: [] });
    engine.process(machineTgt());
    const restored = createEngine({ detections: [] });
    restored.restore(JSON.parse(JSON.stringify(engine.snapshot())));
    expect(restored.context("acme").hosts).toEqual(engine.context("acme").hosts);
    expect(resolveSourceHost(restored.context("acme"), "::ffff:10.0.0.5", at(3_600_000))?.host).toBe("ws05");
    expect(resolveSourceHost(restored.context("other"), "10.0.0.5", at())).toBeUndefined();
  });

  it("counts a server tagged with the dc role as a DC by name, IP, machine account and SID", () => {
    let ctx = tagRole(emptyContext(), "dc", "DC09.acme.local");
    ctx = tagRole(ctx, "dc", "10.0.0.19");
    ctx = tagRole(ctx, "dc", `${DOMAIN_SID}-1019`);
    expect(tagRole(ctx, "dc", "dc09")).toBe(ctx);
    expect([isDcHost(ctx, "dc09.acme.local"), isDcHost(ctx, "10.0.0.19"), isDcHost(ctx, "ws09")]).toEqual([true, true, false]);
    expect([isDcEndpoint(ctx, { ip: "::ffff:10.0.0.19" }), isDcEndpoint(ctx, { ip: "10.0.0.20", host: "DC09" })]).toEqual([true, true]);
    expect(isDcAccount(ctx, acct("DC09$"))).toBe(true);
    expect(isDcAccount(ctx, { sid: `${DOMAIN_SID}-1019` })).toBe(true);
    expect(isDcAccount(ctx, { dn: "CN=DC09,OU=Domain Controllers,DC=acme,DC=local" })).toBe(true);
    expect(isDcAccount(ctx, acct("DC10$"))).toBe(false);
    // Builtin groups count only on DCs once a DC is known, a tagged one included.
    const admins = group("Administrators", "S-1-5-32-544");
    expect([isSensitiveGroup(ctx, admins, "dc09"), isSensitiveGroup(ctx, admins, "ws09")]).toEqual([true, false]);
  });

  it("keeps the other roles apart and out of the DC checks", () => {
    const ctx = tagRole(tagRole(emptyContext(), "adfs", "ADFS01.acme.local"), "adcs", "10.0.0.30");
    expect([hasRole(ctx, "adfs", "adfs01"), hasRole(ctx, "adcs", "10.0.0.30"), hasRole(ctx, "exchange", "adfs01")]).toEqual([
      true,
      true,
      false,
    ]);
    expect([hasRole(ctx, "adfs", undefined), isDcHost(ctx, "adfs01")]).toEqual([false, false]);
  });
});
