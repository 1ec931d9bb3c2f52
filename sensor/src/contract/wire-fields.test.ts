import { describe, expect, it } from "vitest";
import { finalizeEvent, InvalidEventError, type EventDraft } from "./index.ts";

// The optional fields only a network sensor fills (ticket internals, LDAP filter terms).
const base = {
  tenantId: "acme",
  sensorId: "net1",
  time: "2026-11-25T17:02:23.900000Z",
  origin: { format: "pcap" as const, recordId: "812", channel: "lab.pcapng" },
};

describe("wire-only event fields", () => {
  it("accepts ticket etypes and times, the presented TGT's PAC buffers and LDAP filter terms", () => {
    const drafts: EventDraft[] = [
      {
        ...base,
        kind: "kerberos.as",
        result: 0,
        etype: 23,
        ticketEtype: 18,
        requestedEndTime: "2037-09-12T22:48:05Z",
        ticketEndTime: "2026-11-26T03:01:19Z",
      },
      {
        ...base,
        kind: "kerberos.tgs",
        result: 0,
        service: "cifs/dc1",
        tgtEtype: 18,
        tgtEndTime: "2036-11-23T17:02:22Z",
        tgtPacTypes: [1, 10, 17, 18, 6, 7],
        tgtRealm: "CORP.LAB",
      },
      { ...base, kind: "ldap.search", scope: "sub", attributes: [], terms: ["objectCategory", "group", "Domain Admins"] },
    ];
    for (const d of drafts) expect(finalizeEvent(d)).toMatchObject(d);
  });

  it.each([
    ["a ticket end time that is not ISO", { ...base, kind: "kerberos.as", result: 0, ticketEndTime: "Sep 12, 2037" }, /ticketEndTime/],
    ["a PAC type that is not an integer", { ...base, kind: "kerberos.tgs", result: 0, service: "x", tgtPacTypes: [1.5] }, /tgtPacTypes/],
    ["a TGT realm that is not a string", { ...base, kind: "kerberos.tgs", result: 0, service: "x", tgtRealm: 7 }, /tgtRealm/],
    ["terms that are not strings", { ...base, kind: "ldap.search", scope: "sub", attributes: [], terms: [7] }, /terms/],
  ])("rejects %s", (_name, draft, field) => {
    expect(() => finalizeEvent(draft as EventDraft)).toThrow(InvalidEventError);
    expect(() => finalizeEvent(draft as EventDraft)).toThrow(field);
  });
});
