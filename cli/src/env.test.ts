import { describe, expect, it } from "vitest";
import { EnvError, parseEnv } from "./env.ts";

function problemsOf(source: Record<string, string>): string[] {
  try {
    parseEnv(source);
  } catch (error) {
    if (error instanceof EnvError) return error.problems;
    throw error;
  }
  return [];
}

describe("parseEnv", () => {
  it("defaults to the embedded adapters when no service is configured", () => {
    const env = parseEnv({});
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.NATS_URL).toBeUndefined();
    expect(env.NEO4J_URI).toBeUndefined();
    expect(env.VIGIL_DATA_DIR).toBe("./.vigil");
    expect(env.VIGIL_API_PORT).toBe(4000);
    expect(Object.isFrozen(env)).toBe(true);
  });

  it("treats blank values as unset", () => {
    expect(parseEnv({ DATABASE_URL: "  ", NATS_URL: "" }).DATABASE_URL).toBeUndefined();
  });

  it("accepts real service URLs", () => {
    const env = parseEnv({
      DATABASE_URL: "postgresql://vigil:vigil@127.0.0.1:5432/vigil",
      NATS_URL: "nats://10.0.0.1:4222, nats://10.0.0.2:4222",
      NEO4J_URI: "neo4j+s://graph.example:7687",
      NEO4J_PASSWORD: "secret-pass",
      VIGIL_API_PORT: "8080",
    });
    expect(env.VIGIL_API_PORT).toBe(8080);
  });

  it("reports every bad variable at once, one line each", () => {
    const problems = problemsOf({
      DATABASE_URL: "mysql://x@y/z",
      NATS_URL: "127.0.0.1:4222",
      VIGIL_API_PORT: "70000",
      LOG_LEVEL: "loud",
    });
    expect(problems).toHaveLength(4);
    expect(problems.find((p) => p.startsWith("DATABASE_URL:"))).toMatch(/postgres or postgresql/);
    expect(problems.find((p) => p.startsWith("NATS_URL:"))).toMatch(/nats:\/\//);
    expect(problems.some((p) => p.startsWith("VIGIL_API_PORT:"))).toBe(true);
    expect(problems.some((p) => p.startsWith("LOG_LEVEL:"))).toBe(true);
  });

  it("rejects a malformed DATABASE_URL without echoing its password", () => {
    const problems = problemsOf({ DATABASE_URL: "postgresql://vigil:hunter2@" });
    expect(problems).toHaveLength(1);
    expect(problems[0]).not.toContain("hunter2");
  });

  it("requires a Neo4j password when Neo4j is configured", () => {
    expect(problemsOf({ NEO4J_URI: "bolt://127.0.0.1:7687" })).toEqual(["NEO4J_PASSWORD: required when NEO4J_URI is set"]);
  });
});
