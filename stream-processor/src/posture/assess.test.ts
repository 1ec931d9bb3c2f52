// The whole catalog: a hardened domain with full inputs passes everything, an empty one is unknown
// everywhere (never passed), the meta checks hold, and the score follows docs/posture.md.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { assessPosture } from "./assess.ts";
import type { PostureAssessment } from "./assessment.ts";
import { POSTURE_ASSESSMENTS } from "./catalog.ts";
import { DOMAIN_SID, domainObject, NOW, snapshot, traffic, user } from "./test-fixtures.ts";

const here = import.meta.dirname;
const hardened = () =>
  snapshot([], {
    domainPolicy: { ldapServerIntegrity: 2 },
    acls: { adminSdHolder: [{ trusteeSid: "S-1-5-18", type: "allow", rights: ["GenericAll"] }], domainRoot: [] },
  });
const fullTraffic = (lmpExposure: Record<string, number> = {}) => traffic({ lmpExposure });

describe("posture catalog", () => {
  it("has unique ids, complete metadata, a file, a test and a docs entry per assessment", () => {
    const docs = readFileSync(join(here, "../../../docs/posture.md"), "utf8");
    const files = new Set(readdirSync(here));
    expect(new Set(POSTURE_ASSESSMENTS.map((a) => a.id)).size).toBe(POSTURE_ASSESSMENTS.length);
    for (const a of POSTURE_ASSESSMENTS) {
      expect(a.title && a.remediation && a.source.startsWith("MDI:")).toBeTruthy();
      expect(a.points.base).toBeGreaterThan(0);
      expect(a.points.max).toBeGreaterThanOrEqual(a.points.base);
      expect(docs, `docs/posture.md lists ${a.id}`).toContain(`\`${a.id}\``);
      const source = files.has(`${a.id}.ts`) ? readFileSync(join(here, `${a.id}.ts`), "utf8") : "";
      expect(source, `${a.id}.ts exists with a doc comment`).toMatch(/^\/\*\*/);
      expect(files.has(`${a.id}.test.ts`), `${a.id}.test.ts exists`).toBe(true);
    }
  });

  it("passes every assessment on a hardened domain with all inputs", () => {
    const r = assessPosture(hardened(), fullTraffic(), { now: NOW });
    expect(r.assessments.filter((a) => a.status !== "passed").map((a) => `${a.id}: ${a.status} ${a.note ?? ""}`)).toEqual([]);
    expect(r.score).toMatchObject({ score: 0, complete: true, unknown: [] });
  });

  it("claims nothing on an empty snapshot: every assessment is unknown with a reason", () => {
    const r = assessPosture({ tenantId: "acme", objects: new Map(), tombstones: new Map() }, undefined, { now: NOW });
    expect(r.assessments.every((a) => a.status === "unknown" && !!a.note)).toBe(true);
    expect(r.score.complete).toBe(false);
    expect(r.score.unknown).toHaveLength(POSTURE_ASSESSMENTS.length);
  });

  it("turns a throwing assessment into unknown and still runs the rest", () => {
    const broken: PostureAssessment = {
      ...POSTURE_ASSESSMENTS[0]!,
      id: "broken",
      evaluate: () => {
        throw new Error("boom");
      },
    };
    const r = assessPosture(hardened(), fullTraffic(), { now: NOW, assessments: [broken, ...POSTURE_ASSESSMENTS] });
    expect(r.assessments[0]).toMatchObject({ id: "broken", status: "unknown", note: "assessment failed: boom" });
    expect(r.assessments.slice(1).every((a) => a.status === "passed")).toBe(true);
  });

  it("rejects an unreadable now", () => {
    expect(() => assessPosture(hardened(), undefined, { now: "yesterday" })).toThrow(/not a time/);
  });
});

describe("posture score", () => {
  it("adds base + per-entity points capped per assessment, caps categories at 100 and reports the worst", () => {
    const asrep = (i: number) => user(`roast${i}`, 2000 + i, { userAccountControl: 0x200 | 0x400000 });
    const s = hardened();
    for (const u of [...Array.from({ length: 10 }, (_, i) => asrep(i)), domainObject({ "ms-DS-MachineAccountQuota": 10 })])
      s.objects.set(u.objectId, u);
    const r = assessPosture(s, fullTraffic(), { now: NOW });
    // unsecure-account-attributes: 15 + 3×9 = 42 → capped at 40; unsecure-domain-configuration: 10.
    expect(r.score.categories.anomalies).toBe(50);
    expect(r.score.categories.kerberos).toBe(0);
    expect(r.score.score).toBe(50);
  });

  it("saturates a category at 100", () => {
    const s = hardened();
    s.acls!.domainRoot = Array.from({ length: 5 }, (_, i) => ({
      trusteeSid: `${DOMAIN_SID}-${3000 + i}`,
      type: "allow" as const,
      rights: ["GenericAll"],
    }));
    s.acls!.adminSdHolder = [{ trusteeSid: "S-1-5-11", type: "allow", rights: ["GenericAll"] }];
    const r = assessPosture(s, fullTraffic(lmp()), { now: NOW });
    // dcsync 60 + adminsdholder 30 + lmp 15 → 105 → 100.
    expect(r.score.categories["privileged-accounts"]).toBe(100);
    expect(r.score.score).toBe(100);
  });
});

function lmp() {
  return { [`${DOMAIN_SID}-500`]: 4 };
}
