/**
 * One tenant's graph in the embedded adapter. Each tenant gets its own graphology instance, so tenant
 * isolation holds by construction: no lookup, traversal or path search can cross into another tenant's
 * graph, even when objectIds collide.
 */
import { MultiDirectedGraph } from "graphology";
import { GraphError } from "../errors.ts";
import { edgeKey, foldObservation, type NormalEdge, type NormalNode } from "../normalize.ts";
import { EDGE_SCHEMA, type EdgeKind, type GraphEdge, type GraphNode, type PropertyValue } from "../schema.ts";

/** Node attributes: the stored node minus its tenant (implied by the graph it lives in). */
export type NodeAttrs = Omit<GraphNode, "tenantId">;
/** Edge attributes; times as epoch ms so snapshots are plain JSON. */
export interface EdgeAttrs {
  kind: EdgeKind;
  source: string;
  firstSeen: number;
  lastSeen: number;
}

/** Graph attributes: name-key aliases (aliases.ts), alias → objectId; in snapshots with the graph. */
export interface GraphAttrs {
  aliases?: Record<string, string>;
}

/** Multi: two kinds of edge can join the same ordered pair (e.g. MEMBER_OF and a future GENERIC_ALL). */
export type TenantGraph = MultiDirectedGraph<NodeAttrs, EdgeAttrs, GraphAttrs>;

export function newTenantGraph(): TenantGraph {
  return new MultiDirectedGraph<NodeAttrs, EdgeAttrs, GraphAttrs>();
}

/** Throws before any write if a node would change kind, so a failed batch leaves the graph untouched. */
export function assertNoKindConflict(g: TenantGraph, nodes: readonly NormalNode[]): void {
  for (const n of nodes) {
    if (!g.hasNode(n.objectId)) continue;
    const stored = g.getNodeAttribute(n.objectId, "kind");
    if (stored !== n.kind) throw new GraphError("GRAPH_KIND_CONFLICT", `objectId ${n.objectId} is a ${stored}, not a ${n.kind}`);
  }
}

export function upsertNode(g: TenantGraph, n: NormalNode): void {
  const prev = g.hasNode(n.objectId) ? g.getNodeAttributes(n.objectId) : undefined;
  const properties: Record<string, PropertyValue> = { ...prev?.properties };
  for (const [k, v] of Object.entries(n.properties)) {
    if (v === null) delete properties[k];
    else properties[k] = Array.isArray(v) ? ([...v] as PropertyValue) : v;
  }
  g.mergeNode(n.objectId, {
    kind: n.kind,
    objectId: n.objectId,
    name: n.name ?? prev?.name ?? "",
    domain: n.domain ?? prev?.domain ?? "",
    sensitive: n.sensitive ?? prev?.sensitive ?? false,
    honeytoken: n.honeytoken ?? prev?.honeytoken ?? false,
    enabled: n.enabled ?? prev?.enabled ?? true,
    properties,
  });
}

/** Whether both endpoints exist with kinds the edge kind allows (otherwise the edge is skipped). */
export function endpointsFit(g: TenantGraph, e: NormalEdge): boolean {
  const spec = EDGE_SCHEMA[e.kind];
  if (!g.hasNode(e.from) || !g.hasNode(e.to)) return false;
  const fromKind = g.getNodeAttribute(e.from, "kind");
  const toKind = g.getNodeAttribute(e.to, "kind");
  return (spec.from as readonly string[]).includes(fromKind) && (spec.to as readonly string[]).includes(toKind);
}

export function upsertEdge(g: TenantGraph, e: NormalEdge): void {
  const key = edgeKey(e.kind, e.from, e.to);
  const obs = { kind: e.kind, source: e.source, firstSeen: e.firstSeen, lastSeen: e.lastSeen };
  if (!g.hasEdge(key)) {
    g.addDirectedEdgeWithKey(key, e.from, e.to, obs);
    return;
  }
  const folded = foldObservation({ ...g.getEdgeAttributes(key), from: e.from, to: e.to }, { ...obs, from: e.from, to: e.to });
  g.replaceEdgeAttributes(key, { kind: e.kind, source: folded.source, firstSeen: folded.firstSeen, lastSeen: folded.lastSeen });
}

/** A detached copy, so callers cannot mutate the stored graph through results. */
export function toGraphNode(tenantId: string, attrs: NodeAttrs): GraphNode {
  return { tenantId, ...attrs, properties: structuredClone(attrs.properties) };
}

export function toGraphEdge(g: TenantGraph, key: string): GraphEdge {
  const a = g.getEdgeAttributes(key);
  return {
    kind: a.kind,
    from: g.source(key),
    to: g.target(key),
    source: a.source,
    firstSeen: new Date(a.firstSeen),
    lastSeen: new Date(a.lastSeen),
  };
}
