/**
 * AdminSDHolder permissions (MDI: "Non-sensitive accounts with Admin SDHolder permissions").
 *
 * Risk: SDProp copies the AdminSDHolder DACL onto every protected account and group (Domain Admins,
 * Administrators…) every 60 minutes; a write right granted there is a write right on every admin,
 * re-applied even after someone removes it from the admin accounts themselves.
 *
 * Rule: an allow ACE (not inherit-only) on CN=AdminSDHolder granting GenericAll, GenericWrite,
 * WriteDacl, WriteOwner, WriteProperty on all properties or on `member`, AllExtendedRights, or the
 * Reset-Password extended right, to a trustee that is not SYSTEM / Enterprise DCs / CREATOR OWNER /
 * SELF / a DC / a sensitive principal. Attribute-specific writes that ship by default (Cert
 * Publishers on userCertificate, Terminal Server License Servers on terminal server attributes)
 * are not takeover rights and are not flagged.
 * Input: DirectorySnapshot.acls.adminSdHolder (parsed ACEs). LDAP sync does not read
 * nTSecurityDescriptor yet, so without it the result is "unknown".
 */
import { nonAdminGrants } from "./acl.ts";
import { needsSync, type Findings, type PostureAssessment } from "./assessment.ts";
import type { Ace } from "./model.ts";

const MEMBER_ATTRIBUTE = "bf9679c0-0de6-11d0-a285-00aa003049e2";
const RESET_PASSWORD = "00299570-246d-11d0-a768-00aa006e0529";

function takeoverRight(ace: Ace): string | undefined {
  const scope = ace.objectType?.toLowerCase();
  const out = ace.rights.filter((r) => {
    if (r === "GenericAll" || r === "GenericWrite" || r === "WriteDacl" || r === "WriteOwner") return true;
    if (r === "WriteProperty") return scope === undefined || scope === MEMBER_ATTRIBUTE;
    if (r === "AllExtendedRights") return true;
    if (r === "ExtendedRight") return scope === undefined || scope === RESET_PASSWORD;
    return false;
  });
  return out.length > 0 ? `${out.join("+")} on AdminSDHolder${scope ? ` (${scope})` : ""}` : undefined;
}

export const adminSdHolderPermissions: PostureAssessment = {
  id: "adminsdholder-permissions",
  title: "Non-sensitive accounts with AdminSDHolder permissions",
  category: "privileged-accounts",
  severity: "high",
  source: "MDI: Non-sensitive accounts with Admin SDHolder permissions",
  remediation:
    "Remove the listed ACEs from CN=AdminSDHolder,CN=System; after SDProp runs (60 minutes) the protected objects lose them too. Investigate who added them: this is a persistence technique.",
  points: { base: 30, perEntity: 10, max: 50 },
  evaluate(dir): Findings {
    const unsynced = needsSync(dir);
    if (unsynced) return unsynced;
    const aces = dir.snapshot.acls?.adminSdHolder;
    if (!aces) return { affected: [], missing: "the AdminSDHolder DACL was not collected" };
    return { affected: nonAdminGrants(dir, aces, takeoverRight) };
  },
};
