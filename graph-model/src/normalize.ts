/**
 * Input checks and normalisation shared by both adapters, so they accept, reject and coalesce exactly
 * the same inputs (the contract suite relies on it). Internal: not exported from index.ts.
 */
import { normalizeAliases } from "./aliases.ts";
import { invalidInput } from "./errors.ts";
import type { NeighbourOptions, PathOptions, Direction, EdgeRef } from "./port.ts";
import { EDGE_KINDS, LMP_STORED_PATHS, MAX_PATH_HOPS, isEdgeKind, isNodeKind } from "./schema.ts";
import type { EdgeInput, EdgeKind, NodeInput, NodeKind, PropertyValue } from "./schema.ts";

/** A node input after checks: objectId normalised, properties and aliases validated. */
export interface NormalNode extends Omit<NodeInput, "properties" | "aliases"> {
  properties: Record<string, PropertyValue | null>;
  aliases: string[];
}

/** An edge input after checks, with epoch-millisecond times. */
export interface NormalEdge {
  kind: EdgeKind;
  from: string;
  to: string;
  source: string;
  firstSeen: number;
  lastSeen: number;
  /** Indexes of the caller's inputs folded into this edge (to report skipped ones). */
  inputs: number[];
}

export const DEFAULT_NEIGHBOUR_LIMIT = 1000;
export const MAX_NEIGHBOUR_LIMIT = 10_000;

export function checkTenant(tenantId: unknown): string {
  if (typeof tenantId !== "string" || tenantId.trim() === "") throw invalidInput("tenantId must be a non-empty string");
  return tenantId;
}

/** SIDs and GUIDs are case-insensitive in AD; one spelling per object keeps keys stable. */
export function normalizeObjectId(objectId: unknown, what = "objectId"): string {
  if (typeof objectId !== "string" || objectId.trim() === "") throw invalidInput(`${what} must be a non-empty string`);
  return objectId.trim().toUpperCase();
}

function checkKind(kind: unknown): NodeKind {
  if (!isNodeKind(kind)) throw invalidInput(`unknown node kind ${JSON.stringify(kind)}`);
  return kind;
}

export function checkOptionalKind(kind: unknown): NodeKind | undefined {
  return kind === undefined || kind === null ? undefined : checkKind(kind);
}

function checkPropertyValue(key: string, value: unknown): PropertyValue | null {
  if (value === null || typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number" && Number.isFinite(value)) return value;
  if (Array.isArray(value)) {
    const types = new Set(value.map((v) => typeof v));
    const ok = types.size === 0 || (types.size === 1 && ["string", "number", "boolean"].includes([...types][0]!));
    if (ok && value.every((v) => typeof v !== "number" || Number.isFinite(v))) return value as PropertyValue;
  }
  throw invalidInput(`property ${JSON.stringify(key)} must be a string, finite number, boolean, an array of one of those, or null`);
}

function checkOptional<T>(node: Record<string, unknown>, key: string, type: "string" | "boolean"): T | undefined {
  const v = node[key];
  if (v === undefined) return undefined;
  if (typeof v !== type) throw invalidInput(`node.${key} must be a ${type}`);
  return v as T;
}

/** Validates a batch; later inputs for the same objectId override earlier ones field by field. */
export function normalizeNodes(nodes: readonly NodeInput[]): NormalNode[] {
  if (!Array.isArray(nodes)) throw invalidInput("nodes must be an array");
  const byId = new Map<string, NormalNode>();
  for (const raw of nodes as unknown as Record<string, unknown>[]) {
    const kind = checkKind(raw.kind);
    const objectId = normalizeObjectId(raw.objectId);
    const props: Record<string, PropertyValue | null> = {};
    if (raw.properties !== undefined) {
      if (typeof raw.properties !== "object" || raw.properties === null || Array.isArray(raw.properties))
        throw invalidInput("node.properties must be an object");
      for (const [k, v] of Object.entries(raw.properties)) {
        if (k === "") throw invalidInput("property names must be non-empty");
        props[k] = checkPropertyValue(k, v);
      }
    }
    const node: NormalNode = {
      kind,
      objectId,
      name: checkOptional<string>(raw, "name", "string"),
      domain: checkOptional<string>(raw, "domain", "string"),
      sensitive: checkOptional<boolean>(raw, "sensitive", "boolean"),
      honeytoken: checkOptional<boolean>(raw, "honeytoken", "boolean"),
      enabled: checkOptional<boolean>(raw, "enabled", "boolean"),
      properties: props,
      aliases: normalizeAliases(kind, objectId, raw.aliases),
    };
    const prev = byId.get(objectId);
    if (prev && prev.kind !== kind) throw invalidInput(`objectId ${objectId} appears with kinds ${prev.kind} and ${kind} in one batch`);
    byId.set(objectId, prev ? mergeNodeInputs(prev, node) : node);
  }
  return [...byId.values()];
}

/** Two writes of one node folded into one: `b`'s defined fields win, properties and aliases combine. */
export function mergeNodeInputs(a: NormalNode, b: NormalNode): NormalNode {
  const defined = Object.fromEntries(Object.entries(b).filter(([, v]) => v !== undefined));
  return { ...a, ...defined, properties: { ...a.properties, ...b.properties }, aliases: [...new Set([...a.aliases, ...b.aliases])] };
}

function toMillis(value: unknown, what: string): number {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) throw invalidInput(`${what} must be a valid Date`);
  return value.getTime();
}

export function edgeKey(kind: EdgeKind, from: string, to: string): string {
  return JSON.stringify([kind, from, to]);
}

/** Validates a batch and folds repeats of one edge into one observation span. */
export function normalizeEdges(edges: readonly EdgeInput[]): NormalEdge[] {
  if (!Array.isArray(edges)) throw invalidInput("edges must be an array");
  const byKey = new Map<string, NormalEdge>();
  (edges as unknown as Record<string, unknown>[]).forEach((raw, i) => {
    if (!isEdgeKind(raw.kind)) throw invalidInput(`unknown edge kind ${JSON.stringify(raw.kind)}`);
    const from = normalizeObjectId(raw.from, "edge.from");
    const to = normalizeObjectId(raw.to, "edge.to");
    if (from === to) throw invalidInput(`edge ${raw.kind} from ${from} to itself`);
    if (typeof raw.source !== "string" || raw.source.trim() === "") throw invalidInput("edge.source must be a non-empty string");
    const lastSeen = toMillis(raw.lastSeen, "edge.lastSeen");
    const firstSeen = raw.firstSeen === undefined ? lastSeen : toMillis(raw.firstSeen, "edge.firstSeen");
    if (firstSeen > lastSeen) throw invalidInput("edge.firstSeen is after edge.lastSeen");
    const edge: NormalEdge = { kind: raw.kind, from, to, source: raw.source, firstSeen, lastSeen, inputs: [i] };
    const key = edgeKey(edge.kind, from, to);
    const prev = byKey.get(key);
    byKey.set(key, prev ? foldObservation(prev, edge) : edge);
  });
  return [...byKey.values()];
}

/** Widens `a`'s span by `b`; the source follows the latest observation (ties go to the later write). */
export function foldObservation<T extends Omit<NormalEdge, "inputs"> & { inputs?: number[] }>(
  a: T,
  b: Omit<NormalEdge, "inputs"> & { inputs?: number[] },
): T {
  return {
    ...a,
    firstSeen: Math.min(a.firstSeen, b.firstSeen),
    lastSeen: Math.max(a.lastSeen, b.lastSeen),
    source: b.lastSeen >= a.lastSeen ? b.source : a.source,
    inputs: a.inputs && b.inputs ? [...a.inputs, ...b.inputs] : a.inputs,
  };
}

export function checkEdgeKinds(kinds: unknown): EdgeKind[] {
  if (kinds === undefined) return [...EDGE_KINDS];
  if (!Array.isArray(kinds)) throw invalidInput("edgeKinds must be an array");
  for (const k of kinds) if (!isEdgeKind(k)) throw invalidInput(`unknown edge kind ${JSON.stringify(k)}`);
  return [...new Set(kinds as EdgeKind[])];
}

export function checkNeighbourOptions(options: NeighbourOptions | undefined): {
  edgeKinds: EdgeKind[];
  direction: Direction;
  limit: number;
} {
  const direction = options?.direction ?? "both";
  if (!["out", "in", "both"].includes(direction)) throw invalidInput(`direction must be out, in or both`);
  const limit = options?.limit ?? DEFAULT_NEIGHBOUR_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_NEIGHBOUR_LIMIT)
    throw invalidInput(`limit must be an integer in 1..${MAX_NEIGHBOUR_LIMIT}`);
  return { edgeKinds: checkEdgeKinds(options?.edgeKinds), direction, limit };
}

export function checkPathOptions(options: PathOptions | undefined): { edgeKinds: EdgeKind[]; maxHops: number } {
  const maxHops = options?.maxHops;
  if (typeof maxHops !== "number" || !Number.isInteger(maxHops) || maxHops < 1 || maxHops > MAX_PATH_HOPS) {
    throw invalidInput(`maxHops must be an integer in 1..${MAX_PATH_HOPS}`);
  }
  return { edgeKinds: checkEdgeKinds(options?.edgeKinds), maxHops };
}

export function checkOlderThan(olderThan: unknown): number {
  return toMillis(olderThan, "olderThan");
}

/** Resolves getNode's two call shapes: (tenant, objectId) and (tenant, kind, objectId). */
export function getNodeArgs(a: unknown, b: unknown): { kind: NodeKind | undefined; objectId: string } {
  return b === undefined
    ? { kind: undefined, objectId: normalizeObjectId(a) }
    : { kind: checkOptionalKind(a), objectId: normalizeObjectId(b) };
}

/** The order both adapters return neighbours in: edge kind, neighbour objectId, then tail objectId. */
export function compareNeighbours(
  a: { kind: string; other: string; from: string },
  b: { kind: string; other: string; from: string },
): number {
  return cmp(a.kind, b.kind) || cmp(a.other, b.other) || cmp(a.from, b.from);
}

/** UTF-16 code-unit order, which is how Neo4j (Java) orders strings; localeCompare is not. */
function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Validates edge references for removeEdges; duplicates fold into one. */
export function normalizeEdgeRefs(edges: readonly EdgeRef[]): EdgeRef[] {
  if (!Array.isArray(edges)) throw invalidInput("edges must be an array");
  const byKey = new Map<string, EdgeRef>();
  for (const raw of edges as unknown as Record<string, unknown>[]) {
    if (!isEdgeKind(raw?.kind)) throw invalidInput(`unknown edge kind ${JSON.stringify(raw?.kind)}`);
    const ref = { kind: raw.kind, from: normalizeObjectId(raw.from, "edge.from"), to: normalizeObjectId(raw.to, "edge.to") };
    byKey.set(edgeKey(ref.kind, ref.from, ref.to), ref);
  }
  return [...byKey.values()];
}

/** Ids of ackLmpOpenings: non-empty strings. */
export function checkIds(ids: unknown): string[] {
  if (!Array.isArray(ids) || ids.some((id) => typeof id !== "string" || id === ""))
    throw invalidInput("ids must be an array of non-empty strings");
  return ids as string[];
}

/** `first` of lateralMovementPaths: default 10, 1..LMP_STORED_PATHS. */
export function checkFirst(first: unknown): number {
  const n = first ?? 10;
  if (typeof n !== "number" || !Number.isInteger(n) || n < 1 || n > LMP_STORED_PATHS)
    throw invalidInput(`first must be an integer in 1..${LMP_STORED_PATHS}`);
  return n;
}

/** asOf of precomputeLateralMovement, as epoch ms. */
export function checkAsOf(asOf: unknown, now: () => Date): number {
  return asOf === undefined ? now().getTime() : toMillis(asOf, "asOf");
}
