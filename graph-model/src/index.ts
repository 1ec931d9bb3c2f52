/** @vigil/graph-model: the identity graph port, its schema, and the Neo4j and embedded adapters. */

/** Node and edge kinds, the node/edge shapes, and the path-length bound (the one schema source). */
export {
  NODE_KINDS,
  EDGE_KINDS,
  EDGE_SCHEMA,
  BASE_LABEL,
  MAX_PATH_HOPS,
  LMP_EDGE_KINDS,
  LMP_MAX_HOPS,
  LMP_SESSION_WINDOW_MS,
  LMP_STORED_PATHS,
  DERIVED_LABELS,
  isNodeKind,
  isEdgeKind,
  type NodeKind,
  type EdgeKind,
  type EdgeKindSpec,
  type PropertyValue,
  type NodeInput,
  type GraphNode,
  type EdgeInput,
  type GraphEdge,
} from "./schema.ts";
/** The IdentityGraph port and its option/result types. */
export type {
  IdentityGraph,
  Direction,
  NeighbourOptions,
  Neighbour,
  PathOptions,
  GraphPath,
  UpsertEdgesResult,
  GraphCounts,
  GraphHealth,
  EdgeRef,
  SensitiveAccount,
  LmpPrecomputeOptions,
  LmpPrecomputeResult,
  Exposure,
} from "./port.ts";
/** Name keys and aliases: how sources without a SID name a node, so one machine is one node (aliases.ts). */
export { nameKey, computerLabel, isNameKey } from "./aliases.ts";
/** A journaled new lateral-movement path (lmpOpenings / ackLmpOpenings). */
export type { LmpOpening, PathIds } from "./lmp-openings.ts";
/** Effective sensitivity: the default sensitive groups (the one list; the detection engine reads it too), Tier Zero roles. */
export {
  DEFAULT_SENSITIVE_GROUPS,
  TIER_ZERO_ROLES,
  isDefaultSensitiveGroup,
  isTierZeroComputer,
  type DefaultSensitiveGroup,
  type SensitivityReason,
} from "./sensitivity.ts";
/** Coded errors (GRAPH_UNREACHABLE, GRAPH_KIND_CONFLICT, …). */
export { GraphError, isGraphError, type GraphErrorCode } from "./errors.ts";
/** The Neo4j adapter factory and its options. */
export { createNeo4jGraph } from "./neo4j/adapter.ts";
export type { Neo4jGraphOptions } from "./neo4j/connection.ts";
/** The embedded graphology adapter factory (with snapshot/load) and its options. */
export { createMemoryGraph, type MemoryIdentityGraph, type MemoryGraphOptions } from "./memory/adapter.ts";
