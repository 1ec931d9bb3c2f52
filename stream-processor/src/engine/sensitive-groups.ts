/** One group that is sensitive by default, matched by well-known SID, domain RID or (no SID) name. */
export interface SensitiveGroupDefault {
  /** Well-known SID (builtin groups). */
  sid?: string;
  /** Relative id of a domain group (S-1-5-21-<domain>-<rid>). */
  rid?: number;
  /** English default names, lower-case; used when an event names the group without a SID. */
  names: string[];
  /** A builtin (S-1-5-32) group: member servers have their own copy, which is not domain-sensitive. */
  builtin: boolean;
  /** Why it is on the list. */
  source: "mdi" | "vigil";
}

const builtin = (rid: number, ...names: string[]): SensitiveGroupDefault => ({
  sid: `S-1-5-32-${rid}`,
  names,
  builtin: true,
  source: "mdi",
});
const domainGroup = (rid: number, ...names: string[]): SensitiveGroupDefault => ({ rid, names, builtin: false, source: "mdi" });

/**
 * MDI's default sensitive groups (mdi-catalog §3.3, entity-tags), plus Vigil additions MDI leaves
 * out: Key Admins / Enterprise Key Admins (may write msDS-KeyCredentialLink on every account, i.e.
 * shadow credentials anywhere) and DnsAdmins (ServerLevelPluginDll → code as SYSTEM on DCs). Cert
 * Publishers is not added: CA setup adds to it routinely and membership alone grants no takeover.
 * "Microsoft Exchange Servers" and DnsAdmins have no fixed RID, so they match by name (English only).
 */
export const DEFAULT_SENSITIVE_GROUPS: readonly SensitiveGroupDefault[] = [
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

/** RIDs of the groups whose members are domain controllers (adding a DC to them is DC promotion). */
export const DC_GROUP_RIDS: ReadonlySet<number> = new Set([498, 516, 521]);
