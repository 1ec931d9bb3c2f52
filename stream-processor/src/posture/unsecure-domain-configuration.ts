/**
 * Unsecure domain configurations (MDI: "Unsecure domain configurations").
 *
 * Risk:
 * - ms-DS-MachineAccountQuota > 0 lets every authenticated user create computer accounts: the
 *   foothold for RBCD takeovers, KrbRelayUp and noPac (CVE-2021-42278/42287);
 * - DCs that do not require LDAP signing accept relayed NTLM binds (KrbRelayUp, ntlmrelayx to LDAP).
 *
 * Rule: failed when the domain object's ms-DS-MachineAccountQuota is not 0, or when the DC policy's
 * LDAPServerIntegrity is known and not 2 (require signing). LDAP sync reads the quota; the signing
 * setting lives in GPO registry data the sync does not read yet (DirectorySnapshot.domainPolicy),
 * so without it the result is "unknown" when the quota is fine, never "passed".
 */
import { needsSync, type Findings, type PostureAssessment } from "./assessment.ts";
import { nameOf, num } from "./directory.ts";
import type { AffectedEntity } from "./model.ts";

export const unsecureDomainConfiguration: PostureAssessment = {
  id: "unsecure-domain-configuration",
  title: "Unsecure domain configurations",
  category: "anomalies",
  severity: "medium",
  source: "MDI: Unsecure domain configurations",
  remediation:
    "Set ms-DS-MachineAccountQuota to 0 and delegate computer joins to a dedicated group; set 'Domain controller: LDAP server signing requirements' to 'Require signing' (and enable LDAP channel binding).",
  points: { base: 10, perEntity: 5, max: 20 },
  evaluate(dir): Findings {
    const unsynced = needsSync(dir);
    if (unsynced) return unsynced;
    const d = dir.___domain;
    if (!d) return { affected: [], missing: "the domain object was not synced" };
    const reasons: string[] = [];
    const missing: string[] = [];
    const quota = num(d, "ms-DS-MachineAccountQuota");
    if (quota === undefined) missing.push("ms-DS-MachineAccountQuota");
    else if (quota !== 0) reasons.push(`ms-DS-MachineAccountQuota is ${quota}: any user can create ${quota} computer account(s)`);
    const signing = dir.snapshot.domainPolicy?.ldapServerIntegrity;
    if (signing === undefined) missing.push("the LDAP server signing policy");
    else if (signing !== 2) reasons.push(`LDAP server signing is not required (LDAPServerIntegrity=${signing})`);
    const affected: AffectedEntity[] = reasons.map((reason) => ({ objectId: d.objectId, name: nameOf(d), reason }));
    return missing.length > 0 ? { affected, missing: `not known: ${missing.join(", ")}` } : { affected };
  },
};
