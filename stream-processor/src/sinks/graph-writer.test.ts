import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { readWindowsEvents } from "@vigil/sensor";
import { finalizeEvent, type EventDraft, type VigilEvent } from "@vigil/sensor/contract";
import { acct, group, kdcEvent, membership, success, failure, DOMAIN_SID } from "../detections/test-events.ts";
import { createEngine } from "../engine/engine.ts";
import { emptyHosts, learnHosts, type HostTable } from "../engine/host-resolution.ts";
import { guessMemberKind, hasGraphWrites, planGraphWrites, type GraphPlan } from "./graph-writer.ts";
import { isSessionUser, principalKey } from "./graph-keys.ts";

const show = (plan: GraphPlan | undefined) => plan?.edges.map((x) => `${x.from} -${x.kind}-> ${x.to} (${x.source})`) ?? [];
const edges = (e: VigilEvent, hosts?: HostTable) => show(planGraphWrites(e, undefined, hosts));

function logon(logonType: number, over: Partial<EventDraft> = {}): VigilEvent {
  return finalizeEvent({
    tenantId: "acme",
    sensorId: "dc01",
    time: "2024-03-01T10:00:00.000Z",
    kind: "logon",
    dc: "SRV01.acme.local",
    src: { ip: "10.0.0.5", host: "WS05" },
    actor: { name: "carol", domain: "ACME", sid: `${DOMAIN_SID}-1300` },
    success: true,
    logonType,
    origin: { format: "evtx", recordId: String(logonType), eventId: 4624, channel: "Security" },
    ...over,
  } as EventDraft);
}

describe("graph writes per event", () => {
  it.each([
    ["interactive logon: session on the recording host", logon(2), [`COMPUTER:SRV01 -HAS_SESSION-> ${DOMAIN_SID}-1300 (event:4624)`]],
    ["RDP logon: session on the recording host", logon(10), [`COMPUTER:SRV01 -HAS_SESSION-> ${DOMAIN_SID}-1300 (event:4624)`]],
    [
      "service logon: stored credentials on the recording host",
      logon(5),
      [`COMPUTER:SRV01 -HAS_SESSION-> ${DOMAIN_SID}-1300 (event:4624)`],
    ],
    ["network logon: session on the source computer", logon(3), [`COMPUTER:WS05 -HAS_SESSION-> ${DOMAIN_SID}-1300 (event:4624)`]],
    ["network logon from an IP only: no computer, no session", logon(3, { src: { ip: "10.0.0.5" } }), []],
    ["new-credentials logon (type 9): outbound only", logon(9), []],
    ["failed logon", failure("logon", "carol", { host: "WS05" }), []],
    ["machine account", logon(3, { actor: { name: "WS05$", sid: `${DOMAIN_SID}-2001` } }), []],
    ["built-in identity", logon(5, { actor: { name: "SYSTEM", sid: "S-1-5-18" } }), []],
    [
      "no SID (NULL SID): name key",
      logon(3, { actor: { name: "ACME\\carol", sid: "S-1-0-0" } }),
      ["COMPUTER:WS05 -HAS_SESSION-> USER:ACME\\CAROL (event:4624)"],
    ],
    [
      "Kerberos service ticket: user on the requesting computer",
      kdcEvent("DC01", { host: "ws07.acme.local" }),
      ["COMPUTER:WS07 -HAS_SESSION-> USER:ACME\\ALICE (event:4769)"],
    ],
    [
      "Kerberos TGT (AS) success",
      success("kerberos.as", "dave", { host: "WS08" }),
      ["COMPUTER:WS08 -HAS_SESSION-> USER:ACME\\DAVE (event:4768)"],
    ],
    ["NTLM: not a session source", success("ntlm", "dave", { host: "WS08" }), []],
    [
      "group add: member → group",
      membership(acct("admin", 500), acct("bob", 1107), group("Helpdesk", `${DOMAIN_SID}-1200`)),
      [`${DOMAIN_SID}-1107 -MEMBER_OF-> ${DOMAIN_SID}-1200 (event:4728)`],
    ],
    [
      "group removal: not applied (no edge removal in the port)",
      membership(acct("admin", 500), acct("bob", 1107), group("Helpdesk"), { action: "remove" }),
      [],
    ],
    [
      "group add by names only",
      membership(undefined, acct("bob"), group("Helpdesk")),
      ["USER:ACME\\BOB -MEMBER_OF-> GROUP:ACME\\HELPDESK (event:4728)"],
    ],
  ])("%s", (_label, event, expected) => {
    expect(edges(event)).toEqual(expected);
  });

  it("upserts both endpoints as nodes with their kinds and names", () => {
    const plan = planGraphWrites(
      membership(acct("admin", 500), { name: "WS09$", domain: "ACME" }, group("Domain Admins", `${DOMAIN_SID}-512`)),
    );
    expect(plan?.nodes).toEqual([
      { kind: "Group", objectId: `${DOMAIN_SID}-512`, name: "Domain Admins", domain: "ACME" },
      { kind: "Computer", objectId: "COMPUTER:WS09", name: "WS09", domain: "ACME" },
    ]);
  });

  it("guesses member kinds when the graph does not know the member", () => {
    expect(guessMemberKind({ name: "WS09$" })).toBe("Computer");
    expect(guessMemberKind({ dn: "CN=DC02,OU=Domain Controllers,DC=acme,DC=local" })).toBe("Computer");
    expect(guessMemberKind({ sid: "S-1-5-32-544" })).toBe("Group");
    expect(guessMemberKind({ name: "bob" })).toBe("User");
  });

  it("keys principals by SID, else by kind, domain and account name", () => {
    expect(principalKey({ sid: "s-1-5-21-1-2-3-1104", name: "x" }, "User")).toBe("S-1-5-21-1-2-3-1104");
    expect(principalKey({ name: "bob@acme.local" }, "User")).toBe("USER:ACME\\BOB");
    expect(principalKey({ name: "bob", domain: "acme.local" }, "Group")).toBe("GROUP:ACME\\BOB");
    expect(principalKey({ dn: "CN=Bob,OU=Staff,DC=acme" }, "User")).toBe("USER:DN:CN=BOB,OU=STAFF,DC=ACME");
    expect(isSessionUser({ name: "DWM-3" })).toBe(false);
    expect(isSessionUser({ name: "ANONYMOUS LOGON", sid: "S-1-5-7" })).toBe(false);
  });
});

/** A DC's Kerberos record from `ip` only (no workstation name), `s` seconds after 10:00. */
function fromIp(eventId: 4624 | 4768 | 4769, name: string, ip: string, s = 0, sid?: string): VigilEvent {
  const base = {
    tenantId: "acme",
    sensorId: "dc01",
    time: new Date(Date.parse("2024-03-01T10:00:00.000Z") + s * 1000).toISOString(),
    dc: "DC01.acme.local",
    src: { ip },
    actor: { name, domain: "ACME.LOCAL", ...(sid ? { sid } : {}) },
    origin: { format: "evtx" as const, recordId: `${eventId}-${name}-${s}`, eventId, channel: "Security" },
  };
  if (eventId === 4624) return finalizeEvent({ ...base, kind: "logon", success: true, logonType: 3, package: "Kerberos" });
  if (eventId === 4768) return finalizeEvent({ ...base, kind: "kerberos.as", result: 0 });
  return finalizeEvent({ ...base, kind: "kerberos.tgs", result: 0, service: "cifs/fs01" });
}

/** Each event is learned first and then planned, as the processor does (engine, then sinks). */
function stream(events: VigilEvent[]): string[] {
  let hosts = emptyHosts();
  return events.flatMap((e) => {
    hosts = learnHosts(hosts, e);
    return show(planGraphWrites(e, undefined, hosts));
  });
}

const CAROL = `${DOMAIN_SID}-1300`;

describe("sessions from sources known only by IP", () => {
  it.each([
    [
      "user's network logon (4624) after the machine's TGT from the same IP: session on that computer",
      [fromIp(4768, "WS05$", "10.0.0.5", 0), fromIp(4624, "carol", "10.0.0.5", 60, CAROL)],
      [`COMPUTER:WS05 -HAS_SESSION-> ${CAROL} (event:4624)`],
    ],
    [
      "user's service ticket (4769) after the machine's own service ticket",
      [fromIp(4769, "WS05$", "::ffff:10.0.0.5", 0), fromIp(4769, "alice", "10.0.0.5", 60)],
      ["COMPUTER:WS05 -HAS_SESSION-> USER:ACME\\ALICE (event:4769)"],
    ],
    ["no machine ever proved the IP: no session", [fromIp(4769, "alice", "10.0.0.5", 60)], []],
    ["another IP's machine: no session", [fromIp(4768, "WS06$", "10.0.0.6", 0), fromIp(4624, "carol", "10.0.0.5", 60, CAROL)], []],
    [
      "two machines on the IP (NAT, VPN pool): ambiguous, no session",
      [fromIp(4768, "WS05$", "10.0.0.5", 0), fromIp(4768, "WS06$", "10.0.0.5", 30), fromIp(4624, "carol", "10.0.0.5", 60, CAROL)],
      [],
    ],
    ["binding expired (24 h): no session", [fromIp(4768, "WS05$", "10.0.0.5", 0), fromIp(4624, "carol", "10.0.0.5", 25 * 3600, CAROL)], []],
    [
      "the user's requests came seconds before the machine's: written with the machine's proof",
      [fromIp(4769, "alice", "10.0.0.5", 0), fromIp(4624, "carol", "10.0.0.5", 1, CAROL), fromIp(4624, "WS05$", "10.0.0.5", 6)],
      ["COMPUTER:WS05 -HAS_SESSION-> USER:ACME\\ALICE (event:4769)", `COMPUTER:WS05 -HAS_SESSION-> ${CAROL} (event:4624)`],
    ],
    [
      "a name the event gives wins over the table",
      [fromIp(4768, "WS05$", "10.0.0.5", 0), logon(3, { src: { ip: "10.0.0.5", host: "WS09" } })],
      [`COMPUTER:WS09 -HAS_SESSION-> ${CAROL} (event:4624)`],
    ],
  ])("%s", (_label, events, expected) => {
    expect(stream(events)).toEqual(expected);
  });

  it("names the resolved computer with the machine account's domain, and keeps the user's time", () => {
    const hosts = learnHosts(emptyHosts(), fromIp(4768, "WS05$", "10.0.0.5", 0));
    const plan = planGraphWrites(fromIp(4624, "carol", "10.0.0.5", 60, CAROL), undefined, hosts);
    expect(plan?.nodes[0]).toEqual({ kind: "Computer", objectId: "COMPUTER:WS05", name: "WS05", domain: "ACME" });
    expect(plan?.edges[0]?.lastSeen.toISOString()).toBe("2024-03-01T10:01:00.000Z");
    expect([
      hasGraphWrites(fromIp(4624, "carol", "10.0.0.5", 60, CAROL), hosts),
      hasGraphWrites(fromIp(4624, "carol", "10.0.0.5", 60)),
    ]).toEqual([true, false]);
  });
});

const COVENANT = "/work/shared/datasets/attack-samples/dcsync/otrf__host__covenant_dcsync_dcerpc_drsuapi_DsGetNCChanges.zip";

describe.skipIf(!existsSync(COVENANT))("real data: Covenant DCSync capture (DC logs sources by IP only)", () => {
  it("gives pgustavo a session on WORKSTATION5, whose machine account authenticated from his IP", async () => {
    const engine = createEngine({ detections: [] });
    const written: string[] = [];
    // In file order, each event through the engine and then the graph plan, as the processor runs them.
    for await (const draft of readWindowsEvents(COVENANT, { tenantId: "lab", sensorId: "dc" })) {
      const event = finalizeEvent(draft);
      engine.process(event);
      written.push(...show(planGraphWrites(event, undefined, engine.context("lab").hosts)));
    }
    // Both of his requests (4769, 4624 at 06:10:02) came 6 s before WORKSTATION5$'s logon (06:10:08),
    // so both are written with that proof. The 4769 names him without a SID: a second node (graph-keys.ts).
    expect(written).toEqual([
      "COMPUTER:WORKSTATION5 -HAS_SESSION-> USER:THESHIRE\\PGUSTAVO (event:4769)",
      "COMPUTER:WORKSTATION5 -HAS_SESSION-> S-1-5-21-3669966080-2286457517-972388166-1104 (event:4624)",
    ]);
  });
});
