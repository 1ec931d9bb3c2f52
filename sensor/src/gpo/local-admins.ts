/**
 * GPO settings + directory → who the policies make a local administrator of which computer.
 *
 * Per computer, the applied GPOs (scope.ts) are replayed lowest precedence first:
 * 1. Restricted Groups (security templates): the Security extension merges templates, so the
 *    `Administrators__Members` list of the highest-precedence GPO that sets one is the membership,
 *    and every GPO's `__Memberof` additions are added to it.
 * 2. Group Policy Preferences items then edit that membership in GPO order, each item in document
 *    order: replace, delete-all-users / -groups, removals, additions.
 * Applying Preferences after Restricted Groups over-states rather than under-states who is an admin
 * when both touch the group (the client's extension order is a registry setting, not a rule).
 *
 * Only what policy grants is known here: members a computer has for other reasons (the domain join
 * adds Domain Admins, SharpHound observes the rest) come from other sources, so a `replaceWith` empties
 * only the policy-derived set, never other sources' edges.
 *
 * Members are resolved against the directory: by SID, else by sAMAccountName (with or without a
 * `DOMAIN\` or `@realm` part). Well-known SIDs that are not domain principals (Everyone, Authenticated
 * Users, local groups) and names or SIDs the directory does not hold cannot become graph edges and
 * are reported per GPO.
 */
import type { DirectoryPrincipal, GpoDirectory, MemberKind } from "./directory.ts";
import { createScopeResolver, type SkippedLink } from "./scope.ts";
import type { AdminGroupChange, GpoLocalAdminPolicy, MemberRef } from "./types.ts";

/** One policy-granted local administrator. */
export interface LocalAdminGrant {
  computerSid: string;
  memberSid: string;
  memberKind: MemberKind;
  /** The GPO whose setting put the member there last (upper-case GUID without braces). */
  gpoGuid: string;
}

/** A member reference that could not become an edge. */
export interface UnresolvedMember {
  gpoGuid: string;
  member: string;
  reason: string;
}

/** What the evaluation found. */
export interface LocalAdminEvaluation {
  grants: LocalAdminGrant[];
  /** Per GPO with Administrators settings: computers it applies to (0 when unlinked). */
  gpoReach: { guid: string; displayName?: string; computers: number }[];
  /** GPO folders with settings that the directory does not know (orphaned SYSVOL folders). */
  unknownGpos: string[];
  unresolved: UnresolvedMember[];
  skippedLinks: SkippedLink[];
  /** Computers at least one GPO with Administrators settings applies to. */
  computersInScope: number;
}

interface Resolved {
  from: AdminGroupChange["from"];
  replaceWith?: DirectoryPrincipal[];
  clearUsers?: boolean;
  clearGroups?: boolean;
  remove: DirectoryPrincipal[];
  add: DirectoryPrincipal[];
}

const refText = (r: MemberRef) => (r.sid && r.name ? `${r.name} (${r.sid})` : (r.sid ?? r.name ?? "?"));

/** Resolves a reference; a string is the reason it cannot be. */
export function resolveMember(dir: GpoDirectory, ref: MemberRef): DirectoryPrincipal | string {
  if (ref.sid) {
    const p = dir.principalsBySid.get(ref.sid.toUpperCase());
    if (p) return p;
    if (!ref.sid.toUpperCase().startsWith("S-1-5-21-")) return "a well-known or local SID, not a domain account or group (no graph node)";
    if (!ref.name) return "SID not in the directory (another domain, or deleted)";
  }
  const raw = ref.name!.trim();
  const slash = raw.lastIndexOf("\\");
  const at = raw.indexOf("@");
  const sam = slash >= 0 ? raw.slice(slash + 1) : at > 0 ? raw.slice(0, at) : raw;
  const domain = (slash >= 0 ? raw.slice(0, slash) : at > 0 ? raw.slice(at + 1).split(".")[0]! : "").toLowerCase();
  const hits = dir.principalsBySam.get(sam.toLowerCase()) ?? [];
  const firstDc = (dn: string) => /(?:^|,)\s*DC=([^,]+)/i.exec(dn)?.[1]?.toLowerCase();
  const inDomain = domain && domain !== "." && domain !== "builtin" ? hits.filter((p) => firstDc(p.dn) === domain) : hits;
  if (domain === "." || domain === "builtin") return "a local account or group of the computer itself (no graph node)";
  if (inDomain.length === 1) return inDomain[0]!;
  // The NetBIOS name need not be the first DNS label, so a single match elsewhere still counts.
  if (hits.length === 1) return hits[0]!;
  return hits.length === 0 ? "account name not in the directory" : "account name is ambiguous across domains";
}

/** Evaluates every GPO's Administrators settings against the directory. */
export function evaluateLocalAdmins(dir: GpoDirectory, policies: readonly GpoLocalAdminPolicy[]): LocalAdminEvaluation {
  const unresolved: UnresolvedMember[] = [];
  const skippedLinks: SkippedLink[] = [];
  const resolved = new Map<string, Resolved[]>();
  const unknownGpos: string[] = [];
  for (const policy of policies) {
    if (policy.changes.length === 0) continue;
    if (!dir.gpos.has(policy.guid)) {
      unknownGpos.push(policy.guid);
      continue;
    }
    const list = (refs: MemberRef[]) =>
      refs.flatMap((r) => {
        const p = resolveMember(dir, r);
        if (typeof p === "string") return (void unresolved.push({ gpoGuid: policy.guid, member: refText(r), reason: p }), []);
        return [p];
      });
    // Prior entries of the same GPO GUID (two sysvol copies) are replaced: one GPO, one setting list.
    resolved.set(
      policy.guid,
      policy.changes.map((c) => ({
        from: c.from,
        ...(c.replaceWith ? { replaceWith: list(c.replaceWith) } : {}),
        ...(c.clearUsers ? { clearUsers: true } : {}),
        ...(c.clearGroups ? { clearGroups: true } : {}),
        remove: list(c.remove),
        add: list(c.add),
      })),
    );
  }
  const scope = createScopeResolver(dir, (s) => skippedLinks.push(s));
  const reach = new Map<string, number>([...resolved.keys()].map((g) => [g, 0]));
  const byContainer = new Map<string, Map<string, { p: DirectoryPrincipal; gpo: string }>>();
  const grants: LocalAdminGrant[] = [];
  let computersInScope = 0;
  for (const computer of dir.computers) {
    const applied = scope.gposFor(computer.dn).filter((g) => resolved.has(g.guid));
    if (applied.length === 0) continue;
    computersInScope++;
    for (const g of applied) reach.set(g.guid, reach.get(g.guid)! + 1);
    const key = applied.map((g) => g.guid).join(",");
    let members = byContainer.get(key);
    if (!members) {
      members = replay(applied.map((g) => ({ guid: g.guid, changes: resolved.get(g.guid)! })));
      byContainer.set(key, members);
    }
    for (const { p, gpo } of members.values())
      if (p.sid !== computer.sid) grants.push({ computerSid: computer.sid, memberSid: p.sid, memberKind: p.kind, gpoGuid: gpo });
  }
  return {
    grants,
    gpoReach: [...reach].map(([guid, computers]) => {
      const name = dir.gpos.get(guid)?.displayName;
      return { guid, ...(name ? { displayName: name } : {}), computers };
    }),
    unknownGpos,
    unresolved,
    skippedLinks,
    computersInScope,
  };
}

/** Replays the changes of the applied GPOs (lowest precedence first) into the resulting membership. */
function replay(applied: { guid: string; changes: Resolved[] }[]): Map<string, { p: DirectoryPrincipal; gpo: string }> {
  const members = new Map<string, { p: DirectoryPrincipal; gpo: string }>();
  const templates = applied.flatMap((g) => g.changes.filter((c) => c.from === "security-template").map((c) => ({ guid: g.guid, c })));
  const replacing = templates.filter((t) => t.c.replaceWith).at(-1);
  for (const p of replacing?.c.replaceWith ?? []) members.set(p.sid, { p, gpo: replacing!.guid });
  for (const { guid, c } of templates) for (const p of c.add) members.set(p.sid, { p, gpo: guid });
  for (const g of applied)
    for (const c of g.changes) {
      if (c.from !== "group-preferences") continue;
      if (c.replaceWith) {
        members.clear();
        for (const p of c.replaceWith) members.set(p.sid, { p, gpo: g.guid });
      }
      for (const [sid, m] of members)
        if ((c.clearUsers && m.p.kind === "User") || (c.clearGroups && m.p.kind === "Group")) members.delete(sid);
      for (const p of c.remove) members.delete(p.sid);
      for (const p of c.add) members.set(p.sid, { p, gpo: g.guid });
    }
  return members;
}
