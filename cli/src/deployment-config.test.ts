import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { envSchema, parseEnv } from "./env.ts";

const root = new URL("../../", import.meta.url);
const read = (file: string) => readFileSync(new URL(file, root), "utf8");

function parseDotenv(text: string): Record<string, string> {
  const entries = text
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"))
    .map((line) => {
      const eq = line.indexOf("=");
      return [line.slice(0, eq), line.slice(eq + 1)] as const;
    });
  return Object.fromEntries(entries);
}

/** Compose substitutes `${NAME:-default}` from the shell; with nothing exported the default applies. */
const withDefaults = (value: unknown) => String(value).replace(/\$\{[A-Z_]+:-([^}]*)\}/g, "$1");

interface ComposeService {
  command?: string[];
  environment?: Record<string, unknown>;
}
const compose = parseYaml(read("docker-compose.yml"), { merge: true }) as { services: Record<string, ComposeService> };
const vigilRoles = ["processor", "api", "sensor"] as const;

describe(".env.example and docker-compose.yml agree with the env schema", () => {
  const example = parseDotenv(read(".env.example"));
  const schemaKeys = Object.keys(envSchema.shape).sort();

  it(".env.example lists exactly the variables Vigil reads", () => {
    expect(Object.keys(example).sort()).toEqual(schemaKeys);
  });

  it(".env.example is itself a valid configuration", () => {
    expect(() => parseEnv(example)).not.toThrow();
  });

  it.each(vigilRoles)("the %s role gets only known variables, and a valid set", (role) => {
    const service = compose.services[role];
    expect(service, `service ${role}`).toBeDefined();
    const env = Object.fromEntries(Object.entries(service?.environment ?? {}).map(([k, v]) => [k, withDefaults(v)]));
    for (const key of Object.keys(env)) expect(schemaKeys).toContain(key);
    expect(() => parseEnv(env)).not.toThrow();
    expect(service?.command?.[0]).toBe(role);
  });

  it("service URLs point at services the file defines, on their ports", () => {
    const env = compose.services.processor?.environment ?? {};
    const hostPort = (url: string) => {
      const u = new URL(withDefaults(url));
      return `${u.hostname}:${u.port}`;
    };
    expect(hostPort(String(env.DATABASE_URL))).toBe("postgres:5432");
    expect(hostPort(String(env.NATS_URL))).toBe("nats:4222");
    expect(hostPort(String(env.NEO4J_URI))).toBe("neo4j:7687");
    for (const name of ["postgres", "nats", "neo4j"]) expect(compose.services[name]).toBeDefined();
    const neo4jAuth = withDefaults(compose.services.neo4j?.environment?.NEO4J_AUTH);
    expect(neo4jAuth).toBe(`${withDefaults(env.NEO4J_USER)}/${withDefaults(env.NEO4J_PASSWORD)}`);
  });

  it("the compose PostgreSQL role is not a superuser (row-level security must apply)", () => {
    expect(read("scripts/postgres/init.sql")).toMatch(/CREATE ROLE vigil[^;]*NOSUPERUSER NOBYPASSRLS/);
  });
});
