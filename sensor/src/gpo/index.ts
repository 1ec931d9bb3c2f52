/** GPO local administrators: Restricted Groups and GPP local groups from SYSVOL, scoped by gPLink, as grants. */
export { readGpoPolicies, type ReadGpoPoliciesOptions, type GpoPolicies } from "./policies-dir.ts";
export { parseSecurityTemplate, parseMemberList, type SecurityTemplateResult } from "./security-template.ts";
export { parseGroupPreferences, type GroupPreferencesResult } from "./group-preferences.ts";
export { decodePolicyText } from "./text.ts";
export {
  buildGpoDirectory,
  gpoGuidOfDn,
  type GpoDirectory,
  type DirectoryEntity,
  type DirectoryPrincipal,
  type DirectoryGpo,
  type GpoContainer,
  type GpoLinkInfo,
  type MemberKind,
} from "./directory.ts";
export { createScopeResolver, splitDn, type AppliedGpo, type SkippedLink } from "./scope.ts";
export {
  evaluateLocalAdmins,
  resolveMember,
  type LocalAdminEvaluation,
  type LocalAdminGrant,
  type UnresolvedMember,
} from "./local-admins.ts";
export { GpoError, isGpoError, type GpoErrorCode } from "./errors.ts";
export * from "./types.ts";
