import { RelationalStoreError } from "./errors.ts";

/** The parts of a PostgreSQL URL that are safe to show in messages and logs (no password). */
export interface DatabaseUrlInfo {
  host: string;
  port: number;
  database: string;
  user: string;
  /** "host:port/database" for messages. */
  display: string;
}

/**
 * Validates a postgres:// or postgresql:// URL and returns its displayable parts. The raw URL is never
 * echoed back, since it usually holds a password.
 */
export function parseDatabaseUrl(databaseUrl: string): DatabaseUrlInfo {
  let url: URL;
  try {
    url = new URL(databaseUrl);
  } catch {
    throw new RelationalStoreError(
      "INVALID_DATABASE_URL",
      "DATABASE_URL is not a valid URL; expected postgresql://user:password@host:port/database",
    );
  }
  if (url.protocol !== "postgres:" && url.protocol !== "postgresql:") {
    throw new RelationalStoreError(
      "INVALID_DATABASE_URL",
      `DATABASE_URL has scheme "${url.protocol.replace(/:$/, "")}"; expected postgresql://user:password@host:port/database`,
    );
  }
  // pg would silently fall back to a Unix socket or PGHOST for a missing host; refuse instead.
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  if (host === "") {
    throw new RelationalStoreError(
      "INVALID_DATABASE_URL",
      "DATABASE_URL has no host; expected postgresql://user:password@host:port/database",
    );
  }
  const port = url.port === "" ? 5432 : Number(url.port);
  const database = decodeURIComponent(url.pathname.replace(/^\//, "")) || decodeURIComponent(url.username) || "postgres";
  const user = decodeURIComponent(url.username);
  return { host, port, database, user, display: `${url.hostname}:${port}/${database}` };
}

/** `message` with every occurrence of the URL's password masked (drivers sometimes quote settings). */
export function redactPassword(message: string, databaseUrl: string): string {
  let password = "";
  try {
    password = decodeURIComponent(new URL(databaseUrl).password);
  } catch {
    return message;
  }
  return password.length >= 3 ? message.split(password).join("***") : message;
}
