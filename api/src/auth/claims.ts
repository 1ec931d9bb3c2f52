import type { JWTPayload } from "jose";
import { type Role, type Viewer, isRole, roleRank } from "./viewer.ts";

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

/** The viewer a verified payload describes, or the reason it describes none. */
export function viewerFromClaims(payload: JWTPayload): Viewer | string {
  const tenantId = payload[TENANT_CLAIM];
  if (typeof tenantId !== "string" || !TENANT_ID.test(tenantId)) return `token has no valid ${TENANT_CLAIM} claim`;
  if (typeof payload.sub !== "string" || payload.sub.length === 0) return "token has no sub claim";
  const role = highestRole(payload);
  if (!role) return "token carries no Vigil role (reader, operator or admin)";
  return { tenantId, role, subject: payload.sub };
}

function highestRole(payload: JWTPayload): Role | undefined {
  const listed = payload[ROLES_CLAIM];
  const candidates = [...(Array.isArray(listed) ? listed : []), payload[ROLE_CLAIM]].filter(isRole);
  return candidates.sort((a, b) => roleRank(b) - roleRank(a))[0];
}
