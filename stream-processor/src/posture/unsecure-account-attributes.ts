/**
 * Unsecure account attributes (MDI: "Unsecure account attributes").
 *
 * Risk, per attribute:
 * - DONT_REQ_PREAUTH (0x400000): anyone can ask the KDC for an AS-REP encrypted with the account's
 *   key and crack it offline (AS-REP roasting);
 * - ENCRYPTED_TEXT_PWD_ALLOWED (0x80): the password is stored reversibly, i.e. readable by anyone
 *   who can read the database (DCSync, NTDS.dit);
 * - PASSWD_NOTREQD (0x20): the account may have an empty password;
 * - USE_DES_KEY_ONLY (0x200000): tickets use DES, which is broken;
 * - servicePrincipalName on a sensitive user: any domain user can request a service ticket
 *   encrypted with the privileged account's key and crack it offline (Kerberoasting).
 *
 * Rule: enabled users and computers with any of those flags, and enabled sensitive users with an
 * SPN (krbtgt excluded: its kadmin/changepw SPN is built in and it is disabled). Exact bits, no
 * threshold. Unknown when no account carries userAccountControl.
 */
import { needsSync, type Findings, type PostureAssessment } from "./assessment.ts";
import { hasUac, isEnabled, list, nameOf, num, ridOf, UAC } from "./directory.ts";
import type { AffectedEntity } from "./model.ts";

const FLAGS: [number, string][] = [
  [UAC.DONT_REQ_PREAUTH, "Kerberos pre-authentication not required"],
  [UAC.ENCRYPTED_TEXT_PWD_ALLOWED, "password stored with reversible encryption"],
  [UAC.PASSWD_NOTREQD, "password not required"],
  [UAC.USE_DES_KEY_ONLY, "Kerberos DES encryption only"],
];

export const unsecureAccountAttributes: PostureAssessment = {
  id: "unsecure-account-attributes",
  title: "Unsecure account attributes",
  category: "anomalies",
  severity: "high",
  source: "MDI: Unsecure account attributes",
  remediation:
    "Clear 'Do not require Kerberos preauthentication', 'Store password using reversible encryption', 'Password not required' and 'Use Kerberos DES encryption types' and reset the password afterwards (reversible and DES keys persist until then); enable AES; move SPNs off sensitive users to a dedicated (group) managed service account.",
  points: { base: 15, perEntity: 3, max: 40 },
  evaluate(dir): Findings {
    const unsynced = needsSync(dir);
    if (unsynced) return unsynced;
    const accounts = [...dir.users, ...dir.computers];
    if (!accounts.some((a) => num(a, "userAccountControl") !== undefined))
      return { affected: [], missing: "no account carries userAccountControl" };
    const affected: AffectedEntity[] = [];
    for (const a of accounts) {
      if (isEnabled(a) !== true) continue;
      const reasons = FLAGS.filter(([bit]) => hasUac(a, bit)).map(([, text]) => text);
      const spns = list(a, "servicePrincipalName");
      if (a.objectType === "user" && spns.length > 0 && dir.sensitive.has(a.objectId) && ridOf(a) !== 502)
        reasons.push(`sensitive account with SPN ${spns.join(", ")}`);
      if (reasons.length > 0) affected.push({ objectId: a.objectId, name: nameOf(a), reason: reasons.join("; ") });
    }
    return { affected };
  },
};
