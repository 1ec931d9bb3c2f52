/**
 * Lint over cypher/: every statement is tenant-scoped, documented, parameterized, known to the loader,
 * and names only labels/types that schema.ts declares. EXPLAIN against a real server is in
 * cypher.int.test.ts.
 */
import { describe, expect, it } from "vitest";
import { BASE_LABEL, DERIVED_LABELS, EDGE_KINDS, NODE_KINDS } from "./schema.ts";
import { STATEMENTS, TEMPLATE_DOMAINS, TENANTLESS_AREA, loadCypherDir, render } from "./neo4j/cypher.ts";
import { schemaStatements } from "./neo4j/schema-statements.ts";

const files = [...loadCypherDir().values()];
const known = new Set<string>([BASE_LABEL, ...NODE_KINDS, ...EDGE_KINDS, ...DERIVED_LABELS]);

describe("cypher/ files", () => {
  it("match the loader's statement list exactly", () => {
    expect(files.map((f) => f.name).sort()).toEqual([...STATEMENTS].sort());
  });

  it.each(files.map((f) => [f.name, f] as const))("%s filters on $tenantId (schema/ DDL exempt)", (name, f) => {
    if (name.startsWith(TENANTLESS_AREA)) expect(f.body).not.toMatch(/\$\w/);
    else expect(f.body).toMatch(/\$tenantId\b/);
  });

  it.each(files.map((f) => [f.name, f] as const))("%s has a purpose and lists exactly the params it uses", (_name, f) => {
    expect(f.purpose.length).toBeGreaterThan(20);
    const used = [...new Set([...f.body.matchAll(/\$(\w+)/g)].map((m) => m[1]!))].sort();
    expect([...new Set(f.params)].sort()).toEqual(used);
  });

  it.each(files.map((f) => [f.name, f] as const))("%s uses only whitelisted placeholders and schema labels/types", (_name, f) => {
    for (const p of f.placeholders) expect(Object.keys(TEMPLATE_DOMAINS)).toContain(p);
    const withoutStrings = f.body.replace(/'[^']*'/g, "''");
    const named = [...withoutStrings.matchAll(/[:|]\s*([A-Z][A-Za-z_]*)\b/g)].map((m) => m[1]!);
    for (const n of named) expect(known, `${n} is not declared in schema.ts`).toContain(n);
  });

  it("refuses placeholder values outside the schema whitelists", () => {
    expect(() => render("nodes/upsert", { label: "User) DETACH DELETE (n" })).toThrow(/whitelist/);
    expect(() => render("edges/upsert", { relType: "User" })).toThrow(/whitelist/);
    expect(() => render("paths/shortest", { maxHops: 13 })).toThrow(/whitelist/);
    expect(() => render("paths/shortest")).toThrow(/whitelist/);
    expect(render("paths/shortest", { maxHops: 3 })).toContain("*1..3]");
  });

  it("derives key constraints, the tenant index and expiry indexes from schema.ts", () => {
    const ddl = schemaStatements().map((s) => s.cypher);
    for (const label of [BASE_LABEL, ...NODE_KINDS]) {
      expect(ddl.some((c) => c.includes(`FOR (n:${label}) REQUIRE (n.tenantId, n.objectId) IS UNIQUE`))).toBe(true);
    }
    expect(ddl.some((c) => c.includes(`FOR (n:${BASE_LABEL}) ON (n.tenantId)`))).toBe(true);
    expect(ddl.some((c) => c.includes("FOR ()-[r:HAS_SESSION]-() ON (r.tenantId, r.lastSeen)"))).toBe(true);
  });
});
