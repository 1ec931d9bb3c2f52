import { finalizeEvent, type EventDraft, type Principal, type VigilEvent } from "@vigil/sensor/contract";
import { describe, expect, it } from "vitest";
import { addDc, addExclusion, type EntityContext } from "../engine/context.ts";
import { certificateAbuse } from "./certificate-abuse.ts";
import { acct, DOMAIN_SID, kdcEvent, replay, T0 } from "./test-events.ts";

let record = 0;
const at = () => new Date(T0 + record * 1000).toISOString();

/** 4886/4887 on the CA (no `dc`: the CA is not a DC); `src` only where the wire or a future mapping gives it. */
const request = (
  actor: Principal,
  template: string,
  more: { san?: string; ip?: string; disposition?: "issued" | "denied" } = {},
): VigilEvent =>
  finalizeEvent({
    tenantId: "acme",
    sensorId: "ca01",
    time: at(),
    kind: "certificate.request",
    actor,
    target: { host: "CA01.acme.local" },
    ...(more.ip ? { src: { ip: more.ip } } : {}),
    template,
    ...(more.san ? { subjectAltName: more.san } : {}),
    disposition: more.disposition ?? "issued",
    origin: { format: "evtx", recordId: String(++record), eventId: 4887 },
  } as EventDraft);

/** 5136 / 4742 change on a directory object. */
const change = (actor: Principal, target: Principal, objectClass: string, attribute: string, value: string, eventId = 5136): VigilEvent =>
  finalizeEvent({
    tenantId: "acme",
    sensorId: "dc01",
    time: at(),
    dc: "DC01.acme.local",
    kind: "directory.change",
    actor,
    target,
    ...(target.dn ? { objectDn: target.dn } : {}),
    objectClass,
    attribute,
    operation: eventId === 5136 ? "add" : "replace",
    value,
    origin: { format: "evtx", recordId: String(++record), eventId },
  } as EventDraft);

const mallory = acct("mallory", 1105);
const dc01 = { ...acct("DC01$"), sid: `${DOMAIN_SID}-1000` };
const tpl = (cn: string): Principal => ({
  dn: `CN=${cn},CN=Certificate Templates,CN=Public Key Services,CN=Services,CN=Configuration,DC=acme,DC=local`,
});
const knownDc01 = (ctx: EntityContext) => addDc(ctx, { host: "DC01", ip: "10.0.0.10", sid: `${DOMAIN_SID}-1000` });

interface Case {
  name: string;
  events: () => VigilEvent[];
  setup?: (ctx: EntityContext) => EntityContext;
  /** Expected alerts as `severity primaryEntity`. */
  expect: string[];
}

const positive: Case[] = [
  {
    name: "DomainController certificate requested by a workstation account",
    events: () => [request(acct("WS01$"), "DomainController")],
    setup: knownDc01,
    expect: ["high account:ws01$"],
  },
  {
    name: "KerberosAuthentication certificate requested by a user",
    events: () => [request(mallory, "KerberosAuthentication")],
    expect: [`high account:${DOMAIN_SID}-1105`],
  },
  {
    name: "ESC8: the DC's account enrolling from a workstation IP (relay)",
    events: () => [request(dc01, "DomainController", { ip: "10.0.0.66" })],
    setup: knownDc01,
    expect: [`high account:${DOMAIN_SID}-1000`],
  },
  {
    name: "ESC1: SAN names the administrator",
    events: () => [request(mallory, "VulnTemplate", { san: "upn=administrator@acme.local" })],
    expect: [`high account:${DOMAIN_SID}-1105`],
  },
  {
    name: "Certifried: dNSHostName of a new computer set to a DC's name (4742)",
    events: () => [change(mallory, acct("EVIL01$"), "computer", "dNSHostName", "dc01.acme.local", 4742)],
    setup: knownDc01,
    expect: [`high account:${DOMAIN_SID}-1105`],
  },
  {
    name: "template made ESC1-able (name flag 0x1)",
    events: () => [change(mallory, tpl("User2"), "pKICertificateTemplate", "msPKI-Certificate-Name-Flag", "1")],
    expect: [`high account:${DOMAIN_SID}-1105`],
  },
  {
    name: "template ACL changed",
    events: () => [change(mallory, tpl("User2"), "pKICertificateTemplate", "nTSecurityDescriptor", "O:DAG:DAD:(A;;CR;;;AU)")],
    expect: [`medium account:${DOMAIN_SID}-1105`],
  },
  {
    name: "CA enrollment service ACL changed",
    events: () => [
      change(
        mallory,
        { dn: "CN=ACME-CA,CN=Enrollment Services,CN=Public Key Services,CN=Services,CN=Configuration,DC=acme,DC=local" },
        "pKIEnrollmentService",
        "nTSecurityDescriptor",
        "O:DA",
      ),
    ],
    expect: [`medium account:${DOMAIN_SID}-1105`],
  },
];

const nearMiss: Case[] = [
  { name: "a denied DC-template request", events: () => [request(mallory, "DomainController", { disposition: "denied" })], expect: [] },
  { name: "a User certificate for the requester", events: () => [request(mallory, "User", { san: "upn=mallory@acme.local" })], expect: [] },
  { name: "a DNS SAN (web server)", events: () => [request(mallory, "WebServer", { san: "dns=www.acme.local" })], expect: [] },
  {
    name: "a template attribute that grants nothing",
    events: () => [change(mallory, tpl("User2"), "pKICertificateTemplate", "displayName", "User 2")],
    expect: [],
  },
  {
    name: "name flag without ENROLLEE_SUPPLIES_SUBJECT stays medium",
    events: () => [change(mallory, tpl("User2"), "pKICertificateTemplate", "msPKI-Certificate-Name-Flag", "-2113929216")],
    expect: [`medium account:${DOMAIN_SID}-1105`],
  },
  {
    name: "dNSHostName set to a name that is not a DC",
    events: () => [change(mallory, acct("WS02$"), "computer", "dNSHostName", "ws02.acme.local", 4742)],
    setup: knownDc01,
    expect: [],
  },
];

const benign: Case[] = [
  {
    name: "a DC auto-enrolling its own DomainController certificate",
    events: () => [request(dc01, "DomainController")],
    setup: knownDc01,
    expect: [],
  },
  {
    name: "a DC known from KDC events enrolling from its own IP",
    events: () => [kdcEvent("DC02.acme.local"), request(acct("DC02$"), "DomainControllerAuthentication", { ip: "10.0.0.11" })],
    setup: (ctx) => addDc(ctx, { ip: "10.0.0.11" }),
    expect: [],
  },
  {
    name: "a DC's own dNSHostName",
    events: () => [change(dc01, dc01, "computer", "dNSHostName", "dc01.acme.local", 4742)],
    setup: knownDc01,
    expect: [],
  },
  {
    name: "a PKI admin editing a template, excluded",
    events: () => [change(mallory, tpl("User2"), "pKICertificateTemplate", "pKIExtendedKeyUsage", "1.3.6.1.5.5.7.3.2")],
    setup: (ctx) => addExclusion(ctx, "certificate-abuse", "mallory"),
    expect: [],
  },
  {
    name: "an enrollment agent, excluded",
    events: () => [request(acct("svc_enroll", 1300), "EnrollmentAgentOnBehalf", { san: "upn=bob@acme.local" })],
    setup: (ctx) => addExclusion(ctx, "certificate-abuse", "svc_enroll"),
    expect: [],
  },
];

describe("certificate-abuse", () => {
  describe.each([
    ["positive", positive],
    ["near miss", nearMiss],
    ["benign cause", benign],
  ])("%s", (_kind, cases) => {
    it.each(cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
      const { alerts } = replay([certificateAbuse], c.events(), c.setup);
      expect(alerts.map((a) => `${a.severity} ${a.primaryEntity}`)).toEqual(c.expect);
    });
  });

  it("says which account the certificate impersonates", () => {
    const [alert] = replay([certificateAbuse], [request(mallory, "VulnTemplate", { san: "upn=administrator@acme.local" })]).alerts;
    expect(alert!.description).toBe(
      "ACME\\mallory requested a certificate (VulnTemplate) on CA01.acme.local naming administrator@acme.local in its subject alternative name: it authenticates as administrator@acme.local (ESC1).",
    );
    expect(alert!.entities.map((e) => `${e.role}:${e.kind}:${e.id}`)).toEqual([`actor:user:${DOMAIN_SID}-1105`, "target:computer:ca01"]);
  });
});
