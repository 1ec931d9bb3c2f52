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
  checkIds,
  type NormalEdge,
} from "../normalize.ts";
import { claimsOf, redirectEdges, redirectNodes, resolveId, withClaims } from "../redirect.ts";
import { LMP_OPENINGS_KEPT, compareOpenings, openingsOf, type LmpOpening } from "../lmp-openings.ts";
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
import {
  EDGE_KINDS,
  LMP_SESSION_WINDOW_MS,
  LMP_STORED_PATHS,
  NODE_KINDS,
  type EdgeInput,
  type GraphNode,
  type NodeInput,
  type NodeKind,
} from "../schema.ts";
import { touchesSensitivity, LMP_INCREMENTAL_LIMIT } from "../lmp-policy.ts";
import {
  applyInsertions,
  applyRemovals,
  computeLmp,
  currentFingerprint,
  freshBetween,
  pathsFrom,
  reachingOf,
  retireNode,
  type FreshSources,
  exposureOf,
  isLive,
  pathsTo,
  sensitiveAccountsIn,
  type LmpState,
} from "./lmp.ts";
import { shortestPathIn } from "./paths.ts";
import { readSnapshot, writeSnapshot } from "./snapshot.ts";
import { aliasLookup, mergeInto, setAlias } from "./merge.ts";
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
  /** LMP openings not yet acknowledged, per tenant, oldest first (lmp-openings.ts; in memory only, like `lmp`). */
  private openings = new Map<string, LmpOpening[]>();
  private closed = false;

  constructor(private readonly options: MemoryGraphOptions) {}

  async upsertNodes(tenantId: string, nodes: readonly NodeInput[]): Promise<number> {
    const g = this.graph(tenantId, true)!;
    const normal = normalizeNodes(nodes);
    const claims = claimsOf(normal);
    const resolved = redirectNodes(normal, withClaims(claims, aliasLookup(g)));
    assertNoKindConflict(g, resolved);
    for (const n of resolved) upsertNode(g, n);
    const st = this.lmp.get(tenantId);
    const reachingBefore = st ? reachingOf(st) : undefined;
    let sensitivityMoved = false;
    for (const [alias, into] of claims) {
      setAlias(g, alias, into);
      if (!g.hasNode(alias) || g.getNodeAttribute(alias, "kind") !== g.getNodeAttribute(into, "kind")) continue;
      const reached = st ? retireNode(st, alias) : new Set<string>();
      const { moved, merged } = mergeInto(g, alias, into);
      if (!st) continue;
      sensitivityMoved ||= merged.sensitive || merged.honeytoken || moved.some((e) => e.kind === "MEMBER_OF");
      const live = moved.filter((e) => isLive(e, st.sessionCutoff));
      const fresh: FreshSources = new Map();
      applyInsertions(g, st, live, fresh);
      this.journal(tenantId, g, st, fresh, reachingBefore!, live, (target, source) => source === into && reached.has(target));
    }
    if (st && (sensitivityMoved || resolved.some(touchesSensitivity)) && currentFingerprint(g) !== st.fingerprint) {
      this.lmp.set(tenantId, computeLmp(g, st.sessionCutoff));
    }
    return resolved.length;
  }

  async upsertEdges(tenantId: string, edges: readonly EdgeInput[]): Promise<UpsertEdgesResult> {
    const g = this.graph(tenantId, true)!;
    const { edges: normal, loops } = redirectEdges(normalizeEdges(edges), aliasLookup(g));
    const skippedAt: number[] = [...loops];
    let written = 0;
    const st = this.lmp.get(tenantId);
    const becameLive: NormalEdge[] = [];
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
    const args = getNodeArgs(a, b);
    const g = this.graph(tenantId);
    const objectId = g ? this.resolve(g, args.objectId) : args.objectId;
    const kind = args.kind;
    if (!g?.hasNode(objectId)) return null;
    const attrs = g.getNodeAttributes(objectId);
    return kind === undefined || attrs.kind === kind ? toGraphNode(tenantId, attrs) : null;
  }

  async neighbours(tenantId: string, objectId: string, options?: NeighbourOptions): Promise<Neighbour[]> {
    const { edgeKinds, direction, limit } = checkNeighbourOptions(options);
    const g = this.graph(tenantId);
    const id = g ? this.resolve(g, normalizeObjectId(objectId)) : "";
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
    return g ? shortestPathIn(g, tenantId, this.resolve(g, from), this.resolve(g, to), edgeKinds, maxHops) : null;
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
    for (const raw of refs) {
      const ref = { kind: raw.kind, from: this.resolve(g, raw.from), to: this.resolve(g, raw.to) };
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
    return g && st ? pathsTo(g, st, tenantId, this.resolve(g, to), n) : [];
  }

  async exposure(tenantId: string, objectId: string): Promise<Exposure | null> {
    const id = normalizeObjectId(objectId);
    const g = this.graph(tenantId);
    const st = this.lmp.get(tenantId);
    return g && st ? exposureOf(st, this.resolve(g, id)) : null;
  }

  /**
   * Keeps precomputed paths current after live edges appeared or went away. A membership change can
   * change who is sensitive (and so every source and target): then, and for batches too large to
   * apply edge by edge, everything is computed again. Insertions journal the paths they open.
   */
  private updateLmp(tenantId: string, g: TenantGraph, st: LmpState, edges: EdgeRef[], change: "inserted" | "removed"): void {
    const membership = edges.some((e) => e.kind === "MEMBER_OF");
    const reachingBefore = change === "inserted" ? reachingOf(st) : undefined;
    if ((membership && currentFingerprint(g) !== st.fingerprint) || edges.length > LMP_INCREMENTAL_LIMIT) {
      const next = computeLmp(g, st.sessionCutoff);
      this.lmp.set(tenantId, next);
      if (reachingBefore) this.journal(tenantId, g, next, freshBetween(st, next), reachingBefore, edges);
    } else if (change === "inserted") {
      const fresh: FreshSources = new Map();
      applyInsertions(g, st, edges, fresh);
      this.journal(tenantId, g, st, fresh, reachingBefore!, edges);
    } else applyRemovals(g, st, edges);
  }

  /** Records the openings of a write (lmp-openings.ts); targets new to the sensitive set are not openings. */
  private journal(
    tenantId: string,
    g: TenantGraph,
    st: LmpState,
    fresh: FreshSources,
    reachingBefore: ReadonlyMap<string, number>,
    written: readonly EdgeRef[],
    ignore: (target: string, source: string) => boolean = () => false,
  ): void {
    if (fresh.size === 0) return;
    const changed = new Map(
      written.flatMap((e) => {
        const key = edgeKey(e.kind, e.from, e.to);
        return g.hasEdge(key) ? [[key, toGraphEdge(g, key)] as const] : [];
      }),
    );
    const found: LmpOpening[] = [];
    for (const [target, sources] of fresh) {
      const before = reachingBefore.get(target);
      if (before === undefined) continue;
      const after = { reaching: st.targets.get(target)!.reaching, paths: pathsFrom(g, st, target, sources) };
      found.push(...openingsOf(tenantId, target, { reaching: before, paths: [] }, after, changed, (s) => ignore(target, s)));
    }
    if (found.length === 0) return;
    const log = this.openings.get(tenantId) ?? [];
    const known = new Set(log.map((o) => o.id));
    log.push(...found.filter((o) => !known.has(o.id)));
    log.sort(compareOpenings);
    this.openings.set(tenantId, log.slice(-LMP_OPENINGS_KEPT));
  }

  async lmpOpenings(tenantId: string, limit?: number): Promise<LmpOpening[]> {
    const n = checkFirst(limit ?? LMP_STORED_PATHS);
    this.graph(tenantId);
    return structuredClone((this.openings.get(tenantId) ?? []).slice(0, n));
  }

  async ackLmpOpenings(tenantId: string, ids: readonly string[]): Promise<number> {
    this.graph(tenantId);
    const drop = new Set(checkIds(ids));
    const log = this.openings.get(tenantId) ?? [];
    const kept = log.filter((o) => !drop.has(o.id));
    this.openings.set(tenantId, kept);
    return log.length - kept.length;
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
    this.openings.clear();
    return true;
  }

  /** The node an objectId names: itself, or the node it is an alias of. */
  private resolve(g: TenantGraph, objectId: string): string {
    return resolveId(aliasLookup(g), objectId);
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
