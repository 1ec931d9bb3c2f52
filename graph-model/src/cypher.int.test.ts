/**
 * EXPLAIN every cypher/ statement, in every whitelisted template instantiation, against a real Neo4j:
 * catches syntax errors, unknown functions and planner rejections without touching data.
 */
import neo4j, { type Driver } from "neo4j-driver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testServices } from "../../test-support/services.ts";
import { createNeo4jGraph } from "./neo4j/adapter.ts";
import { TEMPLATE_DOMAINS, loadCypherDir, render, type StatementName } from "./neo4j/cypher.ts";

/** Every combination of placeholder values (maxHops: only its bounds, the text is otherwise identical). */
function variants(placeholders: string[]): Record<string, string>[] {
  return placeholders.reduce<Record<string, string>[]>(
    (acc, p) => {
      const all = TEMPLATE_DOMAINS[p]!;
      const values = p === "maxHops" ? [all[0]!, all[all.length - 1]!] : all;
      return acc.flatMap((vars) => values.map((v) => ({ ...vars, [p]: v })));
    },
    [{}],
  );
}

const cases = [...loadCypherDir().values()].flatMap((f) =>
  variants(f.placeholders).map((vars) => [`${f.name} ${JSON.stringify(vars)}`, f.name as StatementName, vars] as const),
);

describe("cypher/ statements EXPLAIN on Neo4j", () => {
  let driver: Driver;
  beforeAll(async () => {
    // Index hints (sessions/remove-expired) only plan once the derived schema exists.
    const graph = createNeo4jGraph(testServices.neo4j);
    await graph.ensureSchema();
    await graph.close();
    const { uri, user, password } = testServices.neo4j;
    driver = neo4j.driver(uri, neo4j.auth.basic(user, password), { maxTransactionRetryTime: 2000 });
  });
  afterAll(async () => driver?.close());

  it.each(cases)("%s", async (_label, name, vars) => {
    const { summary } = await driver.executeQuery(`EXPLAIN ${render(name, vars)}`, {}, { database: "neo4j" });
    expect(summary.plan).toBeTruthy();
  });
});
