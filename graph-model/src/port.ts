import type { LmpOpening } from "./lmp-openings.ts";
import type { SensitivityReason } from "./sensitivity.ts";
import type { EdgeInput, EdgeKind, GraphEdge, GraphNode, NodeInput, NodeKind } from "./schema.ts";

/** Which edges of a node `neighbours` follows, relative to that node. */
export type Direction = "out" | "in" | "both";

/** Options for `neighbours`. */
export interface NeighbourOptions {
  /** Only these edge kinds; omitted means all, `[]` means none. */
  edgeKinds?: readonly EdgeKind[];
  /** Default "both". */
  direction?: Direction;
  /** At most this many results (default 1000, max 10000); large groups have tens of thousands of members. */
  limit?: number;
}

/** One adjacent node and the edge that links it (edge.from / edge.to tell the direction). */
export interface Neighbour {
  node: GraphNode;
  edge: GraphEdge;
}

/** Options for `shortestPath`. */
export interface PathOptions {
  /** Edge kinds the path may use; omitted means all, `[]` means none. */
  edgeKinds?: readonly EdgeKind[];
  /** Longest path accepted, 1..MAX_PATH_HOPS. */
  maxHops: number;
}

/** A directed path: nodes[i] --edges[i]--> nodes[i+1]. */
export interface GraphPath {
  nodes: GraphNode[];
  edges: GraphEdge[];
}

/** Result of `upsertEdges`. */
export interface UpsertEdgesResult {
  /** Distinct edges written (created or refreshed). */
  written: number;
  /** Edges not written because an endpoint does not exist or has a kind the edge kind does not allow. */
  skipped: EdgeInput[];
}

/** Per-kind totals for one tenant; every kind is present, zero when absent. */
export interface GraphCounts {
  nodes: Record<NodeKind, number>;
  edges: Record<EdgeKind, number>;
}

/** Liveness of the backing store, for readiness probes; never throws. */
export interface GraphHealth {
  ok: boolean;
  adapter: "neo4j" | "memory";
  /** host:port for Neo4j, snapshot file or "in-process" for memory. */
  target: string;
  latencyMs: number;
  error?: string;
}

/** Identifies one edge to remove (LDAP / SharpHound resync found it gone). */
export interface EdgeRef {
  kind: EdgeKind;
  from: string;
  to: string;
}

/** A sensitive account and every reason it is one (reasons sorted). */
export interface SensitiveAccount {
  objectId: string;
  kind: NodeKind;
  reasons: SensitivityReason[];
}

/** Options for `precomputeLateralMovement`. */
export interface LmpPrecomputeOptions {
  /** Sessions last seen before asOf − LMP_SESSION_WINDOW_MS do not count; default: the adapter's clock. */
  asOf?: Date;
}

/** What a full precompute did. */
export interface LmpPrecomputeResult {
  /** Sensitive accounts (path targets). */
  targets: number;
  /** Epoch ms below which HAS_SESSION edges are ignored until the next full precompute. */
  sessionCutoff: Date;
}

/** How exposed one sensitive account is: non-sensitive, non-honeytoken accounts with a path to it. */
export interface Exposure {
  reachingAccounts: number;
  /** Hops of the shortest such path; null when no account reaches it. */
  shortestHops: number | null;
}

/**
 * The identity graph port. Every data method takes the tenant first; an adapter never returns or
 * touches another tenant's nodes, edges or paths, even when objectIds collide across tenants.
 * Writes are batch-friendly (one round trip per call) and idempotent.
 */
export interface IdentityGraph {
  /**
   * Creates or updates nodes; returns how many distinct nodes were written. Throws GRAPH_KIND_CONFLICT if
   * an objectId exists with another kind. A node's `aliases` merge name-keyed nodes into it (aliases.ts);
   * every method reading or writing by objectId resolves aliases first.
   */
  upsertNodes(tenantId: string, nodes: readonly NodeInput[]): Promise<number>;
  /** Creates or refreshes edges between existing nodes: same edge twice → one edge, firstSeen min'ed, lastSeen max'ed. */
  upsertEdges(tenantId: string, edges: readonly EdgeInput[]): Promise<UpsertEdgesResult>;
  /** One node by objectId, or null. */
  getNode(tenantId: string, objectId: string): Promise<GraphNode | null>;
  /** One node by objectId, or null when absent or of another kind. */
  getNode(tenantId: string, kind: NodeKind | undefined, objectId: string): Promise<GraphNode | null>;
  /** Adjacent nodes ordered by edge kind, then neighbour objectId. Unknown node → []. */
  neighbours(tenantId: string, objectId: string, options?: NeighbourOptions): Promise<Neighbour[]>;
  /** A shortest directed path of at most maxHops edges, or null (also when an endpoint is unknown). */
  shortestPath(tenantId: string, fromObjectId: string, toObjectId: string, options: PathOptions): Promise<GraphPath | null>;
  /** Deletes the given edges (absent ones are ignored); returns how many were deleted. */
  removeEdges(tenantId: string, edges: readonly EdgeRef[]): Promise<number>;
  /** Sensitive accounts computed from the current graph (tags, default groups transitively, Tier Zero), ordered by objectId. */
  sensitiveAccounts(tenantId: string): Promise<SensitiveAccount[]>;
  /**
   * Recomputes lateral-movement paths to every sensitive account of the tenant and stores them. From
   * then on edge writes (upsertEdges, removeEdges, removeExpiredSessions) keep them current themselves.
   */
  precomputeLateralMovement(tenantId: string, options?: LmpPrecomputeOptions): Promise<LmpPrecomputeResult>;
  /**
   * Stored shortest paths (≤ LMP_MAX_HOPS) from non-sensitive, non-honeytoken accounts to a sensitive
   * account, one per source, ordered by hops then source objectId; [] when none or not precomputed.
   */
  lateralMovementPaths(tenantId: string, toObjectId: string, first?: number): Promise<GraphPath[]>;
  /** Stored exposure of a sensitive account; null when it is not one or the tenant was never precomputed. */
  exposure(tenantId: string, objectId: string): Promise<Exposure | null>;
  /**
   * Journaled LMP openings (lmp-openings.ts): writes since the tenant was precomputed that let a
   * non-sensitive account reach a sensitive one it did not reach before. Oldest first, at most `limit`
   * (default and max LMP_STORED_PATHS); they stay until acknowledged.
   */
  lmpOpenings(tenantId: string, limit?: number): Promise<LmpOpening[]>;
  /** Removes journaled openings by id (once alerts for them are stored); returns how many. */
  ackLmpOpenings(tenantId: string, ids: readonly string[]): Promise<number>;
  /** Deletes HAS_SESSION edges last seen strictly before `olderThan`; returns how many. Raises the LMP session cutoff to `olderThan`. */
  removeExpiredSessions(tenantId: string, olderThan: Date): Promise<number>;
  /** Node and edge totals per kind. */
  counts(tenantId: string): Promise<GraphCounts>;
  /** Creates constraints and indexes derived from schema.ts (idempotent; writes also do it once on first use). */
  ensureSchema(): Promise<void>;
  /** Store liveness. */
  health(): Promise<GraphHealth>;
  /** Releases connections; later calls throw GRAPH_CLOSED. */
  close(): Promise<void>;
}
