/**
 * Typed records of a SharpHound / BloodHound CE collection, reduced to what an identity graph needs:
 * who exists, who is a member of what, who administers which computer, and who is logged on where.
 * Everything else SharpHound collects (ACEs, GPO links, trusts, certificate services) is counted as
 * ignored rather than parsed, so an unsupported part of a collection never blocks the supported ones.
 */

/** The object kinds a collection's records are mapped to (the graph's node kinds). */
export type SharpHoundKind = "User" | "Computer" | "Group" | "Domain";

/** A reference to another object, as SharpHound writes it: `{ ObjectIdentifier, ObjectType }`. */
export interface PrincipalRef {
  /** SID or GUID, upper-cased (AD identifiers are case-insensitive). */
  objectId: string;
  /** SharpHound's ObjectType as written (`User`, `Group`, `Computer`, `LocalUser`, `Base`, …). */
  type: string;
}

/** Fields every mapped object has. */
export interface SharpHoundObject {
  kind: SharpHoundKind;
  objectId: string;
  /** `Properties.name`: `ALICE@CORP.LOCAL`, `WS01.CORP.LOCAL`, `CORP.LOCAL`. */
  principalName?: string;
  /** `Properties.samaccountname` (case as stored in AD). */
  samAccountName?: string;
  /** `Properties.domain`: the DNS name of the object's domain. */
  domain?: string;
  enabled?: boolean;
  distinguishedName?: string;
  /** The primary group's SID: a membership AD keeps out of the group's `member` attribute. */
  primaryGroupSid?: string;
}

/** One local group of a computer as SharpHound read it over SAMR. */
export interface LocalGroupResult {
  /** `<computer SID>-<RID>`; the RID says which built-in group it is whatever the OS language. */
  objectId: string;
  name?: string;
  rid?: number;
  collected: boolean;
  failureReason?: string;
  members: PrincipalRef[];
}

/** Which SharpHound method saw a session (they differ in privilege needed and reliability). */
export type SessionMethod = "Sessions" | "PrivilegedSessions" | "RegistrySessions";

/** A user logged on to a computer. */
export interface SessionRecord {
  userSid: string;
  /**
   * The computer the user sits at. For NetSessionEnum results (`Sessions`) that is the client the
   * session came from, not the computer that answered; undefined means the answering computer.
   */
  computerSid?: string;
  method: SessionMethod;
}

/** A user object. */
export interface SharpHoundUser extends SharpHoundObject {
  kind: "User";
}

/** A computer object with its local groups and sessions. */
export interface SharpHoundComputer extends SharpHoundObject {
  kind: "Computer";
  localGroups: LocalGroupResult[];
  sessions: SessionRecord[];
  /** Session methods that ran and failed on this computer, with SharpHound's reason. */
  sessionFailures: { method: SessionMethod; reason: string }[];
}

/** A group object with its direct members. */
export interface SharpHoundGroup extends SharpHoundObject {
  kind: "Group";
  members: PrincipalRef[];
}

/** A domain object. */
export interface SharpHoundDomain extends SharpHoundObject {
  kind: "Domain";
}

/**
 * Local administrators an OU's or the domain's GPOs grant (`GPOChanges` of SharpHound's OU / domain
 * objects, resolved by SharpHound from the GPOs' Restricted Groups and Preferences): every
 * `localAdmins` principal administers every `affectedComputers` computer.
 */
export interface SharpHoundGpoChanges {
  /** The OU's GUID or the domain's SID. */
  objectId: string;
  kind: "OU" | "Domain";
  localAdmins: PrincipalRef[];
  affectedComputers: PrincipalRef[];
  /** Memberships of the other local groups (Remote Desktop, DCOM, PS Remoting): counted, no edge kind yet. */
  otherLocalGroupMembers: number;
}

/** One JSON file of the collection as read. */
export interface CollectionFile {
  /** Entry name inside the archive. */
  entry: string;
  /** `meta.type`: users, computers, groups, domains, ous, gpos, containers, … */
  type: string;
  version: number;
  /** Objects accepted from `data`. */
  objects: number;
  /** Objects of `data` rejected (each also listed as a problem). */
  rejected: number;
  /** Whether the records were mapped (false: a type Vigil does not map, counted only). */
  mapped: boolean;
}

/** Something in the archive that was rejected or skipped, and why. */
export interface CollectionProblem {
  /** Entry name inside the archive ("" for the archive itself). */
  entry: string;
  /** Index in `data` when one object was rejected. */
  index?: number;
  reason: string;
}

/** Everything read from one collection archive. */
export interface SharpHoundCollection {
  users: SharpHoundUser[];
  computers: SharpHoundComputer[];
  groups: SharpHoundGroup[];
  domains: SharpHoundDomain[];
  /** GPO-granted local admins of OUs and domains that list some (absent in readers' older shapes). */
  gpoChanges?: SharpHoundGpoChanges[];
  files: CollectionFile[];
  problems: CollectionProblem[];
}
