/**
 * Port types ↔ Neo4j values. Neo4j properties cannot hold nested maps, so a node's free `properties`
 * are flattened into node properties named "p.<key>"; the prefix keeps a caller's property from ever
 * overwriting tenantId, objectId or kind through `SET x += props`.
 */
import neo4j from "neo4j-driver";
import type { NormalEdge, NormalNode } from "../normalize.ts";
import type { GraphEdge, GraphNode, NodeKind, EdgeKind, PropertyValue } from "../schema.ts";

const PROP_PREFIX = "p.";

/** Row shape for cypher/nodes/upsert.cypher; null means "keep the stored value". */
export function nodeParam(n: NormalNode): Record<string, unknown> {
  const props: Record<string, PropertyValue | null> = {};
  for (const [k, v] of Object.entries(n.properties)) props[PROP_PREFIX + k] = v;
  return {
    objectId: n.objectId,
    name: n.name ?? null,
    domain: n.domain ?? null,
    sensitive: n.sensitive ?? null,
    honeytoken: n.honeytoken ?? null,
    enabled: n.enabled ?? null,
    props,
  };
}

/** Row shape for cypher/edges/upsert.cypher; `i` ties result rows back to the batch. */
export function edgeParam(e: NormalEdge, i: number): Record<string, unknown> {
  return { i, from: e.from, to: e.to, source: e.source, firstSeen: cypherInt(e.firstSeen), lastSeen: cypherInt(e.lastSeen) };
}

/** JS numbers travel as Cypher floats; timestamps and LIMITs must be integers. */
export function cypherInt(ms: number): ReturnType<typeof neo4j.int> {
  return neo4j.int(ms);
}

export function toGraphNode(props: Record<string, unknown>): GraphNode {
  const properties: Record<string, PropertyValue> = {};
  for (const [k, v] of Object.entries(props)) if (k.startsWith(PROP_PREFIX)) properties[k.slice(PROP_PREFIX.length)] = v as PropertyValue;
  return {
    tenantId: String(props.tenantId),
    kind: props.kind as NodeKind,
    objectId: String(props.objectId),
    name: String(props.name ?? ""),
    domain: String(props.domain ?? ""),
    sensitive: props.sensitive === true,
    honeytoken: props.honeytoken === true,
    enabled: props.enabled !== false,
    properties,
  };
}

export function toGraphEdge(row: Record<string, unknown>): GraphEdge {
  return {
    kind: row.kind as EdgeKind,
    from: String(row.from),
    to: String(row.to),
    source: String(row.source),
    firstSeen: new Date(Number(row.firstSeen)),
    lastSeen: new Date(Number(row.lastSeen)),
  };
}
