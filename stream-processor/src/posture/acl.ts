/**
 * Shared by the ACL assessments (AdminSDHolder, DCSync): which trustees legitimately hold rights on
 * tier-0 objects, and how parsed ACEs are read.
 */
import { isDc, isDefaultSensitiveSid, type Directory } from "./directory.ts";
import type { Ace, AffectedEntity } from "./model.ts";

// SYSTEM, Enterprise Domain Controllers, CREATOR OWNER and SELF hold rights on every protected
// object by default; they are the directory itself, not delegations.
const WELL_KNOWN_TRUSTED = new Set(["S-1-5-18", "S-1-5-9", "S-1-3-0", "S-1-5-10"]);

/** True when the trustee is the directory itself, a DC, or a sensitive (admin) principal. */
export function isPrivilegedTrustee(dir: Directory, sid: string): boolean {
  const s = sid.toUpperCase();
  if (WELL_KNOWN_TRUSTED.has(s) || isDefaultSensitiveSid(dir, s)) return true;
  const o = dir.bySid.get(s);
  return !!o && (dir.sensitive.has(o.objectId) || isDc(o));
}

/** An allow ACE that applies to the object itself. */
export const effective = (ace: Ace): boolean => ace.type === "allow" && ace.inheritOnly !== true;

/** Affected entries for the ACEs that `grants` matches and no privileged trustee explains, one per trustee. */
export function nonAdminGrants(dir: Directory, aces: readonly Ace[], grants: (ace: Ace) => string | undefined): AffectedEntity[] {
  const byTrustee = new Map<string, AffectedEntity>();
  for (const ace of aces) {
    if (!effective(ace) || isPrivilegedTrustee(dir, ace.trusteeSid)) continue;
    const what = grants(ace);
    if (!what) continue;
    const sid = ace.trusteeSid.toUpperCase();
    const o = dir.bySid.get(sid);
    const prev = byTrustee.get(sid);
    if (prev) prev.reason += `, ${what}`;
    else byTrustee.set(sid, { objectId: o?.objectId ?? sid, name: o?.name ?? ace.trusteeName ?? sid, reason: what });
  }
  return [...byTrustee.values()];
}
