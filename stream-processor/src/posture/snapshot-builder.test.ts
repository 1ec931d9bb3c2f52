import { finalizeEvent, type VigilEvent } from "@vigil/sensor/contract";
import { describe, expect, it } from "vitest";
import { PostureInputError } from "./errors.ts";
import { emptySnapshot, foldEntitySnapshot, pruneTombstones } from "./snapshot-builder.ts";

let record = 0;
interface O {
  time?: string;
  tenant?: string;
  deleted?: boolean;
  attributes?: Record<string, string | number | boolean | string[]>;
}
const snap = (objectId: string, o: O = {}): VigilEvent =>
  finalizeEvent({
    tenantId: o.tenant ?? "acme",
    sensorId: "dc01",
    time: o.time ?? "2026-11-01T00:00:00Z",
    kind: "entity.snapshot",
    entity: {
      objectType: "user",
      objectId,
      dn: `CN=${objectId},DC=acme,DC=local`,
      name: objectId,
      attributes: o.attributes ?? { sAMAccountName: objectId, userAccountControl: 512 },
      deleted: o.deleted ?? false,
    },
    origin: { format: "ldap", recordId: String(++record) },
  });

describe("foldEntitySnapshot", () => {
  it("adds objects and replaces the whole attribute set on a newer version (a cleared attribute disappears)", () => {
    const s = emptySnapshot("acme");
    expect(foldEntitySnapshot(s, snap("u1", { attributes: { servicePrincipalName: ["http/x"], userAccountControl: 512 } }))).toBe(
      "upserted",
    );
    expect(foldEntitySnapshot(s, snap("u1", { time: "2026-11-02T00:00:00Z", attributes: { userAccountControl: 514 } }))).toBe("upserted");
    expect(s.objects.get("u1")?.attributes).toEqual({ userAccountControl: 514 });
    expect(s.syncedAt).toBe("2026-11-02T00:00:00Z");
  });

  it("ignores an older version arriving late and is idempotent on replay", () => {
    const s = emptySnapshot("acme");
    const newer = snap("u1", { time: "2026-11-02T00:00:00Z", attributes: { userAccountControl: 514 } });
    foldEntitySnapshot(s, newer);
    expect(foldEntitySnapshot(s, snap("u1", { attributes: { userAccountControl: 512 } }))).toBe("stale");
    expect(foldEntitySnapshot(s, newer)).toBe("upserted");
    expect(s.objects.get("u1")?.attributes.userAccountControl).toBe(514);
    expect(s.objects.size).toBe(1);
  });

  it("removes deleted objects and keeps a late older version from resurrecting them", () => {
    const s = emptySnapshot("acme");
    foldEntitySnapshot(s, snap("u1"));
    foldEntitySnapshot(s, snap("u2"));
    expect(
      foldEntitySnapshot(s, snap("u1", { time: "2026-11-03T00:00:00Z", deleted: true, attributes: { deletionDetectedBy: "full-sync" } })),
    ).toBe("deleted");
    expect([...s.objects.keys()]).toEqual(["u2"]);
    expect(foldEntitySnapshot(s, snap("u1", { time: "2026-11-02T00:00:00Z" }))).toBe("stale");
    expect(s.objects.has("u1")).toBe(false);
  });

  it("brings an object back when it is reanimated after the deletion", () => {
    const s = emptySnapshot("acme");
    foldEntitySnapshot(s, snap("u1", { time: "2026-11-03T00:00:00Z", deleted: true }));
    expect(foldEntitySnapshot(s, snap("u1", { time: "2026-11-04T00:00:00Z" }))).toBe("upserted");
    expect(s.objects.has("u1")).toBe(true);
    expect(s.tombstones.has("u1")).toBe(false);
  });

  it("rejects another tenant's event and other kinds, changing nothing", () => {
    const s = emptySnapshot("acme");
    foldEntitySnapshot(s, snap("u1"));
    const before = structuredClone(s);
    expect(() => foldEntitySnapshot(s, snap("u9", { tenant: "other" }))).toThrow(
      expect.objectContaining({ code: "POSTURE_TENANT_MISMATCH" }) as unknown as PostureInputError,
    );
    const heartbeat = finalizeEvent({
      tenantId: "acme",
      sensorId: "dc01",
      time: "2026-11-05T00:00:00Z",
      kind: "sensor.heartbeat",
      version: "1",
      counters: {},
      origin: { format: "sensor", recordId: "h1" },
    });
    expect(() => foldEntitySnapshot(s, heartbeat)).toThrow(PostureInputError);
    expect(s).toEqual(before);
  });

  it("prunes tombstones past the AD tombstone lifetime only", () => {
    const s = emptySnapshot("acme");
    foldEntitySnapshot(s, snap("old", { time: "2026-01-01T00:00:00Z", deleted: true }));
    foldEntitySnapshot(s, snap("recent", { time: "2026-11-01T00:00:00Z", deleted: true }));
    expect(pruneTombstones(s, "2026-11-25T00:00:00Z")).toBe(1);
    expect([...s.tombstones.keys()]).toEqual(["recent"]);
  });
});
