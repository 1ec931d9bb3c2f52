/**
 * Change password of built-in domain Administrator account (MDI: "Change password of built-in
 * domain Administrator account").
 *
 * Risk: the RID-500 account cannot be locked out, is often shared or written down, and an old
 * password has had years to leak (old backups, reused local admin passwords).
 *
 * Rule: the domain's Administrator (RID 500, found by RID because it is often renamed) has
 * pwdLastSet older than 180 days. MDI publishes no threshold; 180 days is the limit of MDI's former
 * "passwords more than 180 days old" assessment. Unknown when the account or pwdLastSet was not synced.
 */
import { needsSync, type PostureAssessment } from "./assessment.ts";
import { passwordAgeFindings } from "./password-age.ts";

/** Maximum built-in Administrator password age, days. */
export const ADMIN_MAX_AGE_DAYS = 180;

export const oldBuiltinAdminPassword: PostureAssessment = {
  id: "old-builtin-admin-password",
  title: "Change password of built-in domain Administrator account",
  category: "privileged-accounts",
  severity: "medium",
  source: "MDI: Change password of built-in domain Administrator account",
  remediation:
    "Set a new long random password on the built-in Administrator, keep it in a vault for break-glass use only, and rotate it after every use.",
  points: { base: 10, perEntity: 0, max: 10 },
  evaluate: (dir) => needsSync(dir) ?? passwordAgeFindings(dir, 500, ADMIN_MAX_AGE_DAYS, "built-in Administrator"),
};
