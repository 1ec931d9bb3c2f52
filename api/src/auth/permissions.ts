import { forbidden, unauthenticated } from "../errors.ts";
import { type Authentication, type Role, type Viewer, roleRank } from "./viewer.ts";

/**
 * Every action a resolver may perform, with the least role that may perform it. Resolvers name
 * the action (Hive's `assertPerformAction`) instead of comparing roles, so this table is the
 * whole authorization policy and the audit log uses the same names.
 */
export const ACTIONS = {
  "alert:read": "reader",
  "entity:read": "reader",
  "sensor:read": "reader",
  "alert:triage": "operator",
  "sensor:create": "admin",
  "entity:tag": "admin",
  "entity:untag": "admin",
} as const satisfies Record<string, Role>;
export type Action = keyof typeof ACTIONS;

/** Throws FORBIDDEN unless the viewer's role allows the action. */
export function assertCan(viewer: Viewer, action: Action): void {
  if (roleRank(viewer.role) < roleRank(ACTIONS[action])) throw forbidden(action);
}

/** The authenticated viewer, or UNAUTHENTICATED with the verification failure as message. */
export function requireViewer(auth: Authentication): Viewer {
  if (!auth.ok) throw unauthenticated(auth.reason);
  return auth.viewer;
}

/** The viewer, after checking both authentication and the action. */
export function authorize(auth: Authentication, action: Action): Viewer {
  const viewer = requireViewer(auth);
  assertCan(viewer, action);
  return viewer;
}
