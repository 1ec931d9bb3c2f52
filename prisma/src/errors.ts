/** Every failure @vigil/db reports itself, by code; the API maps these codes centrally. */
export const RelationalStoreErrorCode = {
  /** DATABASE_URL is not a postgres:// or postgresql:// URL with a host. */
  INVALID_DATABASE_URL: "INVALID_DATABASE_URL",
  /** No PostgreSQL answered at the URL's host and port (refused, unknown host, timeout). */
  DATABASE_UNREACHABLE: "DATABASE_UNREACHABLE",
  /** PostgreSQL answered but refused the session (bad credentials, missing database, too many clients). */
  DATABASE_CONNECTION_REJECTED: "DATABASE_CONNECTION_REJECTED",
  /** The role is a superuser or has BYPASSRLS, so row-level security would not isolate tenants. */
  DATABASE_ROLE_BYPASSES_RLS: "DATABASE_ROLE_BYPASSES_RLS",
  /** The embedded PGlite database could not be opened (e.g. a corrupt or locked data directory). */
  EMBEDDED_DATABASE_FAILED: "EMBEDDED_DATABASE_FAILED",
  /** Applying a migration failed, or an earlier one is recorded as failed. */
  MIGRATION_FAILED: "MIGRATION_FAILED",
  /** The tenant id is empty or malformed. */
  INVALID_TENANT_ID: "INVALID_TENANT_ID",
  /** A write named another tenant's id than the scope it ran under (PostgreSQL RLS, SQLSTATE 42501). */
  TENANT_ISOLATION_VIOLATION: "TENANT_ISOLATION_VIOLATION",
} as const;

/** One of the codes above. */
export type RelationalStoreErrorCode = (typeof RelationalStoreErrorCode)[keyof typeof RelationalStoreErrorCode];

/** An error raised by @vigil/db, with a stable `code` and a message that never contains a password. */
export class RelationalStoreError extends Error {
  override readonly name = "RelationalStoreError";

  constructor(
    readonly code: RelationalStoreErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** True when `err` is a RelationalStoreError, optionally with the given code. */
export function isRelationalStoreError(err: unknown, code?: RelationalStoreErrorCode): err is RelationalStoreError {
  return err instanceof RelationalStoreError && (code === undefined || err.code === code);
}

/** The SQLSTATE of a pg / PGlite error, or of the database error inside a Prisma driver-adapter error. */
export function sqlStateOf(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e && typeof e === "object" && depth < 5; depth++) {
    const o = e as {
      code?: unknown;
      severity?: unknown;
      meta?: { driverAdapterError?: { cause?: { originalCode?: unknown } } };
      cause?: unknown;
    };
    const adapterCode = o.meta?.driverAdapterError?.cause?.originalCode;
    if (typeof adapterCode === "string") return adapterCode;
    // pg's and PGlite's DatabaseError carry the SQLSTATE in `code` next to a `severity`.
    if (typeof o.code === "string" && typeof o.severity === "string") return o.code;
    e = o.cause;
  }
  return undefined;
}
