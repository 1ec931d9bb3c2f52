/**
 * Effective sensitivity, shared by both adapters: a User or Computer is a sensitive account when it is
 * tagged (`sensitive: true`), a Tier Zero computer, or a member (through MEMBER_OF at any nesting
 * depth) of a sensitive group. A group is sensitive when it is on the default list below or tagged.
 *
 * The default list mirrors stream-processor/src/engine/sensitive-groups.ts (same SIDs, RIDs and names;
 * graph-model cannot import the stream processor, which depends on it). Keep the two equal.
 */
import type { NodeKind, PropertyValue } from "./schema.ts";

/** Why an account is sensitive. */
export type SensitivityReason = "tagged" | "sensitive-group" | "tier-zero";

/** One default sensitive group, matched by well-known SID, domain RID or (no SID) name. */
export interface DefaultSensitiveGroup {
  /** Well-known SID (builtin groups). */
  sid?: string;
  /** Relative id of a domain group (S-1-5-21-<domain>-<rid>). */
  rid?: number;
  /** English default names, lower-case; matched only for groups without a fixed SID/RID. */
  names: string[];
  /** A builtin (S-1-5-32) group: member servers have their own copy, which is not domain-sensitive. */
  builtin: boolean;
  /** "mdi": MDI's own list (mdi-catalog §3.3); "vigil": our additions. */
  source: "mdi" | "vigil";
}

const builtin = (rid: number, ...names: string[]): DefaultSensitiveGroup => ({
  sid: `S-1-5-32-${rid}`,
  names,
  builtin: true,
  source: "mdi",
});
const domainGroup = (rid: number, ...names: string[]): DefaultSensitiveGroup => ({ rid, names, builtin: false, source: "mdi" });

/**
 * MDI's default sensitive groups (mdi-catalog §3.3, entity-tags), plus Vigil additions MDI leaves
 * out: Key Admins / Enterprise Key Admins (may write msDS-KeyCredentialLink on every account, i.e.
 * shadow credentials anywhere) and DnsAdmins (ServerLevelPluginDll → code as SYSTEM on DCs). Cert
 * Publishers is not added: CA setup adds to it routinely and membership alone grants no takeover.
 * "Microsoft Exchange Servers" and DnsAdmins have no fixed RID, so they match by name (English only).
 * The one list: the graph's sensitivity and the detection engine both read it.
 */
export const DEFAULT_SENSITIVE_GROUPS: readonly DefaultSensitiveGroup[] = [
  builtin(544, "administrators"),
  builtin(547, "power users"),
  builtin(548, "account operators"),
  builtin(549, "server operators"),
  builtin(550, "print operators"),
  builtin(551, "backup operators"),
  builtin(552, "replicator", "replicators"),
  builtin(556, "network configuration operators"),
  builtin(557, "incoming forest trust builders"),
  domainGroup(498, "enterprise read-only domain controllers"),
  domainGroup(512, "domain admins"),
  domainGroup(516, "domain controllers"),
  domainGroup(518, "schema admins"),
  domainGroup(519, "enterprise admins"),
  domainGroup(520, "group policy creator owners"),
  domainGroup(521, "read-only domain controllers"),
  { names: ["exchange servers", "microsoft exchange servers"], builtin: false, source: "mdi" },
  { rid: 526, names: ["key admins"], builtin: false, source: "vigil" },
  { rid: 527, names: ["enterprise key admins"], builtin: false, source: "vigil" },
  { names: ["dnsadmins"], builtin: false, source: "vigil" },
];

/** Matcher inputs in the shape the Neo4j statement takes as parameters (and the embedded adapter uses). */
export const SENSITIVE_GROUP_MATCH = {
  sids: DEFAULT_SENSITIVE_GROUPS.flatMap((g) => (g.sid ? [g.sid] : [])),
  rids: DEFAULT_SENSITIVE_GROUPS.flatMap((g) => (g.rid !== undefined ? [String(g.rid)] : [])),
  /** Names only of groups with no fixed SID/RID: a renamed "Domain Admins" is still matched by RID. */
  names: DEFAULT_SENSITIVE_GROUPS.flatMap((g) => (g.sid || g.rid !== undefined ? [] : g.names)),
};

/**
 * Tier Zero computer roles: domain controllers, AD CS, AD FS and Entra Connect servers each hold keys
 * to the whole domain. Matched case-insensitively in the `roles` property (string array); a
 * `tierZero: true` property tags any other computer.
 */
export const TIER_ZERO_ROLES = ["DC", "ADCS", "ADFS", "ENTRA_CONNECT"] as const;

/** Kinds that can be a path source or a sensitive target (accounts). */
export const ACCOUNT_KINDS: readonly NodeKind[] = ["User", "Computer"];

const DOMAIN_SID = /^S-1-5-21-\d+-\d+-\d+-(\d+)$/;

/** Whether a group (objectId upper-cased as stored, name as stored) is on the default list. */
export function isDefaultSensitiveGroup(objectId: string, name: string): boolean {
  if (SENSITIVE_GROUP_MATCH.sids.includes(objectId)) return true;
  const rid = DOMAIN_SID.exec(objectId)?.[1];
  if (rid !== undefined && SENSITIVE_GROUP_MATCH.rids.includes(rid)) return true;
  return SENSITIVE_GROUP_MATCH.names.includes(name.toLowerCase());
}

/** Whether a computer's properties mark it Tier Zero. */
export function isTierZeroComputer(properties: Record<string, PropertyValue>): boolean {
  if (properties.tierZero === true) return true;
  const roles = properties.roles;
  return Array.isArray(roles) && roles.some((r) => (TIER_ZERO_ROLES as readonly string[]).includes(String(r).toUpperCase()));
}
