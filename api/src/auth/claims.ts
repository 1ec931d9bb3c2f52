import type { JWTPayload } from "jose";
import { type Authentication, PLATFORM_OPERATOR, type Role, isRole, roleRank } from "./viewer.ts";

/**
 * The tenant claim. Namespaced rather than `tid` because Entra ID (the IdP many AD shops use)
 * already puts its own directory GUID in `tid`; reusing it would silently map every user of an
 * Entra directory to whatever Vigil tenant happens to share that id.
 */
export const TENANT_CLAIM = "https://vigil/tenant";
/** Roles: `roles` (array, as Entra app roles and Keycloak emit) and/or `role` (a single string). */
export const ROLES_CLAIM = "roles";
export const ROLE_CLAIM = "role";

// Tenant ids become NATS subject tokens (`vigil.alerts.<tenantId>`): a `*` or `>` would subscribe
// to every tenant, so anything but this alphabet is rejected before it reaches a subject or query.
const TENANT_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** True when `id` may name a tenant (also what createTenant accepts). */
export const isTenantId = (id: string): boolean => TENANT_ID.test(id);

/** What a verified payload grants, or the reason it grants nothing. */
export function authenticationFromClaims(payload: JWTPayload): Authentication {
  if (typeof payload.sub !== "string" || payload.sub.length === 0) return { ok: false, reason: "token has no sub claim" };
  const subject = payload.sub;
  const claimed = roleClaims(payload);
  const platformOperator = claimed.includes(PLATFORM_OPERATOR);
  const role = claimed.filter(isRole).sort((a: Role, b: Role) => roleRank(b) - roleRank(a))[0];
  const tenantId = payload[TENANT_CLAIM];
  // A malformed tenant claim voids the token even for a platform operator: it is a broken token.
  const validTenant = typeof tenantId === "string" && isTenantId(tenantId);
  if ((role || tenantId !== undefined) && !validTenant) return { ok: false, reason: `token has no valid ${TENANT_CLAIM} claim` };
  if (role && validTenant) return { ok: true, subject, viewer: { tenantId, role, subject }, platformOperator };
  if (platformOperator) return { ok: true, subject, viewer: null, platformOperator };
  return { ok: false, reason: "token carries no Vigil role (reader, operator, admin or platform-operator)" };
}

function roleClaims(payload: JWTPayload): string[] {
  const listed = payload[ROLES_CLAIM];
  return [...(Array.isArray(listed) ? listed : []), payload[ROLE_CLAIM]].filter((r): r is string => typeof r === "string");
}
