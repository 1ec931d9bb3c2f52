/**
 * Merging a name-keyed node into the SID node that claims its name (aliases.ts) in the embedded
 * graph: edges move over and fold into existing ones, properties fill gaps, tags carry over, then the
 * name-keyed node is deleted and its key recorded as an alias.
 */
import type { AliasLookup } from "../redirect.ts";
import { edgeKey, type NormalEdge } from "../normalize.ts";
import { upsertEdge, type NodeAttrs, type TenantGraph } from "./tenant-graph.ts";

/** Stored aliases of a tenant graph. */
export function aliasLookup(g: TenantGraph): AliasLookup {
  const aliases = g.getAttribute("aliases");
  return (id) => aliases?.[id];
}

/** Records (or re-points) an alias. */
export function setAlias(g: TenantGraph, alias: string, objectId: string): void {
  // In place: copying the map per alias made a bulk import quadratic (20k computers took minutes).
  const aliases = g.getAttribute("aliases");
  if (aliases) aliases[alias] = objectId;
  else g.setAttribute("aliases", { [alias]: objectId });
}

/** What a merge did: the edges now at `into` in place of the merged node's, and the merged node. */
export interface MergeResult {
  moved: NormalEdge[];
  merged: NodeAttrs;
}

/**
 * Merges node `alias` into node `into` (both must exist, with the same kind). Edges between the two
 * disappear (a machine has no session on itself).
 */
export function mergeInto(g: TenantGraph, alias: string, into: string): MergeResult {
  const merged = g.getNodeAttributes(alias);
  const moved: NormalEdge[] = [];
  for (const key of g.edges(alias)) {
    const a = g.getEdgeAttributes(key);
    const from = g.source(key) === alias ? into : g.source(key);
    const to = g.target(key) === alias ? into : g.target(key);
    g.dropEdge(key);
    if (from === to) continue;
    const e: NormalEdge = { kind: a.kind, from, to, source: a.source, firstSeen: a.firstSeen, lastSeen: a.lastSeen, inputs: [] };
    upsertEdge(g, e);
    const stored = g.getEdgeAttributes(edgeKey(e.kind, from, to));
    moved.push({ ...e, source: stored.source, firstSeen: stored.firstSeen, lastSeen: stored.lastSeen });
  }
  const kept = g.getNodeAttributes(into);
  g.replaceNodeAttributes(into, {
    ...kept,
    name: kept.name || merged.name,
    domain: kept.domain || merged.domain,
    sensitive: kept.sensitive || merged.sensitive,
    honeytoken: kept.honeytoken || merged.honeytoken,
    properties: { ...structuredClone(merged.properties), ...kept.properties },
  });
  g.dropNode(alias);
  return { moved, merged };
}
