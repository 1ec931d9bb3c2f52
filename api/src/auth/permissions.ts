import { forbidden, unauthenticated } from "../errors.ts";
import { type Authentication, PLATFORM_OPERATOR, type Role, type Viewer, roleRank } from "./viewer.ts";

/**
 * Every action a resolver may perform, with the least role that may perform it. Resolvers name
 * the action (Hive's `assertPerformAction`) instead of comparing roles, so this table is the
 * whole authorization policy, and the audit log records the same names.
 */
export const ACTIONS = {
  "alert:read": "reader",
  "entity:read": "reader",
  "sensor:read": "reader",
  "health:read": "reader",
  "posture:read": "reader",
  "ingest-quota:read": "admin",
  "alert:triage": "operator",
  "alert:assign": "operator",
  "alert:comment": "operator",
  "sensor:create": "admin",
  "sensor:rotate-key": "admin",
  "sensor:revoke": "admin",
  "entity:tag": "admin",
  "entity:untag": "admin",
  "credential:read": "admin",
  "credential:add": "admin",
  "credential:rotate": "admin",
  "credential:remove": "admin",
  "credential:test": "admin",
  "siem:read": "admin",
  "siem:set": "admin",
  "siem:remove": "admin",
  "health:update": "admin",
  "audit:read": "admin",
  "personal-data:export": "admin",
  "personal-data:delete": "admin",
} as const satisfies Record<string, Role>;
export type Action = keyof typeof ACTIONS;

/** Platform-level actions: only the platform-operator role performs them, outside any tenant. */
export const PLATFORM_ACTIONS = ["tenant:create", "tenant:list", "tenant:set-ingest-quota"] as const;
export type PlatformAction = (typeof PLATFORM_ACTIONS)[number];

/** Throws FORBIDDEN unless the viewer's role allows the action. */
export function assertCan(viewer: Viewer, action: Action): void {
  if (roleRank(viewer.role) < roleRank(ACTIONS[action])) throw forbidden(action);
}

/** The authenticated tenant viewer, or UNAUTHENTICATED (bad token) / FORBIDDEN (platform-only token). */
export function requireViewer(auth: Authentication, action: string): Viewer {
  if (!auth.ok) throw unauthenticated(auth.reason);
  if (!auth.viewer) throw forbidden(action);
  return auth.viewer;
}

/** The one authorization check of every tenant resolver: authenticated, in a tenant, role high enough. */
export function authorize(auth: Authentication, action: Action): Viewer {
  const viewer = requireViewer(auth, action);
  assertCan(viewer, action);
  return viewer;
}

/** The subject of a platform operator performing a platform action, or UNAUTHENTICATED / FORBIDDEN. */
export function authorizePlatform(auth: Authentication, action: PlatformAction): { subject: string } {
  if (!auth.ok) throw unauthenticated(auth.reason);
  if (!auth.platformOperator) throw forbidden(`${action} (needs ${PLATFORM_OPERATOR})`);
  return { subject: auth.subject };
}
