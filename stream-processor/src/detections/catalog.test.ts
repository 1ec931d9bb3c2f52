import { existsSync, readFileSync } from "node:fs";
import { EVENT_KINDS } from "@vigil/sensor/contract";
import { describe, expect, it } from "vitest";
import type { Detection } from "../engine/detection.ts";
import { allDetections } from "./index.ts";

// The catalog lives beside the repository: <repo>/../shared/DETECTIONS.md.
const here = new URL(".", import.meta.url);
const catalogUrl = new URL("../../../../shared/DETECTIONS.md", here);
const catalog = readFileSync(catalogUrl, "utf8");

/** Catalog rows: `| \`id\` | MDI | sev | src | fires on |`. */
const rows = new Map(
  [...catalog.matchAll(/^\|\s*`([a-z0-9-]+)`\s*\|[^|]*\|\s*(\w+)\s*\|\s*([ENLR ]+)\s*\|/gm)].map((m) => [
    m[1]!,
    { severity: m[2]!, sources: m[3]!.trim().split(/\s+/) },
  ]),
);

describe("detection catalog", () => {
  it("reads the catalog", () => {
    expect(rows.size).toBeGreaterThan(30);
  });

  it("implements every catalog id whose sources include Windows events (E), exactly once", () => {
    const windowsIds = [...rows].filter(([, r]) => r.sources.includes("E")).map(([id]) => id);
    const shipped = allDetections.map((d) => d.id);
    for (const id of windowsIds)
      expect(
        shipped.filter((s) => s === id),
        `${id} has no detection`,
      ).toHaveLength(1);
  });

  it("implements every catalog id whose sources include RADIUS accounting (R), exactly once", () => {
    const radiusIds = [...rows].filter(([, r]) => r.sources.includes("R")).map(([id]) => id);
    expect(radiusIds.length).toBeGreaterThan(0);
    for (const id of radiusIds)
      expect(
        allDetections.filter((d) => d.id === id),
        `${id} has no detection`,
      ).toHaveLength(1);
  });

  it("implements every catalog id whose sources include the network (N), exactly once", () => {
    const networkIds = [...rows].filter(([, r]) => r.sources.includes("N")).map(([id]) => id);
    expect(networkIds).toEqual(expect.arrayContaining(["dns-zone-transfer", "skeleton-key", "ldap-recon"]));
    for (const id of networkIds)
      expect(
        allDetections.filter((d) => d.id === id),
        `${id} has no detection`,
      ).toHaveLength(1);
  });

  it("has unique ids", () => {
    const ids = allDetections.map((d) => d.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  describe.each(allDetections.map((d) => [d.id, d] as [string, Detection]))("%s", (id, d) => {
    it("is listed in DETECTIONS.md with the same severity and sources", () => {
      const row = rows.get(id);
      expect(row, `${id} missing from DETECTIONS.md`).toBeDefined();
      expect(d.severity).toBe(row!.severity);
      expect([...d.sources].sort()).toEqual([...row!.sources].sort());
    });

    it("has complete metadata", () => {
      expect(d.title.length).toBeGreaterThan(5);
      expect(d.description.length).toBeGreaterThan(20);
      expect(d.mitre.length).toBeGreaterThan(0);
      for (const t of d.mitre) expect(t).toMatch(/^T\d{4}(\.\d{3})?$/);
      expect(d.kinds.length).toBeGreaterThan(0);
      for (const k of d.kinds) expect(EVENT_KINDS).toContain(k);
      expect(d.windowMs).toBeGreaterThan(0);
      expect(d.learningPeriodDays).toBeGreaterThanOrEqual(0);
      expect(d.recommendedActions.length).toBeGreaterThan(0);
    });

    it("lives in <id>.ts with a test beside it", async () => {
      expect(existsSync(new URL(`${id}.ts`, here))).toBe(true);
      expect(existsSync(new URL(`${id}.test.ts`, here))).toBe(true);
      const module = (await import(new URL(`${id}.ts`, here).href)) as Record<string, unknown>;
      expect(Object.values(module)).toContain(d);
    });
  });
});
