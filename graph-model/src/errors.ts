/** Every error graph-model throws on purpose carries one of these codes (mapped centrally by api/). */
export type GraphErrorCode =
  /** The graph server cannot be reached (message names host:port). */
  | "GRAPH_UNREACHABLE"
  /** The graph server refused the credentials. */
  | "GRAPH_AUTH_FAILED"
  /** Input breaks the port contract (empty tenant, unknown kind, bad date, maxHops out of range…). */
  | "GRAPH_INVALID_INPUT"
  /** A node was written with a kind other than the one its objectId already has in this tenant. */
  | "GRAPH_KIND_CONFLICT"
  /** The server rejected or failed a statement for another reason (message names the cypher file). */
  | "GRAPH_QUERY_FAILED"
  /** A snapshot file is not a graph snapshot this version can read. */
  | "GRAPH_SNAPSHOT_INVALID"
  /** The graph was used after close(). */
  | "GRAPH_CLOSED";

/** A coded graph-model error; `code` is stable, `message` is for humans. */
export class GraphError extends Error {
  override readonly name = "GraphError";
  constructor(
    readonly code: GraphErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Whether `err` is a GraphError (optionally with the given code). */
export function isGraphError(err: unknown, code?: GraphErrorCode): err is GraphError {
  return err instanceof GraphError && (code === undefined || err.code === code);
}

/** Shorthand for the most common throw. */
export function invalidInput(message: string): GraphError {
  return new GraphError("GRAPH_INVALID_INPUT", message);
}
