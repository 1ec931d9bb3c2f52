/** What a connection test needs: where the DC is and the account to bind as. */
export interface DirectoryBindTarget {
  /** ldap://host[:port] or ldaps://host[:port]. */
  ldapUrl: string;
  /** The bind name: a UPN (svc@corp.example.com) or DOMAIN\account. */
  bindName: string;
  password: string;
}

/** Why a test failed, coarse enough to show an admin without leaking anything about the DC. */
export type DirectoryTestFailure = "unreachable" | "timeout" | "tls-error" | "invalid-credentials" | "protocol-error" | "refused";

/** Result of one bind attempt. */
export type DirectoryTestResult = { ok: true } | { ok: false; reason: DirectoryTestFailure; message: string };

/**
 * The port testConnection goes through. The API ships a minimal LDAP simple-bind tester
 * (`createLdapBindTester`); a deployment may inject another (e.g. one built on the LDAP sync client).
 */
export interface DirectoryConnectionTester {
  test(target: DirectoryBindTarget): Promise<DirectoryTestResult>;
}
