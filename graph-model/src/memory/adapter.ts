/**
 * Embedded IdentityGraph on graphology: the default when NEO4J_URI is unset. Every method runs
 * synchronously inside its promise, so each call is atomic with respect to the others.
 */
import { GraphError } from "../errors.ts";
import {
  checkAsOf,
  checkFirst,
  checkNeighbourOptions,
  checkOlderThan,
  checkPathOptions,
  checkTenant,
  compareNeighbours,
  getNodeArgs,
  edgeKey,
  normalizeEdgeRefs,
  normalizeEdges,
  normalizeNodes,
  normalizeObjectId,
} from "../normalize.ts";
import type {
  EdgeRef,
  Exposure,
  LmpPrecomputeOptions,
  LmpPrecomputeResult,
  SensitiveAccount,
  GraphCounts,
  GraphHealth,
  GraphPath,
  IdentityGraph,
  Neighbour,
  NeighbourOptions,
  PathOptions,
  UpsertEdgesResult,
} from "../port.ts";
import { EDGE_KINDS, LMP_SESSION_WINDOW_MS, NODE_KINDS, type EdgeInput, type GraphNode, type NodeInput, type NodeKind } from "../schema.ts";
import { touchesSensitivity, LMP_INCREMENTAL_LIMIT } from "../lmp-policy.ts";
import {
  applyInsertions,
  applyRemovals,
  computeLmp,
  currentFingerprint,
  exposureOf,
  isLive,
  pathsTo,
  sensitiveAccountsIn,
  type LmpState,
} from "./lmp.ts";
import { shortestPathIn } from "./paths.ts";
import { readSnapshot, writeSnapshot } from "./snapshot.ts";
import {
  assertNoKindConflict,
  endpointsFit,
  newTenantGraph,
  toGraphEdge,
  toGraphNode,
  upsertEdge,
  upsertNode,
  type TenantGraph,
} from "./tenant-graph.ts";

/** Options for the embedded graph. */
export interface MemoryGraphOptions {
  /** Shown as the health target; the adapter never reads or writes it on its own. */
  snapshotFile?: string;
  /** Clock for snapshot timestamps (tests). */
  now?: () => Date;
}

/** The embedded adapter: IdentityGraph plus snapshot persistence. */
export interface MemoryIdentityGraph extends IdentityGraph {
  /** Writes every tenant's graph to `file` atomically (temp file + rename). */
  snapshot(file: string): Promise<void>;
  /** Replaces the whole graph with the snapshot in `file`; false (graph unchanged) when the file does not exist. */
  load(file: string): Promise<boolean>;
}

/** An empty in-process graph; call `load(file)` to restore a snapshot. */
export function createMemoryGraph(options: MemoryGraphOptions = {}): MemoryIdentityGraph {
  return new MemoryGraph(options);
}

class MemoryGraph implements MemoryIdentityGraph {
  private tenants = new Map<string, TenantGraph>();
  /** Precomputed lateral-movement state of tenants that asked for it (not in snapshots: recompute after load). */
  private lmp = new Map<string, LmpState>();
  private closed = false;

  constructor(private readonly options: MemoryGraphOptions) {}

  async upsertNodes(tenantId: string, nodes: readonly NodeInput[]): Promise<number> {
    const normal = normalizeNodes(nodes);
    const g = this.graph(tenantId, true)!;
    assertNoKindConflict(g, normal);
    for (const n of normal) upsertNode(g, n);
    const st = this.lmp.get(tenantId);
    if (st && normal.some(touchesSensitivity) && currentFingerprint(g) !== st.fingerprint) {
      this.lmp.set(tenantId, computeLmp(g, st.sessionCutoff));
    }
    return normal.length;
  }

  async upsertEdges(tenantId: string, edges: readonly EdgeInput[]): Promise<UpsertEdgesResult> {
    const normal = normalizeEdges(edges);
    const g = this.graph(tenantId, true)!;
    const skippedAt: number[] = [];
    let written = 0;
    const st = this.lmp.get(tenantId);
    const becameLive: EdgeRef[] = [];
    for (const e of normal) {
      if (!endpointsFit(g, e)) {
        skippedAt.push(...e.inputs);
        continue;
      }
      const key = edgeKey(e.kind, e.from, e.to);
      const wasLive = st !== undefined && g.hasEdge(key) && isLive(g.getEdgeAttributes(key), st.sessionCutoff);
      upsertEdge(g, e);
      if (st && !wasLive && isLive(g.getEdgeAttributes(key), st.sessionCutoff)) becameLive.push(e);
      written++;
    }
    if (st && becameLive.length > 0) this.updateLmp(tenantId, g, st, becameLive, "inserted");
    return { written, skipped: skippedAt.sort((x, y) => x - y).map((i) => edges[i]!) };
  }

  getNode(tenantId: string, objectId: string): Promise<GraphNode | null>;
  getNode(tenantId: string, kind: NodeKind | undefined, objectId: string): Promise<GraphNode | null>;
  async getNode(tenantId: string, a: unknown, b?: unknown): Promise<GraphNode | null> {
    const { kind, objectId } = getNodeArgs(a, b);
    const g = this.graph(tenantId);
    if (!g?.hasNode(objectId)) return null;
    const attrs = g.getNodeAttributes(objectId);
    return kind === undefined || attrs.kind === kind ? toGraphNode(tenantId, attrs) : null;
  }

  async neighbours(tenantId: string, objectId: string, options?: NeighbourOptions): Promise<Neighbour[]> {
    const id = normalizeObjectId(objectId);
    const { edgeKinds, direction, limit } = checkNeighbourOptions(options);
    const g = this.graph(tenantId);
    if (!g?.hasNode(id)) return [];
    const kinds = new Set<string>(edgeKinds);
    const keys = direction === "out" ? g.outEdges(id) : direction === "in" ? g.inEdges(id) : g.edges(id);
    const rows = keys
      .filter((key) => kinds.has(g.getEdgeAttribute(key, "kind")))
      .map((key) => ({ key, kind: g.getEdgeAttribute(key, "kind"), from: g.source(key), other: g.opposite(id, key) }));
    rows.sort(compareNeighbours);
    return rows.slice(0, limit).map((r) => ({ node: toGraphNode(tenantId, g.getNodeAttributes(r.other)), edge: toGraphEdge(g, r.key) }));
  }

  async shortestPath(tenantId: string, fromObjectId: string, toObjectId: string, options: PathOptions): Promise<GraphPath | null> {
    const from = normalizeObjectId(fromObjectId, "fromObjectId");
    const to = normalizeObjectId(toObjectId, "toObjectId");
    const { edgeKinds, maxHops } = checkPathOptions(options);
    const g = this.graph(tenantId);
    return g ? shortestPathIn(g, tenantId, from, to, edgeKinds, maxHops) : null;
  }

  async removeExpiredSessions(tenantId: string, olderThan: Date): Promise<number> {
    const cutoff = checkOlderThan(olderThan);
    const g = this.graph(tenantId);
    if (!g) return 0;
    const st = this.lmp.get(tenantId);
    const expired = g.filterEdges((_key, a) => a.kind === "HAS_SESSION" && a.lastSeen < cutoff);
    const removed = st ? expired.filter((key) => isLive(g.getEdgeAttributes(key), st.sessionCutoff)).map((key) => this.ref(g, key)) : [];
    for (const key of expired) g.dropEdge(key);
    if (st) {
      st.sessionCutoff = Math.max(st.sessionCutoff, cutoff); // nothing older is left, so raising it changes no distance
      if (removed.length > 0) this.updateLmp(tenantId, g, st, removed, "removed");
    }
    return expired.length;
  }

  async removeEdges(tenantId: string, edges: readonly EdgeRef[]): Promise<number> {
    const refs = normalizeEdgeRefs(edges);
    const g = this.graph(tenantId);
    if (!g) return 0;
    const st = this.lmp.get(tenantId);
    const removed: EdgeRef[] = [];
    let count = 0;
    for (const ref of refs) {
      const key = edgeKey(ref.kind, ref.from, ref.to);
      if (!g.hasEdge(key)) continue;
      if (st && isLive(g.getEdgeAttributes(key), st.sessionCutoff)) removed.push(ref);
      g.dropEdge(key);
      count++;
    }
    if (st && removed.length > 0) this.updateLmp(tenantId, g, st, removed, "removed");
    return count;
  }

  async sensitiveAccounts(tenantId: string): Promise<SensitiveAccount[]> {
    const g = this.graph(tenantId);
    return g ? sensitiveAccountsIn(g) : [];
  }

  async precomputeLateralMovement(tenantId: string, options?: LmpPrecomputeOptions): Promise<LmpPrecomputeResult> {
    const asOf = checkAsOf(options?.asOf, this.options.now ?? (() => new Date()));
    const g = this.graph(tenantId, true)!;
    const st = computeLmp(g, asOf - LMP_SESSION_WINDOW_MS);
    this.lmp.set(tenantId, st);
    return { targets: st.targets.size, sessionCutoff: new Date(st.sessionCutoff) };
  }

  async lateralMovementPaths(tenantId: string, toObjectId: string, first?: number): Promise<GraphPath[]> {
    const to = normalizeObjectId(toObjectId, "toObjectId");
    const n = checkFirst(first);
    const g = this.graph(tenantId);
    const st = this.lmp.get(tenantId);
    return g && st ? pathsTo(g, st, tenantId, to, n) : [];
  }

  async exposure(tenantId: string, objectId: string): Promise<Exposure | null> {
    const id = normalizeObjectId(objectId);
    this.graph(tenantId);
    const st = this.lmp.get(tenantId);
    return st ? exposureOf(st, id) : null;
  }

  /**
   * Keeps precomputed paths current after live edges appeared or went away. A membership change can
   * change who is sensitive (and so every source and target): then, and for batches too large to
   * apply edge by edge, everything is computed again.
   */
  private updateLmp(tenantId: string, g: TenantGraph, st: LmpState, edges: EdgeRef[], change: "inserted" | "removed"): void {
    const membership = edges.some((e) => e.kind === "MEMBER_OF");
    if ((membership && currentFingerprint(g) !== st.fingerprint) || edges.length > LMP_INCREMENTAL_LIMIT) {
      this.lmp.set(tenantId, computeLmp(g, st.sessionCutoff));
    } else if (change === "inserted") applyInsertions(g, st, edges);
    else applyRemovals(g, st, edges);
  }

  private ref(g: TenantGraph, key: string): EdgeRef {
    return { kind: g.getEdgeAttribute(key, "kind"), from: g.source(key), to: g.target(key) };
  }

  async counts(tenantId: string): Promise<GraphCounts> {
    const counts: GraphCounts = {
      nodes: Object.fromEntries(NODE_KINDS.map((k) => [k, 0])) as GraphCounts["nodes"],
      edges: Object.fromEntries(EDGE_KINDS.map((k) => [k, 0])) as GraphCounts["edges"],
    };
    const g = this.graph(tenantId);
    g?.forEachNode((_key, a) => counts.nodes[a.kind]++);
    g?.forEachEdge((_key, a) => counts.edges[a.kind]++);
    return counts;
  }

  async ensureSchema(): Promise<void> {
    this.assertOpen();
  }

  async health(): Promise<GraphHealth> {
    const target = this.options.snapshotFile ?? "in-process";
    return this.closed
      ? { ok: false, adapter: "memory", target, latencyMs: 0, error: "closed" }
      : { ok: true, adapter: "memory", target, latencyMs: 0 };
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  async snapshot(file: string): Promise<void> {
    this.assertOpen();
    await writeSnapshot(file, this.tenants, this.options.now?.() ?? new Date());
  }

  async load(file: string): Promise<boolean> {
    this.assertOpen();
    const loaded = await readSnapshot(file);
    if (!loaded) return false;
    this.tenants = loaded;
    this.lmp.clear();
    return true;
  }

  /** The tenant's graph; created only for writes so reads of unknown tenants allocate nothing. */
  private graph(tenantId: string, create = false): TenantGraph | undefined {
    this.assertOpen();
    checkTenant(tenantId);
    let g = this.tenants.get(tenantId);
    if (!g && create) this.tenants.set(tenantId, (g = newTenantGraph()));
    return g;
  }

  private assertOpen(): void {
    if (this.closed) throw new GraphError("GRAPH_CLOSED", "identity graph is closed");
  }
}
