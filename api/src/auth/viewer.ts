/** Tenant roles in increasing order of power (MDI's Security Reader / Operator / Administrator). */
export const ROLES = ["reader", "operator", "admin"] as const;
export type Role = (typeof ROLES)[number];

/**
 * The platform-level role: runs the Vigil service itself and creates tenants. It grants nothing
 * inside any tenant, so a hosting operator cannot read customer alerts by holding it.
 */
export const PLATFORM_OPERATOR = "platform-operator";

/** Who is calling inside one tenant: always derived from a verified token, never from GraphQL arguments. */
export interface Viewer {
  readonly tenantId: string;
  readonly role: Role;
  /** The token's `sub`; recorded as the actor of audit entries. */
  readonly subject: string;
}

/**
 * Result of authenticating one request: resolvers turn a failure into UNAUTHENTICATED lazily. A
 * token may carry a tenant role (`viewer`), the platform-operator role, or both.
 */
export type Authentication =
  { ok: true; subject: string; viewer: Viewer | null; platformOperator: boolean } | { ok: false; reason: string };

export const roleRank = (role: Role): number => ROLES.indexOf(role);

export const isRole = (value: unknown): value is Role => typeof value === "string" && (ROLES as readonly string[]).includes(value);
