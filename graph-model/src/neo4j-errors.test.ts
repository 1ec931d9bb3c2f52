import { describe, expect, it } from "vitest";
import { createNeo4jGraph } from "./neo4j/adapter.ts";
import { hostPort } from "./neo4j/connection.ts";

// No server needed: nothing listens on port 1, so the driver's connect fails at once.
describe("neo4j adapter without a server", () => {
  it("fails fast with GRAPH_UNREACHABLE naming host:port", async () => {
    const g = createNeo4jGraph({ uri: "bolt://127.0.0.1:1", user: "neo4j", password: "x", maxTransactionRetryTimeMs: 1000 });
    const started = Date.now();
    await expect(g.counts("t")).rejects.toMatchObject({ code: "GRAPH_UNREACHABLE", message: expect.stringContaining("127.0.0.1:1") });
    await expect(g.upsertNodes("t", [{ kind: "User", objectId: "S-1" }])).rejects.toMatchObject({ code: "GRAPH_UNREACHABLE" });
    expect(Date.now() - started).toBeLessThan(3000);
    expect(await g.health()).toMatchObject({ ok: false, adapter: "neo4j", target: "127.0.0.1:1" });
    await g.close();
  });

  it("names host:port with the default Bolt port when the URI has none", () => {
    expect(hostPort("neo4j://graph.internal")).toBe("graph.internal:7687");
    expect(hostPort("bolt://127.0.0.1:7687")).toBe("127.0.0.1:7687");
    expect(() => hostPort("not a uri")).toThrow(/invalid Neo4j URI/);
  });
});
