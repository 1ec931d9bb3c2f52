/**
 * Applying aliases (aliases.ts) to a normalised batch, shared by both adapters so they redirect, fold
 * and skip exactly the same inputs. Internal: not exported from index.ts.
 */
import { isNameKey } from "./aliases.ts";
import { edgeKey, foldObservation, mergeNodeInputs, type NormalEdge, type NormalNode } from "./normalize.ts";

/** Looks up the node an alias names; undefined when the id is no alias. */
export type AliasLookup = (id: string) => string | undefined;

/** The aliases a batch claims (alias → claimant); a later claim in the batch wins. */
export function claimsOf(nodes: readonly NormalNode[]): Map<string, string> {
  const claims = new Map<string, string>();
  for (const n of nodes) for (const a of n.aliases) claims.set(a, n.objectId);
  return claims;
}

/** Name keys among some ids: the only ids an alias lookup is needed for. */
export function nameKeysOf(ids: Iterable<string>): string[] {
  return [...new Set([...ids].filter(isNameKey))];
}

/** A lookup that sees the batch's own claims before the stored aliases. */
export function withClaims(claims: ReadonlyMap<string, string>, stored: AliasLookup): AliasLookup {
  return (id) => claims.get(id) ?? stored(id);
}

/** `id` itself, or the node it is an alias of. */
export function resolveId(lookup: AliasLookup, id: string): string {
  return isNameKey(id) ? (lookup(id) ?? id) : id;
}

/** Node inputs keyed by an alias are rewritten to the node it names; inputs that now name one node fold. */
export function redirectNodes(nodes: readonly NormalNode[], lookup: AliasLookup): NormalNode[] {
  const byId = new Map<string, NormalNode>();
  for (const n of nodes) {
    const objectId = resolveId(lookup, n.objectId);
    const node = objectId === n.objectId ? n : { ...n, objectId, aliases: [] };
    const prev = byId.get(objectId);
    byId.set(objectId, prev ? mergeNodeInputs(prev, node) : node);
  }
  return [...byId.values()];
}

/**
 * Edge inputs with endpoints rewritten through aliases; edges that now name one edge fold into one
 * observation span, and an edge whose two ends turn out to be one node is returned in `loops` (the
 * adapters report it skipped: a machine has no session on itself).
 */
export function redirectEdges(edges: readonly NormalEdge[], lookup: AliasLookup): { edges: NormalEdge[]; loops: number[] } {
  const byKey = new Map<string, NormalEdge>();
  const loops: number[] = [];
  for (const e of edges) {
    const from = resolveId(lookup, e.from);
    const to = resolveId(lookup, e.to);
    if (from === to) {
      loops.push(...e.inputs);
      continue;
    }
    const edge = from === e.from && to === e.to ? e : { ...e, from, to };
    const key = edgeKey(edge.kind, from, to);
    const prev = byKey.get(key);
    byKey.set(key, prev ? foldObservation(prev, edge) : edge);
  }
  return { edges: [...byKey.values()], loops };
}
