/**
 * Driver setup and error translation for the Neo4j adapter. The driver's managed transactions retry
 * ServiceUnavailable for `maxTransactionRetryTime` (30 s by default), which would stall the stream
 * processor for half a minute before anyone learns the graph is down; the retry window is bounded here
 * and a cheap connectivity probe (fails in milliseconds) runs before first use.
 */
import neo4j, { type Driver, type ManagedTransaction } from "neo4j-driver";
import { GraphError } from "../errors.ts";

/** Options for the Neo4j adapter; composition roots pass these from their parsed env. */
export interface Neo4jGraphOptions {
  /** bolt:// or neo4j:// URI, e.g. bolt://127.0.0.1:7687. */
  uri: string;
  user: string;
  password: string;
  /** Default "neo4j" (naming it saves a home-database round trip per session). */
  database?: string;
  /** Upper bound on retrying transient failures per call (default 5000 ms). */
  maxTransactionRetryTimeMs?: number;
  /** TCP connect timeout (default 5000 ms). */
  connectionTimeoutMs?: number;
  /** Server-side timeout per transaction (default 60000 ms). */
  transactionTimeoutMs?: number;
  maxConnectionPoolSize?: number;
  /** Clock for the default LMP asOf (tests). */
  now?: () => Date;
  /** Where the .cypher files live (default: the repository's cypher/, found from this package). */
  cypherDir?: string;
}

/** A connected driver plus the few ways the adapter runs statements. */
export interface Connection {
  readonly driver: Driver;
  /** host:port, for messages and health. */
  readonly target: string;
  read(statement: string, query: string, params: Record<string, unknown>): Promise<Record<string, unknown>[]>;
  write(statement: string, query: string, params: Record<string, unknown>): Promise<Record<string, unknown>[]>;
  /** Several statements in one write transaction (all or nothing). */
  writeTx<T>(statement: string, work: (tx: ManagedTransaction) => Promise<T>): Promise<T>;
  /** Resolves once the server answers; GRAPH_UNREACHABLE / GRAPH_AUTH_FAILED otherwise. */
  verify(): Promise<void>;
}

export function hostPort(uri: string): string {
  try {
    const url = new URL(uri);
    return `${url.hostname}:${url.port || "7687"}`;
  } catch {
    throw new GraphError("GRAPH_INVALID_INPUT", `invalid Neo4j URI ${JSON.stringify(uri)}`);
  }
}

export function connect(opts: Neo4jGraphOptions): Connection {
  const target = hostPort(opts.uri);
  const database = opts.database ?? "neo4j";
  const timeout = opts.transactionTimeoutMs ?? 60_000;
  const driver = neo4j.driver(opts.uri, neo4j.auth.basic(opts.user, opts.password), {
    maxTransactionRetryTime: opts.maxTransactionRetryTimeMs ?? 5_000,
    connectionTimeout: opts.connectionTimeoutMs ?? 5_000,
    connectionAcquisitionTimeout: (opts.connectionTimeoutMs ?? 5_000) * 2,
    maxConnectionPoolSize: opts.maxConnectionPoolSize ?? 50,
    // Counts and epoch-ms timestamps fit in 2^53; plain numbers keep results free of driver types.
    disableLosslessIntegers: true,
  });
  const fail = (statement: string, err: unknown) => translateError(err, target, statement);

  const run = async (statement: string, query: string, params: Record<string, unknown>, routing: "READ" | "WRITE") => {
    try {
      const result = await driver.executeQuery(query, params, {
        database,
        routing: routing === "READ" ? neo4j.routing.READ : neo4j.routing.WRITE,
        transactionConfig: { timeout },
      });
      return result.records.map((r) => r.toObject() as Record<string, unknown>);
    } catch (err) {
      throw fail(statement, err);
    }
  };

  return {
    driver,
    target,
    read: (statement, query, params) => run(statement, query, params, "READ"),
    write: (statement, query, params) => run(statement, query, params, "WRITE"),
    async writeTx(statement, work) {
      const session = driver.session({ database, defaultAccessMode: neo4j.session.WRITE });
      try {
        return await session.executeWrite(work, { timeout });
      } catch (err) {
        throw fail(statement, err);
      } finally {
        await session.close();
      }
    },
    async verify() {
      try {
        await driver.verifyConnectivity({ database });
      } catch (err) {
        throw fail("connectivity check", err);
      }
    },
  };
}

/** Neo4j / driver errors → coded GraphErrors; GraphErrors pass through. */
export function translateError(err: unknown, target: string, statement: string): GraphError {
  if (err instanceof GraphError) return err;
  const code = (err as { code?: unknown })?.code;
  const message = err instanceof Error ? err.message : String(err);
  if (code === neo4j.error.SERVICE_UNAVAILABLE || code === neo4j.error.SESSION_EXPIRED || isSocketError(message)) {
    return new GraphError("GRAPH_UNREACHABLE", `Neo4j at ${target} is unreachable: ${message}`, { cause: err });
  }
  if (typeof code === "string" && code.startsWith("Neo.ClientError.Security.")) {
    return new GraphError("GRAPH_AUTH_FAILED", `Neo4j at ${target} refused the credentials: ${message}`, { cause: err });
  }
  if (code === "Neo.ClientError.Schema.ConstraintValidationFailed" && statement === "nodes/upsert") {
    return new GraphError("GRAPH_KIND_CONFLICT", `an objectId in the batch is stored under another kind: ${message}`, { cause: err });
  }
  return new GraphError("GRAPH_QUERY_FAILED", `${statement}: ${String(code ?? "error")}: ${message}`, { cause: err });
}

function isSocketError(message: string): boolean {
  return /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|Failed to connect/i.test(message);
}
