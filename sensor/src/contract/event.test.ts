import { describe, expect, it } from "vitest";
import {
  EVENT_KINDS,
  eventId,
  eventSubject,
  finalizeEvent,
  InvalidEventError,
  parseEvent,
  tenantOfSubject,
  type EventDraft,
} from "./index.ts";

const dcsyncDraft: EventDraft = {
  kind: "replication",
  tenantId: "acme",
  sensorId: "dc01",
  time: "2024-03-01T10:00:00.000Z",
  dc: "DC01.acme.local",
  actor: { sid: "S-1-5-21-1-2-3-1105", name: "mallory", domain: "ACME" },
  rights: ["1131f6aa-9c07-11d1-f79f-00c04fc2dcd2"],
  origin: { format: "evtx", recordId: "812", eventId: 4662, channel: "Security", provider: "Microsoft-Windows-Security-Auditing" },
};

describe("event contract", () => {
  it("covers every kind DESIGN.md §4 names", () => {
    for (const k of [
      "kerberos.as",
      "kerberos.tgs",
      "kerberos.preauth-failure",
      "ntlm",
      "logon",
      "replication",
      "directory.change",
      "group.membership",
      "account.lifecycle",
      "service.install",
      "share.access",
      "samr.query",
      "ldap.search",
      "ldap.bind",
      "dns.query",
      "netlogon",
      "certificate.request",
      "radius.accounting",
      "entity.snapshot",
      "sensor.heartbeat",
    ]) {
      expect(EVENT_KINDS).toContain(k);
    }
  });

  it("derives the same id for the same source record, so re-reads dedupe", () => {
    const a = finalizeEvent(dcsyncDraft);
    const b = finalizeEvent({ ...dcsyncDraft, time: "2024-03-01T10:00:00.000Z" });
    expect(a.id).toMatch(/^[0-9a-f]{32}$/);
    expect(b.id).toBe(a.id);
    expect(eventId({ ...dcsyncDraft, origin: { ...dcsyncDraft.origin, recordId: "813" } })).not.toBe(a.id);
    expect(eventId({ ...dcsyncDraft, tenantId: "other" })).not.toBe(a.id);
  });

  it("hashes content when the source has no record id", () => {
    const noRecord = { ...dcsyncDraft, origin: { format: "pcap" as const } };
    expect(eventId(noRecord)).toBe(eventId({ ...noRecord }));
    expect(eventId(noRecord)).not.toBe(eventId({ ...noRecord, rights: [] }));
  });

  it.each([
    ["unknown kind", { ...dcsyncDraft, kind: "teleport" }, /kind/],
    ["tenant id that would break the subject", { ...dcsyncDraft, tenantId: "acme.*" }, /tenantId/],
    ["time that is not ISO 8601", { ...dcsyncDraft, time: "yesterday" }, /time/],
    ["field outside the schema (no bags)", { ...dcsyncDraft, extra: 1 }, /extra|Unrecognized/],
    ["missing kind-specific field", { ...dcsyncDraft, kind: "kerberos.tgs", rights: undefined, result: 0 }, /service/],
  ])("rejects %s with a reason", (_label, bad, reason) => {
    const withId = { ...bad, v: 1, id: "0".repeat(32) };
    expect(() => parseEvent(withId)).toThrow(InvalidEventError);
    try {
      parseEvent(withId);
    } catch (error) {
      expect((error as InvalidEventError).message).toMatch(reason);
    }
  });

  it("accepts LDAP snapshots of sites and subnets, and still refuses an unknown object type", () => {
    const snapshot = (objectType: string) => ({
      kind: "entity.snapshot",
      tenantId: "acme",
      sensorId: "dc01",
      time: "2024-03-01T10:00:00.000Z",
      entity: { objectType, objectId: "5b6e4c1a-7d3f-4e2b-9a8c-1f0d2e3c4b5a", attributes: { siteObject: "CN=HQ,CN=Sites" } },
      origin: { format: "ldap", recordId: "5b6e4c1a:4012" },
    });
    for (const type of ["site", "subnet", "trust", "user"]) {
      const event = finalizeEvent(snapshot(type) as EventDraft);
      expect(event.kind === "entity.snapshot" && event.entity.objectType).toBe(type);
    }
    expect(() => finalizeEvent(snapshot("printer") as EventDraft)).toThrow(/objectType/);
  });

  it("rejects a forged id format", () => {
    expect(() => parseEvent({ ...dcsyncDraft, v: 1, id: "not-an-id" })).toThrow(/id/);
  });

  it("names subjects per tenant and kind, and reads the tenant back", () => {
    expect(eventSubject("acme", "kerberos.tgs")).toBe("vigil.events.acme.kerberos.tgs");
    expect(tenantOfSubject("vigil.events.acme.kerberos.tgs")).toBe("acme");
    expect(tenantOfSubject("vigil.alerts.acme")).toBe("acme");
    expect(tenantOfSubject("other.events.acme")).toBeUndefined();
  });
});
