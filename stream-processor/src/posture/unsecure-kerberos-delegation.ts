/**
 * Unsecure Kerberos delegation (MDI: "Unsecure Kerberos delegation").
 *
 * Risk: an account trusted for unconstrained delegation receives the TGT of everyone who
 * authenticates to it; compromise it (or coerce a DC to authenticate to it, PrinterBug) and you hold
 * a DC's TGT. Constrained delegation with protocol transition to a sensitive host's service lets the
 * delegating account impersonate anyone to that host; RBCD written on a sensitive object lets the
 * listed principals do the same.
 *
 * Rule (enabled accounts only; DCs are excluded from the unconstrained check because every DC is
 * trusted for delegation by design):
 * - userAccountControl TRUSTED_FOR_DELEGATION (0x80000) on a non-DC user or computer;
 * - msDS-AllowedToDelegateTo naming a service on a sensitive computer (SPN host = its dNSHostName
 *   or name), with "protocol transition" when TRUSTED_TO_AUTH_FOR_DELEGATION is also set;
 * - msDS-AllowedToActOnBehalfOfOtherIdentity (LDAP sync decodes it to the allowed SIDs) on a
 *   sensitive object.
 * Unknown when no account carries userAccountControl (the sync did not read it).
 */
import { needsSync, type Findings, type PostureAssessment } from "./assessment.ts";
import { hasUac, isDc, isEnabled, list, nameOf, num, str, UAC, type Directory } from "./directory.ts";
import type { AffectedEntity, DirectoryObject } from "./model.ts";

const hostOf = (spn: string) => spn.split("/")[1]?.split(":")[0]?.toLowerCase();

function sensitiveHosts(dir: Directory): Map<string, DirectoryObject> {
  const hosts = new Map<string, DirectoryObject>();
  for (const c of dir.computers) {
    if (!dir.sensitive.has(c.objectId) && !isDc(c)) continue;
    const dns = str(c, "dNSHostName")?.toLowerCase();
    if (dns) hosts.set(dns, c);
    const short = (str(c, "sAMAccountName") ?? c.name)?.replace(/\$$/, "").toLowerCase();
    if (short) hosts.set(short, c);
  }
  return hosts;
}

export const unsecureKerberosDelegation: PostureAssessment = {
  id: "unsecure-kerberos-delegation",
  title: "Unsecure Kerberos delegation",
  category: "kerberos",
  severity: "high",
  source: "MDI: Unsecure Kerberos delegation",
  remediation:
    "Remove unconstrained delegation (clear 'Trust this computer for delegation to any service'); use constrained delegation without protocol transition to non-sensitive services only; clear msDS-AllowedToActOnBehalfOfOtherIdentity on sensitive objects. Mark privileged accounts 'Account is sensitive and cannot be delegated' or add them to Protected Users.",
  points: { base: 20, perEntity: 5, max: 40 },
  evaluate(dir): Findings {
    const unsynced = needsSync(dir);
    if (unsynced) return unsynced;
    const accounts = [...dir.users, ...dir.computers];
    if (!accounts.some((a) => num(a, "userAccountControl") !== undefined))
      return { affected: [], missing: "no account carries userAccountControl" };
    const hosts = sensitiveHosts(dir);
    const affected: AffectedEntity[] = [];
    for (const a of accounts) {
      if (isEnabled(a) === false) continue;
      const reasons: string[] = [];
      if (hasUac(a, UAC.TRUSTED_FOR_DELEGATION) && !isDc(a)) reasons.push("trusted for unconstrained delegation");
      const transition = hasUac(a, UAC.TRUSTED_TO_AUTH_FOR_DELEGATION);
      for (const spn of list(a, "msDS-AllowedToDelegateTo")) {
        const target = hosts.get(hostOf(spn) ?? "");
        if (target && target !== a)
          reasons.push(`constrained delegation${transition ? " with protocol transition" : ""} to ${spn} on sensitive ${nameOf(target)}`);
      }
      const rbcd = list(a, "msDS-AllowedToActOnBehalfOfOtherIdentity");
      if (rbcd.length > 0 && (dir.sensitive.has(a.objectId) || isDc(a)))
        reasons.push(`resource-based constrained delegation on a sensitive account allows ${rbcd.join(", ")}`);
      if (reasons.length > 0) affected.push({ objectId: a.objectId, name: nameOf(a), reason: reasons.join("; ") });
    }
    return { affected };
  },
};
