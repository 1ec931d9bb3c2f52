import { describe, expect, it } from "vitest";
import { finalizeEvent, type EventDraft, type VigilEvent } from "@vigil/sensor/contract";
import { acct, group, kdcEvent, membership, success, failure, DOMAIN_SID } from "../detections/test-events.ts";
import { guessMemberKind, planGraphWrites } from "./graph-writer.ts";
import { isSessionUser, principalKey } from "./graph-keys.ts";

const edges = (e: VigilEvent) => planGraphWrites(e)?.edges.map((x) => `${x.from} -${x.kind}-> ${x.to} (${x.source})`) ?? [];

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
