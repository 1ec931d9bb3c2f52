import pg from "pg";
import { parseDatabaseUrl, redactPassword, type DatabaseUrlInfo } from "./database-url.ts";
import { RelationalStoreError, sqlStateOf } from "./errors.ts";

/** How long a connection attempt may take before it counts as unreachable. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 3_000;

// Server-side refusals (SQLSTATE class 28 = authorization, 3D000 = no such database, 53300 = too many
// connections, 57P03 = starting up) are distinct from "nothing answered".
const REJECTED_STATES = new Set(["28000", "28P01", "3D000", "53300", "57P03"]);

/** Turns a pg connection failure into a coded error naming host, port and database (never the password). */
export function connectionError(err: unknown, databaseUrl: string, info: DatabaseUrlInfo): RelationalStoreError {
  const reason = redactPassword(err instanceof Error ? err.message : String(err), databaseUrl);
  const state = sqlStateOf(err);
  const who = `PostgreSQL at ${info.host}:${info.port} (database "${info.database}", user "${info.user}")`;
  if (state && REJECTED_STATES.has(state)) {
    return new RelationalStoreError("DATABASE_CONNECTION_REJECTED", `${who} refused the connection: ${reason}`, { cause: err });
  }
  return new RelationalStoreError("DATABASE_UNREACHABLE", `${who} is unreachable: ${reason}`, { cause: err });
}

/** Opens one pg connection (for migrations and start-up probes), failing fast with a coded error. */
export async function connectPostgres(databaseUrl: string, connectTimeoutMs = DEFAULT_CONNECT_TIMEOUT_MS): Promise<pg.Client> {
  const info = parseDatabaseUrl(databaseUrl);
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: connectTimeoutMs });
  // An idle connection dropped by the server emits 'error'; without a listener that kills the process.
  client.on("error", () => {});
  try {
    await client.connect();
  } catch (err) {
    await client.end().catch(() => {});
    throw connectionError(err, databaseUrl, info);
  }
  return client;
}
