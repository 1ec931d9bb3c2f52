/**
 * What posture assessments read: a directory snapshot (the objects LDAP sync emits as
 * `entity.snapshot`, plus optional inputs the sync does not provide yet) and traffic observations
 * aggregated over a window. Everything is plain data so a snapshot can be persisted and replayed.
 */

/** An attribute value exactly as `entity.snapshot` carries it (LDAP names, decoded values). */
export type AttributeValue = string | number | boolean | string[];

/** Object types LDAP sync emits (`entity.snapshot` objectType). */
export type DirectoryObjectType = "user" | "computer" | "group" | "domain" | "ou" | "gpo" | "trust" | "site" | "subnet";

/** One directory object; principals are keyed by objectSid, the rest by objectGUID (as the sync does). */
export interface DirectoryObject {
  objectId: string;
  objectType: DirectoryObjectType;
  dn?: string;
  name?: string;
  attributes: Record<string, AttributeValue>;
  /** Event time of the version held (ISO); older versions arriving late are ignored. */
  time: string;
}

/**
 * One access-control entry, already parsed from the security descriptor. Rights are names:
 * `GenericAll`, `GenericWrite`, `WriteDacl`, `WriteOwner`, `WriteProperty`, `AllExtendedRights`,
 * `ExtendedRight`, `CreateChild`, `Self`… `objectType` is the GUID an object-specific ACE is limited
 * to (an extended right such as DS-Replication-Get-Changes-All, or an attribute).
 */
export interface Ace {
  trusteeSid: string;
  trusteeName?: string;
  type: "allow" | "deny";
  rights: string[];
  objectType?: string;
  /** An inherit-only ACE does not apply to the object it sits on. */
  inheritOnly?: boolean;
}

/** Settings that live outside directory attributes (GPO registry values read from SYSVOL). */
export interface DomainPolicy {
  /** `LDAPServerIntegrity` applied to DCs: 1 = none/negotiate, 2 = require signing. */
  ldapServerIntegrity?: number;
}

/** A tenant's directory as last synced. */
export interface DirectorySnapshot {
  tenantId: string;
  objects: Map<string, DirectoryObject>;
  /**
   * objectId → event time of its deletion, so a version older than the deletion that arrives late
   * (a lagging DC, a replay) does not resurrect the object. Pruned after the AD tombstone lifetime.
   */
  tombstones: Map<string, string>;
  /** Time of the newest entity.snapshot folded in; undefined until the first sync arrives. */
  syncedAt?: string;
  /** Parsed DACLs, when a source provides them (LDAP sync does not read nTSecurityDescriptor yet). */
  acls?: {
    /** ACEs of `CN=AdminSDHolder,CN=System,<domain>`. */
    adminSdHolder?: Ace[];
    /** ACEs of the domain head object (where replication rights are granted). */
    domainRoot?: Ace[];
  };
  domainPolicy?: DomainPolicy;
}

/** Per-account traffic counts over the observation window. */
export interface AccountTraffic {
  /** SID or sAMAccountName (with or without `DOMAIN\`), matched against the snapshot. */
  account: string;
  ldapSimpleBinds?: number;
  rc4Tickets?: number;
  desTickets?: number;
  ntlmV1?: number;
}

/** What sensors saw, aggregated by the processor over [windowStart, windowEnd]. */
export interface TrafficObservations {
  windowStart: string;
  windowEnd: string;
  accounts: AccountTraffic[];
  /** Host names (any case, FQDN or short) of DCs that have a sensor reporting; undefined = unknown. */
  monitoredDcs?: string[];
  /**
   * Lateral movement exposure: per sensitive account (objectId or name), how many non-sensitive
   * accounts can reach its credentials (graph-model's LMP computation); undefined = not computed.
   */
  lmpExposure?: Record<string, number>;
}

/** Outcome of one assessment; "unknown" whenever the input it needs is absent. */
export type AssessmentStatus = "passed" | "failed" | "unknown";

/** Score categories (PingCastle's four, with Kerberos split out; see docs/posture.md). */
export type PostureCategory = "stale-objects" | "privileged-accounts" | "trusts" | "kerberos" | "anomalies";

/** Impact of a failed assessment. */
export type PostureSeverity = "low" | "medium" | "high";

/** An entity an assessment flags, and why. */
export interface AffectedEntity {
  objectId: string;
  name: string;
  reason: string;
}

/** One assessment's result. */
export interface AssessmentResult {
  id: string;
  title: string;
  category: PostureCategory;
  severity: PostureSeverity;
  status: AssessmentStatus;
  affected: AffectedEntity[];
  remediation: string;
  /** Why the status is "unknown" (which input was missing), or a caveat on a pass. */
  note?: string;
}

/** Options every assessment gets. */
export interface AssessOptions {
  /** Evaluation time (ISO); assessments never read the wall clock. */
  now: string;
  /** Extra sensitive principals (manual tags: objectIds or SIDs). */
  sensitive?: readonly string[];
}
