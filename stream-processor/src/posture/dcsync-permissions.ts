/**
 * DCSync permissions (MDI: "Non-admin accounts with DCSync permissions").
 *
 * Risk: DS-Replication-Get-Changes-All on the domain head lets its holder ask a DC to replicate
 * every secret (krbtgt, all NT hashes) with no code on the DC: DCSync.
 *
 * Rule: an allow ACE (not inherit-only) on the domain head granting GenericAll, AllExtendedRights,
 * or ExtendedRight for DS-Replication-Get-Changes-All (1131f6ad-…) or for all extended rights, to a
 * trustee that is not the directory itself, a DC or a sensitive principal. Get-Changes alone is not
 * flagged: it replicates no secrets (and is granted by default to several groups). Entra Connect
 * connector accounts are flagged: MDI flags them too unless password hash sync needs the right.
 * Input: DirectorySnapshot.acls.domainRoot; without it the result is "unknown".
 */
import { nonAdminGrants } from "./acl.ts";
import { needsSync, type Findings, type PostureAssessment } from "./assessment.ts";
import type { Ace } from "./model.ts";

/** DS-Replication-Get-Changes-All. */
export const GET_CHANGES_ALL = "1131f6ad-9c07-11d1-f79f-00c04fc2dcd2";

function replicationRight(ace: Ace): string | undefined {
  const scope = ace.objectType?.toLowerCase();
  if (ace.rights.includes("GenericAll")) return "GenericAll on the domain (includes replication)";
  if (ace.rights.includes("AllExtendedRights") || (ace.rights.includes("ExtendedRight") && scope === undefined))
    return "all extended rights on the domain (includes replication)";
  if (ace.rights.includes("ExtendedRight") && scope === GET_CHANGES_ALL) return "DS-Replication-Get-Changes-All";
  return undefined;
}

export const dcsyncPermissions: PostureAssessment = {
  id: "dcsync-permissions",
  title: "Non-admin accounts with DCSync permissions",
  category: "privileged-accounts",
  severity: "high",
  source: "MDI: Non-admin accounts with DCSync permissions",
  remediation:
    "Remove the replication rights (Replicating Directory Changes All, GenericAll, All Extended Rights) granted on the domain head to the listed accounts; keep them only for domain controllers and, when password hash sync is used, the Entra Connect connector account.",
  points: { base: 40, perEntity: 10, max: 60 },
  evaluate(dir): Findings {
    const unsynced = needsSync(dir);
    if (unsynced) return unsynced;
    const aces = dir.snapshot.acls?.domainRoot;
    if (!aces) return { affected: [], missing: "the domain head DACL was not collected" };
    return { affected: nonAdminGrants(dir, aces, replicationRight) };
  },
};
