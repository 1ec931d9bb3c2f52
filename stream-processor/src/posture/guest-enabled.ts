/**
 * Built-in Active Directory Guest account is enabled (MDI: "Built-in Active Directory Guest account
 * is enabled").
 *
 * Risk: Guest (RID 501) has no password by default; enabled, it gives anyone an authenticated
 * session (enumeration, Authenticated-Users-level access to shares and LDAP).
 *
 * Rule: the domain's RID-501 account has userAccountControl without ACCOUNTDISABLE. Unknown when
 * the account or its userAccountControl was not synced.
 */
import { needsSync, type Findings, type PostureAssessment } from "./assessment.ts";
import { isEnabled, nameOf, ridOf } from "./directory.ts";

export const guestEnabled: PostureAssessment = {
  id: "guest-enabled",
  title: "Built-in Active Directory Guest account is enabled",
  category: "anomalies",
  severity: "medium",
  source: "MDI: Built-in Active Directory Guest account is enabled",
  remediation: "Disable the built-in Guest account.",
  points: { base: 15, perEntity: 0, max: 15 },
  evaluate(dir): Findings {
    const unsynced = needsSync(dir);
    if (unsynced) return unsynced;
    const guest = dir.users.find(
      (u) => ridOf(u) === 501 && (!dir.domainSid || u.objectId.toUpperCase().startsWith(`${dir.domainSid.toUpperCase()}-`)),
    );
    const enabled = guest && isEnabled(guest);
    if (!guest || enabled === undefined) return { affected: [], missing: "the Guest account state was not synced" };
    return { affected: enabled ? [{ objectId: guest.objectId, name: nameOf(guest), reason: "Guest account is enabled" }] : [] };
  },
};
