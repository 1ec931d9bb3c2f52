/**
 * What the LDAP sync asks the DC for: object classes per partition, the attributes detections and
 * posture read, and which of them are binary (ldapts would otherwise decode them as UTF-8 and
 * corrupt them).
 */
import type { EventOf } from "../contract/index.ts";

/** The object types the sync emits (`entity.snapshot` objectType). */
export type SnapshotObjectType = EventOf<"entity.snapshot">["entity"]["objectType"];

/** Object classes read from the domain partition (objectClass=user also matches computers). */
export const DOMAIN_CLASSES = ["user", "group", "organizationalUnit", "domainDNS", "groupPolicyContainer", "trustedDomain"] as const;
/** Object classes read from CN=Sites of the configuration partition. */
export const SITE_CLASSES = ["site", "subnet"] as const;

/** OR of objectClass equality filters. */
export function classFilter(classes: readonly string[]): string {
  return `(|${classes.map((c) => `(objectClass=${c})`).join("")})`;
}

/**
 * The most specific type an entry's objectClass list names. Order matters: a computer is also a
 * user, so computer is checked first. Undefined for classes the sync does not emit (contacts…).
 */
export function objectTypeOf(objectClasses: readonly string[]): SnapshotObjectType | undefined {
  const classes = new Set(objectClasses.map((c) => c.toLowerCase()));
  if (classes.has("computer")) return "computer";
  if (classes.has("user")) return "user";
  if (classes.has("group")) return "group";
  if (classes.has("organizationalunit")) return "ou";
  if (classes.has("domaindns")) return "domain";
  if (classes.has("grouppolicycontainer")) return "gpo";
  if (classes.has("trusteddomain")) return "trust";
  if (classes.has("site")) return "site";
  if (classes.has("subnet")) return "subnet";
  return undefined;
}

/** Types whose objectId is the objectSid (security principals); the rest use objectGUID. */
export const PRINCIPAL_TYPES: ReadonlySet<SnapshotObjectType> = new Set(["user", "computer", "group"]);

/** Attributes whose values are raw bytes. */
export const BINARY_ATTRIBUTES = [
  "objectGUID",
  "objectSid",
  "sIDHistory",
  "securityIdentifier",
  "msDS-AllowedToActOnBehalfOfOtherIdentity",
];

/** Every attribute requested. Absent ones are simply missing from the snapshot. */
export const SYNC_ATTRIBUTES = [
  "objectClass",
  ...BINARY_ATTRIBUTES,
  "name",
  "sAMAccountName",
  "userPrincipalName",
  "displayName",
  "description",
  "whenCreated",
  "whenChanged",
  "uSNCreated",
  "uSNChanged",
  "isDeleted",
  "lastKnownParent",
  // accounts
  "userAccountControl",
  "servicePrincipalName",
  "msDS-AllowedToDelegateTo",
  "msDS-SupportedEncryptionTypes",
  "msDS-KeyCredentialLink",
  "adminCount",
  "pwdLastSet",
  "lastLogonTimestamp",
  "accountExpires",
  "lockoutTime",
  "primaryGroupID",
  "memberOf",
  "dNSHostName",
  "operatingSystem",
  "operatingSystemVersion",
  // groups
  "member",
  "groupType",
  // OUs, domain, GPOs
  "gPLink",
  "gPOptions",
  "gPCFileSysPath",
  "flags",
  "versionNumber",
  "ms-DS-MachineAccountQuota",
  "msDS-Behavior-Version",
  "minPwdLength",
  "lockoutThreshold",
  "pwdProperties",
  // trusts
  "trustPartner",
  "flatName",
  "trustDirection",
  "trustType",
  "trustAttributes",
  // sites and subnets
  "siteObject",
  "location",
];

/** The extended-DN control (MS-ADTS 3.1.1.3.4.1.5): DN values come back as `<GUID=…>;<SID=…>;dn`. */
export const EXTENDED_DN_OID = "1.2.840.113556.1.4.529";
/** The show-deleted control: tombstones in CN=Deleted Objects become visible. */
export const SHOW_DELETED_OID = "1.2.840.113556.1.4.417";
