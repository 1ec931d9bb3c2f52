/**
 * What the GPO reader extracts from a policy: changes to the local Administrators group of the
 * computers it applies to. Other local groups and every other setting are out of scope (graph-model
 * has no edge kind for them yet).
 */

/** The built-in local Administrators group (BUILTIN\Administrators, whatever the OS language). */
export const ADMINISTRATORS_SID = "S-1-5-32-544";

/** A principal as a policy names it: by SID (`*S-1-5-…` in templates, `sid=` in GPP) or by account name. */
export interface MemberRef {
  /** Upper-cased SID when the policy gives one. */
  sid?: string;
  /** Account name as written (`VIGIL\Helpdesk`, `Helpdesk`, `helpdesk@vigil.lab`) when no SID is given or beside it. */
  name?: string;
}

/** Which file a setting came from. */
export type PolicyFileKind = "security-template" | "group-preferences";

/**
 * One change to the local Administrators group, in the order the client applies it:
 * `replaceWith` (the membership becomes exactly this list), then `clearUsers` / `clearGroups`, then
 * `remove`, then `add`.
 */
export interface AdminGroupChange {
  from: PolicyFileKind;
  /** Restricted Groups `Administrators__Members`: the whole membership (an empty list empties it). */
  replaceWith?: MemberRef[];
  /** GPP deleteAllUsers: user members are removed first. */
  clearUsers?: boolean;
  /** GPP deleteAllGroups: group members are removed first. */
  clearGroups?: boolean;
  remove: MemberRef[];
  add: MemberRef[];
  /** GPP item-level targeting present: Vigil does not evaluate it and applies the item everywhere (over-approximation). */
  targeted?: boolean;
}

/** How one policy file was read. */
export interface PolicyFileReport {
  /** Path relative to the Policies directory, `/`-separated. */
  path: string;
  kind: PolicyFileKind;
  /** `rejected`: nothing of the file is used (see `reason`). */
  status: "read" | "rejected";
  reason?: string;
  /** Lines or items skipped, sections not understood, and other remarks; the rest of the file is used. */
  notes: string[];
}

/** The Administrators changes of one GPO folder (`{GUID}`), security template first, then GPP. */
export interface GpoLocalAdminPolicy {
  /** The GPO's GUID (the folder name), upper-case, without braces. */
  guid: string;
  /** Folder path relative to the Policies directory. */
  folder: string;
  changes: AdminGroupChange[];
  files: PolicyFileReport[];
  /** Why the folder could not be listed (its settings are unknown, not absent). */
  unreadable?: string;
}
