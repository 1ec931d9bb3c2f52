/** Roles in increasing order of power; each role may do everything the ones before it may. */
export const ROLES = ["reader", "operator", "admin"] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling: always derived from a verified token, never from GraphQL arguments. */
export interface Viewer {
  readonly tenantId: string;
  readonly role: Role;
  /** The token's `sub`; recorded as the actor of audit entries. */
  readonly subject: string;
}

/** Result of authenticating one request: resolvers turn a failure into UNAUTHENTICATED lazily. */
export type Authentication = { ok: true; viewer: Viewer } | { ok: false; reason: string };

export const roleRank = (role: Role): number => ROLES.indexOf(role);

export const isRole = (value: unknown): value is Role => typeof value === "string" && (ROLES as readonly string[]).includes(value);
