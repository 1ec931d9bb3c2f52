/**
 * Name-key aliases on Neo4j (graph-model/src/aliases.ts): one (:EntityAlias {tenantId, objectId: alias,
 * target}) node per alias, looked up only for ids that are name keys, so writes keyed by SID pay no
 * extra round trip. A merge runs in one transaction: claim, move the edges of every kind, delete the
 * name-keyed node, fill the absorbing node's gaps from it.
 */
import { EDGE_KINDS, type EdgeKind, type GraphEdge, type NodeKind } from "../schema.ts";
import { nameKeysOf, type AliasLookup } from "../redirect.ts";
import type { Connection } from "./connection.ts";
import type { StatementName } from "./cypher.ts";
import { nodeParam, toGraphEdge, toGraphNode } from "./mapping.ts";

type Render = (name: StatementName, vars?: Record<string, string | number>) => string;

/** What one merge did. */
export interface Neo4jMerge {
  alias: string;
  into: string;
  /** The moved edges as stored after the move. */
  moved: GraphEdge[];
  /** Whether the merged node carried a sensitive or honeytoken tag (sensitivity may change). */
  tagged: boolean;
}

/** Resolves the name keys among `ids` through the tenant's stored aliases. */
export async function storedAliases(conn: Connection, cypher: Render, tenantId: string, ids: Iterable<string>): Promise<AliasLookup> {
  const keys = nameKeysOf(ids);
  if (keys.length === 0) return () => undefined;
  const rows = await conn.read("aliases/resolve", cypher("aliases/resolve"), { tenantId, ids: keys });
  const map = new Map(rows.map((r) => [String(r.alias), String(r.target)]));
  return (id) => map.get(id);
}

/**
 * Records the claims, then merges each claimed name-keyed node that exists with the claimant's kind.
 * `kinds` gives each claimant's kind (they were just written).
 */
export async function claimAndMerge(
  conn: Connection,
  cypher: Render,
  tenantId: string,
  claims: ReadonlyMap<string, string>,
  kinds: ReadonlyMap<string, NodeKind>,
): Promise<Neo4jMerge[]> {
  if (claims.size === 0) return [];
  return conn.writeTx("aliases/claim", async (tx) => {
    const merges: Neo4jMerge[] = [];
    await tx.run(cypher("aliases/claim"), { tenantId, claims: [...claims].map(([alias, target]) => ({ alias, target })) });
    for (const [alias, into] of claims) {
      const found = await tx.run(cypher("nodes/get"), { tenantId, objectId: alias, kind: kinds.get(into) ?? null });
      if (found.records.length === 0) continue;
      const moved: GraphEdge[] = [];
      for (const relType of EDGE_KINDS) {
        const result = await tx.run(cypher("nodes/merge-edges", { relType }), { tenantId, alias, into });
        for (const r of result.records) moved.push(toGraphEdge({ kind: relType as EdgeKind, ...r.toObject() }));
      }
      const gone = await tx.run(cypher("nodes/delete-merged"), { tenantId, alias });
      const merged = toGraphNode(gone.records[0]!.get("node") as Record<string, unknown>);
      const keptRow = await tx.run(cypher("nodes/get"), { tenantId, objectId: into, kind: null });
      const kept = toGraphNode(keptRow.records[0]!.get("node") as Record<string, unknown>);
      const fill = Object.fromEntries(Object.entries(merged.properties).filter(([k]) => !(k in kept.properties)));
      await tx.run(cypher("nodes/upsert", { label: kept.kind }), {
        tenantId,
        kind: kept.kind,
        nodes: [
          nodeParam({
            kind: kept.kind,
            objectId: into,
            name: kept.name || merged.name,
            domain: kept.domain || merged.domain,
            sensitive: kept.sensitive || merged.sensitive,
            honeytoken: kept.honeytoken || merged.honeytoken,
            properties: fill,
            aliases: [],
          }),
        ],
      });
      merges.push({ alias, into, moved, tagged: merged.sensitive || merged.honeytoken });
    }
    return merges;
  });
}
