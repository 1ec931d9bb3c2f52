import { finalizeEvent, type VigilEvent } from "@vigil/sensor/contract";
import { describe, expect, it } from "vitest";
import { addExclusion, tagHoneytoken, type EntityContext } from "../engine/context.ts";
import { honeytokenAuthentication } from "./honeytoken-authentication.ts";
import { DOMAIN_SID, failure, replay, success, T0 } from "./test-events.ts";

const ATTACKER = "10.0.0.66";
const DECOY = "svc_backup_old";
const tagged = (ctx: EntityContext) => tagHoneytoken(ctx, DECOY);
const tgs = (account: string): VigilEvent =>
  finalizeEvent({
    tenantId: "acme",
    sensorId: "dc01",
    time: new Date(T0).toISOString(),
    dc: "DC01.acme.local",
    kind: "kerberos.tgs",
    actor: { name: account, domain: "ACME" },
    src: { ip: ATTACKER },
    target: { name: DECOY },
    result: 0,
    service: DECOY,
    origin: { format: "evtx", recordId: `tgs-${account}`, eventId: 4769, channel: "Security" },
  });

interface Case {
  name: string;
  events: () => VigilEvent[];
  setup?: (ctx: EntityContext) => EntityContext;
  expect: string[];
}

const positive: Case[] = [
  {
    name: "a failed logon (4625) with the decoy",
    events: () => [failure("logon", DECOY, { ip: ATTACKER })],
    setup: tagged,
    expect: [`high account:${DECOY}`],
  },
  {
    name: "a successful NTLM validation (4776)",
    events: () => [success("ntlm", DECOY, { host: "WS05" })],
    setup: tagged,
    expect: [`high account:${DECOY}`],
  },
  {
    name: "a TGT (4768)",
    events: () => [success("kerberos.as", DECOY, { ip: ATTACKER })],
    setup: tagged,
    expect: [`high account:${DECOY}`],
  },
  {
    name: "a pre-auth failure (4771)",
    events: () => [failure("kerberos.preauth-failure", DECOY, { ip: ATTACKER })],
    setup: tagged,
    expect: [`high account:${DECOY}`],
  },
  { name: "an LDAP bind", events: () => [failure("ldap.bind", DECOY, { ip: ATTACKER })], setup: tagged, expect: [`high account:${DECOY}`] },
  { name: "a service ticket requested by the decoy", events: () => [tgs(DECOY)], setup: tagged, expect: [`high account:${DECOY}`] },
  {
    name: "a decoy computer tagged without $",
    events: () => [success("ntlm", "HONEYPC$", { host: "HONEYPC" })],
    setup: (c) => tagHoneytoken(c, "HONEYPC"),
    expect: ["high account:honeypc$"],
  },
  {
    name: "many attempts from several sources: one alert",
    events: () => [failure("logon", DECOY, { ip: ATTACKER }), failure("logon", DECOY, { ip: "10.0.0.67", t: 60_000 })],
    setup: tagged,
    expect: [`high account:${DECOY}`],
  },
];

const nearMiss: Case[] = [
  { name: "nothing tagged", events: () => [failure("logon", DECOY, { ip: ATTACKER })], expect: [] },
  { name: "a ticket FOR the decoy by another user (kerberoasting's)", events: () => [tgs("alice")], setup: tagged, expect: [] },
  { name: "a similarly named account", events: () => [failure("logon", `${DECOY}2`, { ip: ATTACKER })], setup: tagged, expect: [] },
  {
    name: "tagged by SID, other account with no SID",
    events: () => [failure("logon", "bob", { ip: ATTACKER })],
    setup: (c) => tagHoneytoken(c, `${DOMAIN_SID}-1500`),
    expect: [],
  },
];

const benign: Case[] = [
  {
    name: "the admin's credential-validation test host is excluded (alert suppressed)",
    events: () => [failure("logon", DECOY, { ip: "10.0.8.8" })],
    setup: (c) => addExclusion(tagged(c), "honeytoken-authentication", "10.0.8.8"),
    expect: [],
  },
];

describe("honeytoken-authentication", () => {
  describe.each([
    ["positive", positive],
    ["near miss", nearMiss],
    ["benign cause", benign],
  ])("%s", (_kind, cases) => {
    it.each(cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
      const { alerts } = replay([honeytokenAuthentication], c.events(), c.setup);
      expect(alerts.map((a) => `${a.severity} ${a.primaryEntity}`)).toEqual(c.expect);
    });
  });

  it("says attempt vs success, the source and the protocol", () => {
    const { alerts } = replay([honeytokenAuthentication], [failure("logon", DECOY, { ip: ATTACKER })], tagged);
    expect(alerts[0]!.description).toBe(
      `Honeytoken ACME\\${DECOY} tried to authenticate from ${ATTACKER} via logon (4625) against DC01.acme.local.`,
    );
  });
});
