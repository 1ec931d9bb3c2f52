/**
 * Unsecure SID History attributes (MDI: "Unsecure SID History attributes").
 *
 * Risk: a SID in sIDHistory is put in the account's token at logon. A privileged SID there makes the
 * account an admin without appearing in any group (a classic persistence: mimikatz sid::add), and a
 * SID of the account's own domain never comes from a real migration.
 *
 * Rule: an account whose sIDHistory holds
 * - a SID of a default sensitive group (Domain Admins -512, Enterprise Admins -519, Administrators
 *   S-1-5-32-544…) or of the built-in Administrator (-500) of any domain;
 * - or any SID of the account's own domain.
 * Unknown when the domain SID is not known (the same-domain test needs it) and nothing was found.
 */
import { needsSync, type Findings, type PostureAssessment } from "./assessment.ts";
import { isDefaultSensitiveSid, list, nameOf } from "./directory.ts";
import type { AffectedEntity } from "./model.ts";

const PRIVILEGED_DOMAIN_RIDS = new Set([500, 512, 516, 518, 519, 520, 498, 521, 526, 527]);

export const unsecureSidHistory: PostureAssessment = {
  id: "unsecure-sid-history",
  title: "Unsecure SID History attributes",
  category: "trusts",
  severity: "high",
  source: "MDI: Unsecure SID History attributes",
  remediation:
    "Clear sIDHistory on the listed accounts (once migrations are finished SID history serves no purpose) and enable SID filtering (quarantine) on external and forest trusts.",
  points: { base: 30, perEntity: 10, max: 50 },
  evaluate(dir): Findings {
    const unsynced = needsSync(dir);
    if (unsynced) return unsynced;
    const own = dir.domainSid?.toUpperCase();
    const affected: AffectedEntity[] = [];
    for (const a of [...dir.users, ...dir.computers, ...dir.groups]) {
      const reasons: string[] = [];
      for (const raw of list(a, "sIDHistory")) {
        const sid = raw.toUpperCase();
        const rid = Number(/-(\d+)$/.exec(sid)?.[1]);
        if (
          (sid.startsWith("S-1-5-32-") && isDefaultSensitiveSid(dir, sid)) ||
          (sid.startsWith("S-1-5-21-") && PRIVILEGED_DOMAIN_RIDS.has(rid))
        )
          reasons.push(`privileged SID ${raw} in SID history`);
        else if (own && sid.startsWith(`${own}-`)) reasons.push(`SID ${raw} of the account's own domain in SID history`);
      }
      if (reasons.length > 0) affected.push({ objectId: a.objectId, name: nameOf(a), reason: reasons.join("; ") });
    }
    if (affected.length === 0 && !own) return { affected, missing: "the domain SID is not known" };
    return { affected };
  },
};
