import { describe, expect, it } from "vitest";
import { testServices } from "../../test-support/services.ts";
import { identityGraphContract } from "./identity-graph.contract.ts";
import { createNeo4jGraph } from "./neo4j/adapter.ts";

identityGraphContract("neo4j", () => createNeo4jGraph(testServices.neo4j));

describe("neo4j adapter against a live server", () => {
  it("maps a wrong password to GRAPH_AUTH_FAILED", async () => {
    const g = createNeo4jGraph({ ...testServices.neo4j, password: "wrong-password" });
    await expect(g.counts("t")).rejects.toMatchObject({ code: "GRAPH_AUTH_FAILED" });
    await g.close();
  });
});
