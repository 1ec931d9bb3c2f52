/**
 * Accounts with non-default Primary Group ID (MDI: "Accounts with non-default Primary Group ID").
 *
 * Risk: membership through primaryGroupID is not listed in the group's `member` attribute, so an
 * account whose primary group is Domain Admins is an admin that most membership reviews miss
 * (a known persistence trick).
 *
 * Rule: primaryGroupID differs from the default for the account kind: users 513 (Domain Users),
 * Guest (RID 501) 514 (Domain Guests), computers 515 (Domain Computers), writable DCs 516 (Domain
 * Controllers), RODCs 521 (Read-only Domain Controllers). Unknown when no account carries
 * primaryGroupID.
 */
import { needsSync, type Findings, type PostureAssessment } from "./assessment.ts";
import { hasUac, nameOf, num, ridOf, UAC } from "./directory.ts";
import type { AffectedEntity, DirectoryObject } from "./model.ts";

function expectedGroup(o: DirectoryObject): number {
  if (o.objectType === "user") return ridOf(o) === 501 ? 514 : 513;
  if (hasUac(o, UAC.PARTIAL_SECRETS_ACCOUNT)) return 521;
  if (hasUac(o, UAC.SERVER_TRUST_ACCOUNT)) return 516;
  return 515;
}

export const nonDefaultPrimaryGroup: PostureAssessment = {
  id: "non-default-primary-group",
  title: "Accounts with non-default Primary Group ID",
  category: "privileged-accounts",
  severity: "medium",
  source: "MDI: Accounts with non-default Primary Group ID",
  remediation:
    "Set primaryGroupID back to the default (513 users, 515 computers, 516 DCs, 521 RODCs) after adding the account to the group normally if the membership is legitimate.",
  points: { base: 10, perEntity: 2, max: 20 },
  evaluate(dir): Findings {
    const unsynced = needsSync(dir);
    if (unsynced) return unsynced;
    const accounts = [...dir.users, ...dir.computers];
    if (!accounts.some((a) => num(a, "primaryGroupID") !== undefined))
      return { affected: [], missing: "no account carries primaryGroupID" };
    const affected: AffectedEntity[] = [];
    for (const a of accounts) {
      const pg = num(a, "primaryGroupID");
      const want = expectedGroup(a);
      if (pg !== undefined && pg !== want)
        affected.push({ objectId: a.objectId, name: nameOf(a), reason: `primaryGroupID is ${pg}, expected ${want}` });
    }
    return { affected };
  },
};
