/**
 * Shortest attack path in the embedded adapter, via graphology-shortest-path's bidirectional Dijkstra.
 * Edge-kind filtering is expressed as weight: allowed kinds cost 1 (so cost = hop count), others cost
 * Infinity. Dijkstra still returns a path through an Infinity edge when nothing cheaper exists, so every
 * hop is re-checked and such a path reported as no path.
 */
import { bidirectional } from "graphology-shortest-path/dijkstra.js";
import type { GraphPath } from "../port.ts";
import { EDGE_KINDS, type EdgeKind } from "../schema.ts";
import { toGraphEdge, toGraphNode, type TenantGraph } from "./tenant-graph.ts";

export function shortestPathIn(
  g: TenantGraph,
  tenantId: string,
  from: string,
  to: string,
  edgeKinds: readonly EdgeKind[],
  maxHops: number,
): GraphPath | null {
  if (!g.hasNode(from) || !g.hasNode(to)) return null;
  if (from === to) return { nodes: [toGraphNode(tenantId, g.getNodeAttributes(from))], edges: [] };
  const allowed = new Set<string>(edgeKinds);
  if (allowed.size === 0) return null;

  const nodeIds = bidirectional(g, from, to, (_key, attrs) => (allowed.has(attrs.kind) ? 1 : Infinity));
  if (!nodeIds || nodeIds.length - 1 > maxHops) return null;

  const edgeKeys: string[] = [];
  for (let i = 0; i + 1 < nodeIds.length; i++) {
    const key = pickEdge(g, nodeIds[i]!, nodeIds[i + 1]!, allowed);
    if (key === undefined) return null;
    edgeKeys.push(key);
  }
  return {
    nodes: nodeIds.map((id) => toGraphNode(tenantId, g.getNodeAttributes(id))),
    edges: edgeKeys.map((key) => toGraphEdge(g, key)),
  };
}

/** Among parallel edges u→v, the allowed one earliest in schema order (deterministic). */
function pickEdge(g: TenantGraph, u: string, v: string, allowed: ReadonlySet<string>): string | undefined {
  const candidates = g.outEdges(u, v).filter((key) => allowed.has(g.getEdgeAttribute(key, "kind")));
  candidates.sort((a, b) => EDGE_KINDS.indexOf(g.getEdgeAttribute(a, "kind")) - EDGE_KINDS.indexOf(g.getEdgeAttribute(b, "kind")));
  return candidates[0];
}
