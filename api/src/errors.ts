import { GraphQLError, type GraphQLFormattedError } from "graphql";

/** Every error code the API puts in GraphQL `extensions.code`. */
export const ErrorCode = {
  UNAUTHENTICATED: "UNAUTHENTICATED",
  FORBIDDEN: "FORBIDDEN",
  NOT_FOUND: "NOT_FOUND",
  BAD_USER_INPUT: "BAD_USER_INPUT",
  /** A per-tenant ceiling (e.g. 30 directory credentials) would be exceeded. */
  LIMIT_EXCEEDED: "LIMIT_EXCEEDED",
  /** The tenant sent more requests than its rate allows; retry after the time the message names. */
  RATE_LIMITED: "RATE_LIMITED",
  /** The deployment lacks what the operation needs (e.g. no secrets key for credentials). */
  NOT_CONFIGURED: "NOT_CONFIGURED",
  /** A service the operation needs (e.g. NATS for a sensor revocation) did not answer; nothing changed, retry. */
  UNAVAILABLE: "UNAVAILABLE",
  /** The request body is larger than the server accepts. */
  PAYLOAD_TOO_LARGE: "PAYLOAD_TOO_LARGE",
  /** The HTTP request itself is unusable (no JSON body, no query, a subscription over HTTP). */
  BAD_REQUEST: "BAD_REQUEST",
  QUERY_TOO_DEEP: "QUERY_TOO_DEEP",
  QUERY_TOO_COMPLEX: "QUERY_TOO_COMPLEX",
  GRAPHQL_PARSE_FAILED: "GRAPHQL_PARSE_FAILED",
  GRAPHQL_VALIDATION_FAILED: "GRAPHQL_VALIDATION_FAILED",
  INTERNAL: "INTERNAL",
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

const KNOWN_CODES = new Set<string>(Object.values(ErrorCode));

/**
 * An error meant for the caller. graphql-js copies `extensions` of an original error onto the
 * GraphQLError it wraps it in, so the code survives every server and transport unchanged.
 */
export class VigilError extends Error {
  readonly extensions: { code: ErrorCode };
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "VigilError";
    this.extensions = { code };
  }
}

/** No valid bearer token; the message says why without echoing the token. */
export const unauthenticated = (reason: string) => new VigilError(ErrorCode.UNAUTHENTICATED, reason);
/** The viewer's role does not allow the action. */
export const forbidden = (action: string) => new VigilError(ErrorCode.FORBIDDEN, `Not allowed: ${action}`);
/** Also used for other tenants' objects, so their ids never leak through a FORBIDDEN. */
export const notFound = (what: string) => new VigilError(ErrorCode.NOT_FOUND, `${what} not found`);
/** A deployment setting the operation needs is missing. */
export const notConfigured = (what: string) => new VigilError(ErrorCode.NOT_CONFIGURED, what);
/** Arguments the caller must change. */
export const badInput = (message: string) => new VigilError(ErrorCode.BAD_USER_INPUT, message);
/** A dependency did not answer; the operation changed nothing and may be retried. */
export const unavailable = (message: string) => new VigilError(ErrorCode.UNAVAILABLE, message);

/** A validation-phase error carrying one of our codes (used by the query limit rules). */
export function codedValidationError(code: ErrorCode, message: string, nodes?: GraphQLError["nodes"]): GraphQLError {
  return new GraphQLError(message, { nodes, originalError: new VigilError(code, message) });
}

function vigilErrorIn(error: unknown): VigilError | undefined {
  // Servers wrap errors one or two levels deep (Apollo re-wraps validation errors).
  for (let e: unknown = error, depth = 0; e && depth < 5; depth++) {
    if (e instanceof VigilError) return e;
    e = (e as { originalError?: unknown }).originalError;
  }
  return undefined;
}

/**
 * The one mapping from any error to what clients see, used by both servers: our coded errors
 * verbatim; graphql-js parse, validation and variable errors as GRAPHQL_PARSE_FAILED,
 * GRAPHQL_VALIDATION_FAILED or BAD_USER_INPUT; Fastify client errors as BAD_REQUEST; anything else
 * as a generic INTERNAL (the real error is logged by the caller, never sent: no stack, no SQL).
 */
export function formatError(error: GraphQLError): GraphQLFormattedError {
  const base = { locations: error.locations, path: error.path };
  const vigil = vigilErrorIn(error);
  if (vigil) return { message: vigil.message, ...base, extensions: { code: vigil.code } };
  const original = error.originalError;
  if (!original || original instanceof GraphQLError) return { message: error.message, ...base, extensions: { code: graphqlCode(error) } };
  // Fastify's own client errors (malformed JSON body…) carry a 4xx status and a safe message.
  const status = (original as { statusCode?: unknown }).statusCode;
  if (status === 413) return { message: original.message, ...base, extensions: { code: ErrorCode.PAYLOAD_TOO_LARGE } };
  if (typeof status === "number" && status >= 400 && status < 500) {
    return { message: original.message, ...base, extensions: { code: ErrorCode.BAD_REQUEST } };
  }
  return { message: "Internal server error", ...base, extensions: { code: ErrorCode.INTERNAL } };
}

// Errors graphql-js raised before execution. Apollo already coded them; Mercurius did not, so
// classify the same way Apollo does and both servers answer alike.
function graphqlCode(error: GraphQLError): ErrorCode {
  const given = error.extensions?.code;
  if (typeof given === "string" && KNOWN_CODES.has(given)) return given as ErrorCode;
  if (error.message.startsWith("Syntax Error")) return ErrorCode.GRAPHQL_PARSE_FAILED;
  if (error.message.startsWith('Variable "$')) return ErrorCode.BAD_USER_INPUT;
  return ErrorCode.GRAPHQL_VALIDATION_FAILED;
}

/** True when the error is the server's fault, so it should be logged at error level. */
export function isInternal(error: GraphQLError): boolean {
  return formatError(error).extensions?.code === ErrorCode.INTERNAL;
}
