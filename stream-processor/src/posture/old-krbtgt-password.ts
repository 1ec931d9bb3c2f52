/**
 * Change password for krbtgt account (MDI: "Change password for krbtgt account").
 *
 * Risk: the krbtgt key signs every TGT. Anyone who once read it (DCSync, an NTDS.dit backup) forges
 * Golden Tickets until the password is changed, twice.
 *
 * Rule: the domain's krbtgt (RID 502) has pwdLastSet older than 180 days. MDI publishes no
 * threshold; 180 days is the DISA STIG limit (WN16-DC-000430 and later) and the window MDI uses for
 * dormant accounts. Unknown when krbtgt or its pwdLastSet was not synced.
 */
import { needsSync, type PostureAssessment } from "./assessment.ts";
import { passwordAgeFindings } from "./password-age.ts";

/** Maximum krbtgt password age, days. */
export const KRBTGT_MAX_AGE_DAYS = 180;

export const oldKrbtgtPassword: PostureAssessment = {
  id: "old-krbtgt-password",
  title: "Change password for krbtgt account",
  category: "kerberos",
  severity: "medium",
  source: "MDI: Change password for krbtgt account",
  remediation:
    "Reset the krbtgt password twice, waiting for replication and the maximum ticket lifetime (10 hours by default) between the two resets; then rotate it on a schedule.",
  points: { base: 20, perEntity: 0, max: 20 },
  evaluate: (dir) => needsSync(dir) ?? passwordAgeFindings(dir, 502, KRBTGT_MAX_AGE_DAYS, "krbtgt"),
};
