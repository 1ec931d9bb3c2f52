/** LDAP entity sync: directory objects from a DC as `entity.snapshot` drafts, incremental by USN. */
export {
  createLdapSync,
  type LdapSync,
  type LdapSyncOptions,
  type LdapSyncRunOptions,
  type LdapSyncResult,
  type LdapSyncProgress,
  type LdapSyncProblem,
} from "./sync.ts";
export { LdapSyncError, isLdapSyncError, type LdapSyncErrorCode } from "./errors.ts";
