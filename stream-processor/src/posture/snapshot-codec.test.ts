import { describe, expect, it } from "vitest";
import { PostureInputError } from "./errors.ts";
import { decodeSnapshot, encodeSnapshot } from "./snapshot-codec.ts";
import { snapshot, user } from "./test-fixtures.ts";

describe("snapshot codec", () => {
  it("round-trips through JSON text", () => {
    const s = snapshot([user("bob", 1100)], {
      acls: { domainRoot: [{ trusteeSid: "S-1-5-9", type: "allow", rights: ["ExtendedRight"], objectType: "x" }] },
      domainPolicy: { ldapServerIntegrity: 2 },
    });
    s.tombstones.set("gone", "2026-11-01T00:00:00.000Z");
    expect(decodeSnapshot(JSON.parse(JSON.stringify(encodeSnapshot(s))))).toEqual(s);
  });

  it("skips and reports each unreadable object, keeping the others", () => {
    const json = JSON.parse(JSON.stringify(encodeSnapshot(snapshot([user("bob", 1100)])))) as { objects: unknown[] };
    const good = json.objects.length;
    json.objects.push(null, { objectId: "x", objectType: "printer", time: "2026-01-01T00:00:00Z", attributes: {} });
    json.objects.push({ objectId: "y", objectType: "user", time: "2026-01-01T00:00:00Z", attributes: { a: { nested: true } } });
    const problems: { index: number; reason: string }[] = [];
    const s = decodeSnapshot(json, (p) => void problems.push(p));
    expect(s.objects.size).toBe(good);
    expect(problems).toEqual([
      { index: good, reason: "not an object" },
      { index: good + 1, reason: 'objectType "printer" is unknown' },
      { index: good + 2, reason: "attribute a has an unsupported value" },
    ]);
  });

  it("rejects a document that is not a snapshot", () => {
    for (const bad of [null, [], { v: 2, tenantId: "acme", objects: [] }, { v: 1, objects: [] }, { v: 1, tenantId: "acme" }])
      expect(() => decodeSnapshot(bad)).toThrow(PostureInputError);
  });
});
