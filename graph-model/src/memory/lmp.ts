/**
 * Lateral-movement paths in the embedded adapter. Per sensitive target the state keeps one byte per
 * node: its distance (hops) to the target, found by a breadth-first search against edge direction,
 * bounded by LMP_MAX_HOPS. That is 160 kB per target at 160k nodes and lets every update be exact and
 * cheap:
 *  - a new live edge u→v can only shorten distances, to d(x,u) + 1 + dist_T(v); one reverse search from
 *    u (shared by all targets) and a pass over the affected targets apply it;
 *  - a removed edge changes target T only if it was tight (dist_T(u) = dist_T(v) + 1); those targets are
 *    searched again from scratch.
 * Paths are read off the distances on request: from a source, step to any live out-neighbour one hop
 * closer (smallest objectId first), so results are always current shortest paths.
 */
import type { GraphPath, SensitiveAccount } from "../port.ts";
import type { PathIds } from "../lmp-openings.ts";
import { EDGE_KINDS, LMP_EDGE_KINDS, LMP_MAX_HOPS, LMP_STORED_PATHS, type NodeKind } from "../schema.ts";
import { fingerprintOf } from "../lmp-policy.ts";
import { ACCOUNT_KINDS, isDefaultSensitiveGroup, isTierZeroComputer, type SensitivityReason } from "../sensitivity.ts";
import { toGraphEdge, toGraphNode, type EdgeAttrs, type TenantGraph } from "./tenant-graph.ts";

const UNREACHED = 255;
const LMP_KINDS = new Set<string>(LMP_EDGE_KINDS);

/** Distances of every node to one sensitive target, and the exposure they add up to. */
interface TargetState {
  dist: Uint8Array;
  reaching: number;
  shortest: number | null;
  /** First LMP_STORED_PATHS sources by (hops, objectId); built on first read, dropped when distances change. */
  top?: number[];
}

/** One tenant's precomputed LMP; exists only after precomputeLateralMovement. */
export interface LmpState {
  sessionCutoff: number;
  /** Sensitive set + honeytokens at the last full compute; a change means sources/targets changed. */
  fingerprint: string;
  index: Map<string, number>;
  ids: string[];
  /** 1 where the node may start a path (non-sensitive, non-honeytoken account). */
  source: Uint8Array;
  targets: Map<string, TargetState>;
  /** Node indexes ordered by objectId (UTF-16, as Neo4j orders); rebuilt when nodes were added. */
  order: number[];
  /** Indexes of nodes merged away (aliases.ts): kept as unreachable non-sources, no longer in `index`. */
  retired: number;
}

/** Whether an edge takes part in LMP under this cutoff. */
export function isLive(a: EdgeAttrs, cutoff: number): boolean {
  return LMP_KINDS.has(a.kind) && (a.kind !== "HAS_SESSION" || a.lastSeen >= cutoff);
}

const isAccount = (kind: NodeKind) => ACCOUNT_KINDS.includes(kind);

/** Sensitive accounts of a tenant graph, ordered by objectId. */
export function sensitiveAccountsIn(g: TenantGraph): SensitiveAccount[] {
  const reasons = new Map<string, Set<SensitivityReason>>();
  const add = (id: string, r: SensitivityReason) => (reasons.get(id) ?? reasons.set(id, new Set()).get(id)!).add(r);
  const queue: string[] = [];
  const seen = new Set<string>();
  g.forEachNode((id, a) => {
    if (a.kind === "Group" && (a.sensitive || isDefaultSensitiveGroup(id, a.name))) {
      seen.add(id);
      queue.push(id);
    }
    if (isAccount(a.kind) && a.sensitive) add(id, "tagged");
    if (a.kind === "Computer" && isTierZeroComputer(a.properties)) add(id, "tier-zero");
  });
  for (let i = 0; i < queue.length; i++) {
    g.forEachInEdge(queue[i]!, (_key, e, member) => {
      if (e.kind !== "MEMBER_OF" || seen.has(member)) return;
      seen.add(member);
      queue.push(member);
      if (isAccount(g.getNodeAttribute(member, "kind"))) add(member, "sensitive-group");
    });
  }
  return [...reasons]
    .map(([objectId, r]) => ({ objectId, kind: g.getNodeAttribute(objectId, "kind"), reasons: [...r].sort() }))
    .sort((a, b) => cmp(a.objectId, b.objectId));
}

function honeytokensIn(g: TenantGraph): string[] {
  return g.filterNodes((_id, a) => a.honeytoken);
}

/** The fingerprint the graph has now. */
export function currentFingerprint(g: TenantGraph): string {
  return fingerprintOf(sensitiveAccountsIn(g), honeytokensIn(g));
}

/** Full computation: sensitivity, sources, and a bounded reverse search from every target. */
export function computeLmp(g: TenantGraph, sessionCutoff: number): LmpState {
  const sensitive = sensitiveAccountsIn(g);
  const capacity = Math.max(1024, g.order * 2);
  const st: LmpState = {
    sessionCutoff,
    fingerprint: fingerprintOf(sensitive, honeytokensIn(g)),
    index: new Map(),
    ids: [],
    source: new Uint8Array(capacity),
    targets: new Map(),
    order: [],
    retired: 0,
  };
  for (const s of sensitive) st.targets.set(s.objectId, { dist: new Uint8Array(0), reaching: 0, shortest: null });
  indexAll(g, st);
  for (const id of st.targets.keys()) st.targets.set(id, searchTo(g, st, id));
  refreshOrder(st);
  return st;
}

/** The node's index, assigning one (and its source flag) on first sight; grows every array as needed. */
function indexOf(g: TenantGraph, st: LmpState, id: string): number {
  const known = st.index.get(id);
  if (known !== undefined) return known;
  const i = st.ids.length;
  if (i >= st.source.length) grow(st, st.source.length * 2);
  st.index.set(id, i);
  st.ids.push(id);
  const a = g.getNodeAttributes(id);
  st.source[i] = isAccount(a.kind) && !a.honeytoken && !st.targets.has(id) ? 1 : 0;
  return i;
}

/** Nodes are deleted only by merges (counted in `retired`), so fewer live indexes than nodes means some were added since. */
function indexAll(g: TenantGraph, st: LmpState): void {
  if (st.ids.length - st.retired < g.order) g.forEachNode((id) => void indexOf(g, st, id));
}

function grow(st: LmpState, capacity: number): void {
  const source = new Uint8Array(capacity);
  source.set(st.source);
  st.source = source;
  for (const t of st.targets.values()) {
    if (t.dist.length === 0) continue;
    const dist = new Uint8Array(capacity).fill(UNREACHED);
    dist.set(t.dist);
    t.dist = dist;
  }
}

/** Breadth-first search against edge direction from one target, at most LMP_MAX_HOPS deep. */
function searchTo(g: TenantGraph, st: LmpState, target: string): TargetState {
  indexAll(g, st);
  const t: TargetState = { dist: new Uint8Array(st.source.length).fill(UNREACHED), reaching: 0, shortest: null };
  t.dist[indexOf(g, st, target)] = 0;
  let frontier = [target];
  for (let d = 1; d <= LMP_MAX_HOPS && frontier.length > 0; d++) {
    const next: string[] = [];
    for (const v of frontier) {
      g.forEachInEdge(v, (_key, a, u) => {
        if (!isLive(a, st.sessionCutoff)) return;
        const i = indexOf(g, st, u);
        if (t.dist[i] !== UNREACHED) return;
        t.dist[i] = d;
        next.push(u);
        if (st.source[i]) {
          t.reaching++;
          t.shortest ??= d;
        }
      });
    }
    frontier = next;
  }
  return t;
}

/** Nodes that reach `from` within `bound` hops over live edges, with their distance (from itself at 0). */
function reachOf(g: TenantGraph, st: LmpState, from: string, bound: number): Array<[number, number]> {
  const seen = new Map<string, number>([[from, 0]]);
  let frontier = [from];
  for (let d = 1; d <= bound && frontier.length > 0; d++) {
    const next: string[] = [];
    for (const v of frontier) {
      g.forEachInEdge(v, (_key, a, u) => {
        if (!isLive(a, st.sessionCutoff) || seen.has(u)) return;
        seen.set(u, d);
        next.push(u);
      });
    }
    frontier = next;
  }
  return [...seen].map(([id, d]) => [indexOf(g, st, id), d]);
}

/** New sources per target (node indexes), collected while applying insertions (for LMP openings). */
export type FreshSources = Map<string, Set<number>>;

/**
 * Applies edges that became live (already in the graph); exact for any batch (see the header). With
 * `fresh`, records every source that reached no target before and reaches one now.
 */
export function applyInsertions(
  g: TenantGraph,
  st: LmpState,
  edges: ReadonlyArray<{ from: string; to: string }>,
  fresh?: FreshSources,
): void {
  indexAll(g, st);
  for (const e of edges) {
    const iv = indexOf(g, st, e.to);
    indexOf(g, st, e.from);
    const affected: Array<[string, TargetState, number]> = [];
    let nearest = UNREACHED;
    for (const [id, t] of st.targets) {
      const dv = t.dist[iv]!;
      if (dv >= LMP_MAX_HOPS) continue;
      affected.push([id, t, dv]);
      nearest = Math.min(nearest, dv);
    }
    if (affected.length === 0) continue;
    const reach = reachOf(g, st, e.from, LMP_MAX_HOPS - 1 - nearest);
    for (const [id, t, dv] of affected) {
      t.top = undefined;
      for (const [x, dx] of reach) {
        const nd = dx + 1 + dv;
        const cur = t.dist[x]!;
        if (nd > LMP_MAX_HOPS || nd >= cur) continue;
        t.dist[x] = nd;
        if (!st.source[x]) continue;
        if (cur === UNREACHED) {
          t.reaching++;
          if (fresh) (fresh.get(id) ?? fresh.set(id, new Set()).get(id)!).add(x);
        }
        if (t.shortest === null || nd < t.shortest) t.shortest = nd;
      }
    }
  }
  refreshOrder(st);
}

/**
 * Takes a node that a merge is about to delete out of every target (aliases.ts): it stops being a
 * source and is unreachable. Returns the targets it reached as a source (the merged node now reaches
 * them instead: not a new path). Distances of other nodes stay valid: a merge contracts two nodes,
 * which can only shorten paths, and applyInsertions with the moved edges applies that.
 */
export function retireNode(st: LmpState, id: string): Set<string> {
  const reached = new Set<string>();
  const i = st.index.get(id);
  if (i === undefined) return reached;
  for (const [target, t] of st.targets) {
    const d = t.dist[i]!;
    if (d === UNREACHED) continue;
    t.dist[i] = UNREACHED;
    t.top = undefined;
    if (!st.source[i]) continue;
    reached.add(target);
    t.reaching--;
    if (t.shortest === d) t.shortest = shortestOf(st, t);
  }
  st.source[i] = 0;
  st.index.delete(id);
  st.retired++;
  return reached;
}

function shortestOf(st: LmpState, t: TargetState): number | null {
  let best = UNREACHED;
  for (let x = 0; x < st.ids.length; x++) if (st.source[x] && t.dist[x]! > 0 && t.dist[x]! < best) best = t.dist[x]!;
  return best === UNREACHED ? null : best;
}

/** Sources reaching a target in `next` that did not reach it in `prev` (targets present in both), after a full recompute. */
export function freshBetween(prev: LmpState, next: LmpState): FreshSources {
  const fresh: FreshSources = new Map();
  for (const [id, t] of next.targets) {
    const old = prev.targets.get(id);
    if (!old) continue;
    for (let x = 0; x < next.ids.length; x++) {
      if (!next.source[x] || t.dist[x] === UNREACHED || t.dist[x] === 0) continue;
      const ox = prev.index.get(next.ids[x]!);
      if (ox !== undefined && prev.source[ox] && old.dist[ox] !== UNREACHED) continue;
      (fresh.get(id) ?? fresh.set(id, new Set()).get(id)!).add(x);
    }
  }
  return fresh;
}

/** Exposure of every target now, to compare after a write. */
export function reachingOf(st: LmpState): Map<string, number> {
  return new Map([...st.targets].map(([id, t]) => [id, t.reaching]));
}

/** Paths of some sources to a target, ordered by hops then objectId, at most LMP_STORED_PATHS. */
export function pathsFrom(g: TenantGraph, st: LmpState, target: string, sources: ReadonlySet<number>): PathIds[] {
  const t = st.targets.get(target);
  if (!t) return [];
  const chosen = [...sources]
    .filter((x) => t.dist[x] !== UNREACHED)
    .sort((a, b) => t.dist[a]! - t.dist[b]! || cmp(st.ids[a]!, st.ids[b]!))
    .slice(0, LMP_STORED_PATHS);
  return chosen.map((x) => {
    const p = walk(g, st, t, "", st.ids[x]!);
    return { nodes: p.nodes.map((n) => n.objectId), kinds: p.edges.map((e) => e.kind) };
  });
}

/** Applies removed live edges (already gone from the graph): searches again only targets they were tight for. */
export function applyRemovals(g: TenantGraph, st: LmpState, edges: ReadonlyArray<{ from: string; to: string }>): number {
  const stale = new Set<string>();
  for (const e of edges) {
    const iu = st.index.get(e.from);
    const iv = st.index.get(e.to);
    if (iu === undefined || iv === undefined) continue;
    for (const [id, t] of st.targets) {
      const du = t.dist[iu]!;
      if (du !== UNREACHED && du === t.dist[iv]! + 1) stale.add(id);
    }
  }
  for (const id of stale) st.targets.set(id, searchTo(g, st, id));
  refreshOrder(st);
  return stale.size;
}

function refreshOrder(st: LmpState): void {
  if (st.order.length === st.ids.length) return;
  st.order = st.ids.map((_id, i) => i).sort((a, b) => cmp(st.ids[a]!, st.ids[b]!));
}

/** Up to `first` shortest paths to `to`, one per source, ordered by hops then source objectId. */
export function pathsTo(g: TenantGraph, st: LmpState, tenantId: string, to: string, first: number): GraphPath[] {
  const t = st.targets.get(to);
  if (!t) return [];
  t.top ??= topSources(st, t);
  return t.top.slice(0, first).map((x) => walk(g, st, t, tenantId, st.ids[x]!));
}

/** One pass over the objectId order, bucketed by hops: no sort of the (up to 100k) reaching sources. */
function topSources(st: LmpState, t: TargetState): number[] {
  const buckets: number[][] = Array.from({ length: LMP_MAX_HOPS + 1 }, () => []);
  for (const x of st.order) {
    const d = t.dist[x]!;
    if (d === UNREACHED || d === 0 || !st.source[x] || buckets[d]!.length >= LMP_STORED_PATHS) continue;
    buckets[d]!.push(x);
  }
  return buckets.flat().slice(0, LMP_STORED_PATHS);
}

/** Follows tight live edges from a source down to the target, preferring the smallest next objectId, then schema edge order. */
function walk(g: TenantGraph, st: LmpState, t: TargetState, tenantId: string, start: string): GraphPath {
  const nodes = [toGraphNode(tenantId, g.getNodeAttributes(start))];
  const edges = [];
  let at = start;
  for (let d = t.dist[st.index.get(start)!]!; d > 0; d--) {
    let best: { key: string; next: string; kind: string } | undefined;
    g.forEachOutEdge(at, (key, a, _from, next) => {
      if (!isLive(a, st.sessionCutoff) || t.dist[st.index.get(next) ?? -1] !== d - 1) return;
      if (!best || cmp(next, best.next) < 0 || (next === best.next && EDGE_KINDS.indexOf(a.kind) < EDGE_KINDS.indexOf(best.kind as never)))
        best = { key, next, kind: a.kind };
    });
    if (!best) throw new Error(`LMP state out of step with the graph at ${at}`);
    edges.push(toGraphEdge(g, best.key));
    nodes.push(toGraphNode(tenantId, g.getNodeAttributes(best.next)));
    at = best.next;
  }
  return { nodes, edges };
}

/** Exposure of one target, or null when it is not a sensitive account. */
export function exposureOf(st: LmpState, objectId: string): { reachingAccounts: number; shortestHops: number | null } | null {
  const t = st.targets.get(objectId);
  return t ? { reachingAccounts: t.reaching, shortestHops: t.shortest } : null;
}

/** UTF-16 code-unit order, as Neo4j (Java) compares strings. */
function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
