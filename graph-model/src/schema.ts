/**
 * The one source of graph kinds. Neo4j labels, relationship types, uniqueness constraints, the cypher
 * template whitelist and the embedded adapter's validation are all derived from the constants below;
 * adding a kind here is the whole change (plus a cypher file only if it needs a new statement).
 *
 * Edge directions follow BloodHound so that every attack path is a walk along edge directions:
 *
 *   alice ─MEMBER_OF→ Helpdesk ─ADMIN_TO→ WS01 ─HAS_SESSION→ bob ─MEMBER_OF→ Domain Admins
 *
 * "WS01 HAS_SESSION bob" points from the computer to the user because control flows that way: whoever
 * controls WS01 can take bob's credentials from its memory.
 */

/** Node kinds; each is also a Neo4j label. */
export const NODE_KINDS = ["User", "Computer", "Group", "Domain"] as const;
/** A node kind (User, Computer, Group, Domain). */
export type NodeKind = (typeof NODE_KINDS)[number];

/**
 * Label every node carries besides its kind (BloodHound's "Base"): lookups by objectId alone (the
 * stream processor often knows a SID but not its kind) use its (tenantId, objectId) index, and its
 * uniqueness constraint makes an objectId unique per tenant across kinds.
 */
export const BASE_LABEL = "Entity";

/** What an edge kind allows and means. */
export interface EdgeKindSpec {
  /** Kinds allowed at the tail; an edge whose tail has another kind is skipped, not written. */
  readonly from: readonly NodeKind[];
  /** Kinds allowed at the head. */
  readonly to: readonly NodeKind[];
  /** Whether the edge describes transient state that `removeExpiredSessions` ages out. */
  readonly expires: boolean;
  readonly doc: string;
}

/** Edge kinds; each is also a Neo4j relationship type. CONTAINS / TRUSTS come later. */
export const EDGE_SCHEMA = {
  MEMBER_OF: {
    from: ["User", "Computer", "Group"],
    to: ["Group"],
    expires: false,
    doc: "Principal → group it is a direct member of (transitive membership is a path of these).",
  },
  HAS_SESSION: {
    from: ["Computer"],
    to: ["User"],
    expires: true,
    doc: "Computer → user logged on to it: the user's credentials are exposed to whoever controls the computer.",
  },
  ADMIN_TO: {
    from: ["User", "Group", "Computer"],
    to: ["Computer"],
    expires: false,
    doc: "Principal → computer on which it has local administrator rights.",
  },
} as const satisfies Record<string, EdgeKindSpec>;

/** An edge kind (MEMBER_OF, HAS_SESSION, ADMIN_TO). */
export type EdgeKind = keyof typeof EDGE_SCHEMA;
/** Every edge kind, in declaration order (also the default set a path may traverse). */
export const EDGE_KINDS = Object.keys(EDGE_SCHEMA) as EdgeKind[];

/** Longest path `shortestPath` searches; bounds the Neo4j variable-length pattern. */
export const MAX_PATH_HOPS = 12;

/**
 * Lateral-movement paths (LMP) follow these kinds only: MDI's model is "member of" → "admin to" →
 * "logged into by", and every other kind would add paths MDI does not show.
 */
export const LMP_EDGE_KINDS: readonly EdgeKind[] = ["MEMBER_OF", "ADMIN_TO", "HAS_SESSION"];

/**
 * Longest lateral-movement path precomputed. Six hops holds a single-stage path through three levels
 * of group nesting (user → g → g → g → computer → session user) and a two-stage path with one group
 * (user → computer → session user → group → computer → session user); beyond that the number of
 * reaching accounts saturates to "most of the domain" and stops telling the analyst anything.
 */
export const LMP_MAX_HOPS = 6;

/**
 * A HAS_SESSION edge takes part in LMP while lastSeen ≥ asOf − this window: MDI keeps each path 48 h
 * after discovery (mdi-catalog §4), so a logon older than that no longer exposes credentials to us.
 */
export const LMP_SESSION_WINDOW_MS = 48 * 3_600_000;

/** How many paths per sensitive account are stored (the most `lateralMovementPaths` returns). */
export const LMP_STORED_PATHS = 100;

/**
 * Neo4j labels of bookkeeping nodes (precomputed LMP results, name-key aliases, the LMP openings
 * journal); never Entity, so counts and lookups ignore them.
 */
export const DERIVED_LABELS = ["LmpExposure", "LmpState", "EntityAlias", "LmpOpening"] as const;

/** A value a free-form node property may hold: what Neo4j can store as a property. */
export type PropertyValue = string | number | boolean | string[] | number[] | boolean[];

/** A node as written: kind and objectId identify it; omitted fields keep their stored value. */
export interface NodeInput {
  kind: NodeKind;
  /** SID or GUID; matched case-insensitively (stored upper-cased), unique per tenant across kinds. */
  objectId: string;
  name?: string;
  domain?: string;
  sensitive?: boolean;
  honeytoken?: boolean;
  enabled?: boolean;
  /** Shallow-merged into the stored properties; a `null` value deletes that key. */
  properties?: Record<string, PropertyValue | null>;
  /**
   * Name keys (aliases.ts: `COMPUTER:WS01`, `USER:ACME\ALICE`) sources without a SID use for this
   * node: a node stored under one is merged into this one, and later writes and reads by it land here.
   * Only for a node keyed by SID or GUID; each must be a name key of the node's kind.
   */
  aliases?: string[];
}

/** A node as stored. Defaults on first write: name/domain "", sensitive/honeytoken false, enabled true. */
export interface GraphNode {
  tenantId: string;
  kind: NodeKind;
  objectId: string;
  name: string;
  domain: string;
  sensitive: boolean;
  honeytoken: boolean;
  enabled: boolean;
  properties: Record<string, PropertyValue>;
}

/** An edge observation. (tenant, kind, from, to) identifies the edge; repeats only widen its time span. */
export interface EdgeInput {
  kind: EdgeKind;
  /** objectId of the tail node (e.g. the computer for HAS_SESSION). */
  from: string;
  /** objectId of the head node. */
  to: string;
  /** Where it was observed: "event:4624", "ldap", "sharphound", … */
  source: string;
  /** Defaults to lastSeen. */
  firstSeen?: Date;
  lastSeen: Date;
}

/** An edge as stored: firstSeen is the earliest observation, lastSeen the latest, source that of the latest. */
export interface GraphEdge {
  kind: EdgeKind;
  from: string;
  to: string;
  source: string;
  firstSeen: Date;
  lastSeen: Date;
}

/** Whether `value` names a node kind. */
export function isNodeKind(value: unknown): value is NodeKind {
  return typeof value === "string" && (NODE_KINDS as readonly string[]).includes(value);
}

/** Whether `value` names an edge kind. */
export function isEdgeKind(value: unknown): value is EdgeKind {
  return typeof value === "string" && Object.hasOwn(EDGE_SCHEMA, value);
}
