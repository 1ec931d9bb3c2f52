/**
 * Loader for `cypher/<area>/<name>.cypher`. Statements are data: each file holds one statement under a
 * `//` header (purpose, `// params:`, optionally `// template:`). Labels, relationship types and
 * variable-length bounds cannot be Cypher parameters, so files may hold `{{label}}`, `{{relType}}` or
 * `{{maxHops}}` placeholders; `render` fills them only with values from the whitelists below, all
 * derived from schema.ts, and never with caller input.
 */
import { readFileSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join, relative, sep } from "node:path";
import { GraphError } from "../errors.ts";
import { BASE_LABEL, EDGE_KINDS, MAX_PATH_HOPS, NODE_KINDS } from "../schema.ts";

/** Every statement the Neo4j adapter runs; a unit test keeps this list and the cypher/ tree equal. */
export const STATEMENTS = [
  "schema/node-key-constraint",
  "schema/tenant-index",
  "schema/expiry-index",
  "schema/derived-key-constraint",
  "nodes/upsert",
  "nodes/get",
  "nodes/count-by-kind",
  "edges/upsert",
  "edges/count-by-kind",
  "edges/neighbours-out",
  "edges/neighbours-in",
  "edges/neighbours-both",
  "paths/shortest",
  "sessions/remove-expired",
  "edges/remove",
  "lmp/sensitive-accounts",
  "lmp/honeytokens",
  "lmp/mark-sensitive",
  "lmp/clear",
  "lmp/compute-target",
  "lmp/affected-targets",
  "lmp/state-get",
  "lmp/state-set",
  "lmp/exposure",
  "lmp/paths",
  "lmp/exposure-views",
  "lmp/openings-add",
  "lmp/openings-list",
  "lmp/openings-ack",
  "lmp/openings-trim",
  "aliases/resolve",
  "aliases/claim",
  "nodes/merge-edges",
  "nodes/delete-merged",
] as const;
/** Name of a cypher file, relative to cypher/ without extension. */
export type StatementName = (typeof STATEMENTS)[number];

/** Allowed values per placeholder. */
export const TEMPLATE_DOMAINS: Readonly<Record<string, readonly string[]>> = {
  label: [BASE_LABEL, ...NODE_KINDS],
  relType: EDGE_KINDS,
  maxHops: Array.from({ length: MAX_PATH_HOPS }, (_, i) => String(i + 1)),
  /** Bookkeeping labels keyed by (tenantId, objectId); LmpState has one node per tenant and no key. */
  derivedLabel: ["LmpExposure", "EntityAlias", "LmpOpening"],
};

/** Statements exempt from the `$tenantId` rule: DDL has no tenant (see cypher/schema/). */
export const TENANTLESS_AREA = "schema/";

/** A parsed cypher file. */
export interface CypherFile {
  name: string;
  file: string;
  purpose: string;
  params: string[];
  placeholders: string[];
  /** Statement text without the header. */
  body: string;
}

/** `cypher/` at the repository root, found from this file so any cwd works. */
export const DEFAULT_CYPHER_DIR = fileURLToPath(new URL("../../../cypher/", import.meta.url));

const PLACEHOLDER = /\{\{(\w+)\}\}/g;
const cache = new Map<string, Map<string, CypherFile>>();

/** Parses every `.cypher` file under `dir` (cached per dir). */
export function loadCypherDir(dir: string = DEFAULT_CYPHER_DIR): Map<string, CypherFile> {
  const hit = cache.get(dir);
  if (hit) return hit;
  const files = new Map<string, CypherFile>();
  for (const entry of readdirSync(dir, { recursive: true, encoding: "utf8" })) {
    if (!entry.endsWith(".cypher")) continue;
    const file = join(dir, entry);
    const name = relative(dir, file)
      .split(sep)
      .join("/")
      .replace(/\.cypher$/, "");
    files.set(name, parseCypher(name, file, readFileSync(file, "utf8")));
  }
  cache.set(dir, files);
  return files;
}

/** Splits header from body; exported for the lint test. */
export function parseCypher(name: string, file: string, text: string): CypherFile {
  const lines = text.split("\n");
  const header: string[] = [];
  while (lines.length && lines[0]!.trimStart().startsWith("//")) header.push(lines.shift()!.replace(/^\s*\/\/\s?/, ""));
  const body = lines.join("\n").trim();
  const paramsLine = header.find((l) => l.startsWith("params:"));
  return {
    name,
    file,
    purpose: header
      .filter((l) => !/^(params|template):/.test(l))
      .join(" ")
      .trim(),
    params: paramsLine ? [...paramsLine.matchAll(/\$(\w+)/g)].map((m) => m[1]!) : [],
    placeholders: [...new Set([...body.matchAll(PLACEHOLDER)].map((m) => m[1]!))],
    body,
  };
}

/** The statement text with placeholders filled from their whitelists. */
export function render(name: StatementName, vars: Readonly<Record<string, string | number>> = {}, dir?: string): string {
  const file = loadCypherDir(dir).get(name);
  if (!file) throw new GraphError("GRAPH_QUERY_FAILED", `cypher file ${name}.cypher not found in ${dir ?? DEFAULT_CYPHER_DIR}`);
  return file.body.replace(PLACEHOLDER, (_, key: string) => {
    const value = vars[key];
    const allowed = TEMPLATE_DOMAINS[key];
    if (value === undefined || !allowed?.includes(String(value))) {
      throw new GraphError("GRAPH_QUERY_FAILED", `${name}.cypher: {{${key}}} = ${JSON.stringify(value)} is not in its schema whitelist`);
    }
    return String(value);
  });
}
