/**
 * Neo4j DDL derived from schema.ts: a (tenantId, objectId) uniqueness constraint for the base label and
 * for every node kind, a tenantId index on the base label, and a (tenantId, lastSeen) relationship
 * index for every edge kind that expires. The statement text lives once, as
 * templates in cypher/schema/; the label list comes only from schema.ts, so a new kind gets its
 * constraint with no other change.
 */
import { BASE_LABEL, EDGE_KINDS, EDGE_SCHEMA, NODE_KINDS } from "../schema.ts";
import { TEMPLATE_DOMAINS, render } from "./cypher.ts";

/** One DDL statement with a name for error messages. */
export interface SchemaStatement {
  name: string;
  cypher: string;
}

export function schemaStatements(cypherDir?: string): SchemaStatement[] {
  const labels = [BASE_LABEL, ...NODE_KINDS];
  return [
    ...labels.map((label) => ({
      name: `schema/node-key-constraint(${label})`,
      cypher: render("schema/node-key-constraint", { label }, cypherDir),
    })),
    { name: `schema/tenant-index(${BASE_LABEL})`, cypher: render("schema/tenant-index", { label: BASE_LABEL }, cypherDir) },
    ...EDGE_KINDS.filter((kind) => EDGE_SCHEMA[kind].expires).map((relType) => ({
      name: `schema/expiry-index(${relType})`,
      cypher: render("schema/expiry-index", { relType }, cypherDir),
    })),
    ...TEMPLATE_DOMAINS.derivedLabel!.map((derivedLabel) => ({
      name: `schema/derived-key-constraint(${derivedLabel})`,
      cypher: render("schema/derived-key-constraint", { derivedLabel }, cypherDir),
    })),
  ];
}
