/** Machine-readable codes for failures of the LDAP entity sync. */
export type LdapSyncErrorCode =
  /** The DC refused the bind DN / password (LDAP result 49). */
  | "LDAP_BAD_CREDENTIALS"
  /** No TCP connection to the DC (refused, no route, DNS, connect timeout). */
  | "LDAP_UNREACHABLE"
  /** The TLS handshake failed: untrusted or mismatched certificate, protocol error. */
  | "LDAP_TLS_FAILURE"
  /** The DC refuses a simple bind over a plain connection (strong auth / confidentiality required). */
  | "LDAP_TLS_REQUIRED"
  /** The DC answered a search with an error (no such base DN, access denied, busy…). */
  | "LDAP_SEARCH_FAILED"
  /** The connection dropped or an operation timed out in the middle of a sync. */
  | "LDAP_CONNECTION_LOST"
  /** Options that can never work (empty URL, page size out of range…). */
  | "LDAP_INVALID_OPTIONS"
  /** The sync state file could not be written. */
  | "LDAP_STATE_WRITE_FAILED";

/** A coded LDAP sync error; `message` is written for an operator and never contains the password. */
export class LdapSyncError extends Error {
  override readonly name = "LdapSyncError";
  constructor(
    readonly code: LdapSyncErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** True when `err` is an LdapSyncError, optionally with the given code. */
export function isLdapSyncError(err: unknown, code?: LdapSyncErrorCode): err is LdapSyncError {
  return err instanceof LdapSyncError && (code === undefined || err.code === code);
}

const UNREACHABLE = new Set(["ECONNREFUSED", "EHOSTUNREACH", "ENETUNREACH", "ETIMEDOUT", "ENOTFOUND", "EAI_AGAIN", "ECONNRESET", "EPIPE"]);
const TLS_CODES = /^(ERR_TLS_|ERR_SSL_|CERT_|DEPTH_ZERO_|SELF_SIGNED_|UNABLE_TO_(GET|VERIFY)_|HOSTNAME_MISMATCH|ERR_OSSL_)/;

/** LDAP result codes as ldapts reports them on ResultCodeError. */
const RESULT_INVALID_CREDENTIALS = 49;
const RESULT_STRONG_AUTH_REQUIRED = 8;
const RESULT_CONFIDENTIALITY_REQUIRED = 13;

/**
 * Turns whatever ldapts or the socket threw into a coded error. `during` says what was being done
 * ("bind", "search …") so the operator knows which step failed; `url` names the DC.
 */
export function toLdapSyncError(error: unknown, url: string, during: string): LdapSyncError {
  if (error instanceof LdapSyncError) return error;
  const e = error as { code?: unknown; message?: unknown } | undefined;
  const text = typeof e?.message === "string" ? e.message : String(error);
  const code = e?.code;
  if (code === RESULT_INVALID_CREDENTIALS)
    return new LdapSyncError("LDAP_BAD_CREDENTIALS", `${url}: the DC rejected the bind DN or password (${text})`, { cause: error });
  if (code === RESULT_STRONG_AUTH_REQUIRED || code === RESULT_CONFIDENTIALITY_REQUIRED)
    return new LdapSyncError(
      "LDAP_TLS_REQUIRED",
      `${url}: the DC refuses a simple bind over a plain connection; use ldaps:// or startTls (${text})`,
      { cause: error },
    );
  if (typeof code === "string" && TLS_CODES.test(code))
    return new LdapSyncError("LDAP_TLS_FAILURE", `${url}: TLS handshake failed during ${during}: ${code} (${text})`, { cause: error });
  if (typeof code === "string" && UNREACHABLE.has(code)) {
    // A reset after the connection was up is a lost connection, not an unreachable DC.
    const lost = during !== "connect" && (code === "ECONNRESET" || code === "EPIPE");
    return new LdapSyncError(
      lost ? "LDAP_CONNECTION_LOST" : "LDAP_UNREACHABLE",
      `${url}: ${lost ? "connection lost" : "cannot reach the DC"} during ${during}: ${code} (${text})`,
      { cause: error },
    );
  }
  if (/connection timeout|connect timeout/i.test(text))
    return new LdapSyncError("LDAP_UNREACHABLE", `${url}: cannot reach the DC during ${during}: ${text}`, { cause: error });
  if (/timeout|socket closed|connection closed|not connected/i.test(text))
    return new LdapSyncError("LDAP_CONNECTION_LOST", `${url}: ${text} during ${during}`, { cause: error });
  if (typeof code === "number")
    return new LdapSyncError("LDAP_SEARCH_FAILED", `${url}: ${during} failed with LDAP result ${code}: ${text}`, { cause: error });
  return new LdapSyncError("LDAP_SEARCH_FAILED", `${url}: ${during} failed: ${text}`, { cause: error });
}
