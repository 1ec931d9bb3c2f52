/**
 * LMP openings: a write that lets a non-sensitive account reach a sensitive one it did not reach
 * before. Both adapters notice it while keeping precomputed paths current and journal it per tenant,
 * durably where the graph is durable, because the writer is not always the stream processor (a
 * SharpHound import writes straight into the graph from the CLI); the processor reads the journal and
 * raises `lateral-movement-path-opened` alerts, then acknowledges. This file derives openings from a
 * before/after view of one target the same way for both adapters. Internal: not exported from index.ts.
 *
 * What counts (the contract suite holds both adapters to it):
 *  - only while the tenant is precomputed, and only for accounts sensitive before and after the write
 *    (a newly sensitive account is sensitive-group-addition's news, not a path that opened);
 *  - only when the target's exposure (reachingAccounts) grew: an identity merge that replaces the
 *    name-keyed node of a machine by its SID node changes no count and opens nothing;
 *  - a computer holding the sensitive account's session (the one-hop path `C ─HAS_SESSION→ T`) is no
 *    new source: every logon of an admin would otherwise open a "path" from the machine it happens on;
 *    exposure counts still include it, as they always have;
 *  - one opening per (target, edge that opened it), naming the first new source by (hops, objectId)
 *    whose stored shortest path runs through that edge, with the number of new sources it opened.
 *    Every new source's path uses at least one edge of the write (without them it had no path).
 * Neo4j keeps only the first LMP_STORED_PATHS paths per target, so it finds new sources among those;
 * the embedded graph knows every distance and lists them exactly. On graphs where fewer than
 * LMP_STORED_PATHS accounts reach a target the two agree.
 */
import { createHash } from "node:crypto";
import { edgeKey } from "./normalize.ts";
import type { EdgeKind, GraphEdge } from "./schema.ts";

/** One stored path as objectIds and edge kinds (nodes.length = kinds.length + 1). */
export interface PathIds {
  nodes: string[];
  kinds: EdgeKind[];
}

/** A new lateral-movement path into a sensitive account, as journaled. */
export interface LmpOpening {
  /** Stable: the same opening found again (a retried write) has the same id. */
  id: string;
  /** The sensitive account whose exposure grew. */
  target: string;
  /** The first new source account (fewest hops, then objectId) whose path opened through `edge`. */
  source: string;
  /** New source accounts whose path opened through `edge` (among the first LMP_STORED_PATHS). */
  newSources: number;
  /** The first LMP_OPENING_SOURCES of them, `source` first, in the same order. */
  sources: string[];
  /** The written edge that opened it, as stored after the write. */
  edge: GraphEdge;
  /** The source's shortest path to the target. */
  path: PathIds;
  /** The target's exposure before and after the write. */
  reachingBefore: number;
  reachingAfter: number;
  /** When it opened: the opening edge's lastSeen. */
  at: Date;
}

/** One target before or after a write: its exposure and its stored paths ordered by hops, then source. */
export interface TargetView {
  reaching: number;
  paths: readonly PathIds[];
}

/** New sources an opening lists by name (the alert names them; the count covers the rest). */
export const LMP_OPENING_SOURCES = 10;

/** Journal entries kept per tenant at most; the oldest go first (nobody reading the journal must not grow it forever). */
export const LMP_OPENINGS_KEPT = 10_000;

/** The openings of one target between two views; `changed` holds the write's edges by edgeKey. */
export function openingsOf(
  tenantId: string,
  target: string,
  before: TargetView | undefined,
  after: TargetView,
  changed: ReadonlyMap<string, GraphEdge>,
  ignoreSource: (source: string) => boolean = () => false,
): LmpOpening[] {
  if (!before || after.reaching <= before.reaching) return [];
  const known = new Set(before.paths.map((p) => p.nodes[0]!));
  const byEdge = new Map<string, LmpOpening>();
  for (const path of after.paths) {
    const source = path.nodes[0]!;
    if (known.has(source) || ignoreSource(source)) continue;
    if (path.kinds.length === 1 && path.kinds[0] === "HAS_SESSION") continue;
    const edge = path.kinds.map((kind, i) => changed.get(edgeKey(kind, path.nodes[i]!, path.nodes[i + 1]!))).find((e) => e !== undefined);
    if (!edge) continue;
    const key = edgeKey(edge.kind, edge.from, edge.to);
    const seen = byEdge.get(key);
    if (seen) {
      seen.newSources++;
      if (seen.sources.length < LMP_OPENING_SOURCES) seen.sources.push(source);
      continue;
    }
    byEdge.set(key, {
      id: openingId(tenantId, target, source, edge),
      target,
      source,
      newSources: 1,
      sources: [source],
      edge,
      path: { nodes: [...path.nodes], kinds: [...path.kinds] },
      reachingBefore: before.reaching,
      reachingAfter: after.reaching,
      at: edge.lastSeen,
    });
  }
  return [...byEdge.values()];
}

function openingId(tenantId: string, target: string, source: string, edge: GraphEdge): string {
  return createHash("sha256")
    .update([tenantId, target, source, edge.kind, edge.from, edge.to, String(edge.lastSeen.getTime())].join("\u0000"))
    .digest("hex")
    .slice(0, 32);
}

/** Journal order: oldest first, then by id (both adapters list the same way). */
export function compareOpenings(a: LmpOpening, b: LmpOpening): number {
  return a.at.getTime() - b.at.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}
