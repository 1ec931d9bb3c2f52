import { type GraphEdge, type GraphNode, type IdentityGraph, isGraphError } from "@vigil/graph-model";
import type { Viewer } from "../../auth/viewer.ts";
import { badInput, notConfigured } from "../../errors.ts";
import { entityKeyOf, graphObjectId } from "../entities/entity-graph.ts";
import { pageSize } from "../shared/pagination.ts";
import type { EntityNeighbourhood, GraphEdgeView, GraphNodeView, LateralMovementPath, LmpExposure } from "./paths.types.ts";

const MAX_KEY = 512;
/** Deepest neighbourhood walk: three hops already span user → group → computer → session user, and grow fast. */
export const MAX_NEIGHBOURHOOD_DEPTH = 3;

const ID_DOC =
  "an entity key naming a user, computer or group ([kind:]ref, e.g. user:S-1-5-21-…, computer:ws01, group:CORP\\Helpdesk) or a SID";

function nodeView(n: GraphNode): GraphNodeView {
  return { kind: n.kind, objectId: n.objectId, name: n.name, entityKey: entityKeyOf(n), sensitive: n.sensitive };
}

function edgeView(e: GraphEdge): GraphEdgeView {
  return { kind: e.kind, from: e.from, to: e.to, source: e.source, firstSeen: e.firstSeen, lastSeen: e.lastSeen };
}

/**
 * Lateral movement paths, exposure and graph neighbourhoods, read from the identity graph in the
 * viewer's tenant. Paths and exposure are what the processor precomputed (graph-model keeps them
 * current on every edge write); nothing is searched per request except the bounded neighbourhood walk.
 */
export class PathManager {
  constructor(
    /** Absent: no identity graph is configured, and every query answers NOT_CONFIGURED. */
    private readonly graph?: IdentityGraph,
  ) {}

  /** Stored shortest paths to a sensitive account, shortest first; [] when it is not sensitive, unknown or nothing reaches it. */
  async lateralMovementPaths(viewer: Viewer, key: string, first: number | null | undefined): Promise<LateralMovementPath[]> {
    const size = pageSize(first);
    const { graph, objectId } = this.target(key);
    const paths = await this.read(() => graph.lateralMovementPaths(viewer.tenantId, objectId, size));
    return paths.map((p) => ({ hops: p.edges.length, nodes: p.nodes.map(nodeView), edges: p.edges.map(edgeView) }));
  }

  /** Exposure of a sensitive account; null when it is not one (or the tenant has not been precomputed yet). */
  async exposure(viewer: Viewer, key: string): Promise<LmpExposure | null> {
    const { graph, objectId } = this.target(key);
    return this.read(() => graph.exposure(viewer.tenantId, objectId));
  }

  /**
   * The entity and every node within `depth` edges of it (breadth first, either direction, all edge
   * kinds), at most `first` nodes; null when the tenant's graph has no such node. Each node's
   * neighbours are read up to `first` at a time, so a group with thousands of members costs one
   * bounded read, and `truncated` says the answer is not the whole neighbourhood.
   */
  async neighbourhood(viewer: Viewer, key: string, depth: number, first: number | null | undefined): Promise<EntityNeighbourhood | null> {
    const size = pageSize(first);
    if (!Number.isInteger(depth) || depth < 1 || depth > MAX_NEIGHBOURHOOD_DEPTH) {
      throw badInput(`depth must be between 1 and ${MAX_NEIGHBOURHOOD_DEPTH}`);
    }
    const { graph, objectId } = this.target(key);
    const tenantId = viewer.tenantId;
    const center = await this.read(() => graph.getNode(tenantId, objectId));
    if (!center) return null;
    const nodes = new Map<string, GraphNode>([[center.objectId, center]]);
    const edges = new Map<string, GraphEdge>();
    let truncated = false;
    let frontier = [center.objectId];
    for (let level = 0; level < depth && frontier.length > 0; level++) {
      const next: string[] = [];
      for (const id of frontier) {
        const around = await this.read(() => graph.neighbours(tenantId, id, { direction: "both", limit: size + 1 }));
        if (around.length > size) truncated = true;
        for (const { node, edge } of around) {
          if (!nodes.has(node.objectId)) {
            if (nodes.size >= size) {
              truncated = true;
              continue;
            }
            nodes.set(node.objectId, node);
            next.push(node.objectId);
          }
          edges.set(`${edge.kind}\u0000${edge.from}\u0000${edge.to}`, edge);
        }
      }
      frontier = next;
    }
    return { center: nodeView(center), nodes: [...nodes.values()].map(nodeView), edges: [...edges.values()].map(edgeView), truncated };
  }

  private target(key: string): { graph: IdentityGraph; objectId: string } {
    if (key.length === 0 || key.length > MAX_KEY) throw badInput(`id must be 1-${MAX_KEY} characters`);
    const objectId = graphObjectId(key);
    if (!objectId) throw badInput(`id must be ${ID_DOC}; got ${JSON.stringify(key.slice(0, 80))}`);
    if (!this.graph) throw notConfigured("No identity graph is configured for this deployment");
    return { graph: this.graph, objectId };
  }

  /** Graph input errors are the caller's (BAD_USER_INPUT); anything else stays internal. */
  private async read<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (isGraphError(err, "GRAPH_INVALID_INPUT")) throw badInput(err.message);
      throw err;
    }
  }
}
