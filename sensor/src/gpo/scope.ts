/**
 * Which GPOs apply to a computer, in the order the client applies them (lowest precedence first, so
 * a later GPO overrides an earlier one), from the containers above the computer's DN:
 *
 * 1. Non-enforced links from the domain down to the computer's OU, each container's links in gPLink
 *    order (the attribute lists the lowest-precedence link first: link order N … 1). An OU with
 *    block inheritance (gPOptions 1) stops the non-enforced links of every container above it.
 * 2. Then enforced links, nearest container first, so the domain's enforced GPOs win over an OU's;
 *    block inheritance does not stop them.
 *
 * Disabled links and GPOs whose computer settings are disabled (flags bit 2) are skipped. Site links
 * are not placed (a computer's site depends on its IP address at boot, which the directory does not
 * record) and are counted in the directory view instead. WMI filters and security filtering (who may
 * read / apply the GPO) are not evaluated either: a GPO in scope counts as applied. Over-stating
 * admin rights is the safer error for lateral-movement analysis; the docs say so to operators.
 */
import type { GpoContainer, GpoDirectory } from "./directory.ts";

/** One GPO applying to a computer, and through which container's link. */
export interface AppliedGpo {
  guid: string;
  /** DN of the domain or OU whose link brings it. */
  via: string;
  enforced: boolean;
}

/** A link the evaluation passed over, and why (reported once per link). */
export interface SkippedLink {
  container: string;
  gpo: string;
  reason: string;
}

/** Splits a DN into RDNs, honouring `\,` escapes. */
export function splitDn(dn: string): string[] {
  const out: string[] = [];
  let cur = "";
  for (let i = 0; i < dn.length; i++) {
    const c = dn[i]!;
    if (c === "\\" && i + 1 < dn.length) {
      cur += c + dn[i + 1];
      i++;
    } else if (c === ",") {
      out.push(cur.trim());
      cur = "";
    } else cur += c;
  }
  if (cur.trim() !== "") out.push(cur.trim());
  return out;
}

/** The domain and OUs above an object's DN, nearest first. */
function containersAbove(dir: GpoDirectory, dn: string): GpoContainer[] {
  const rdns = splitDn(dn);
  const out: GpoContainer[] = [];
  for (let i = 1; i < rdns.length; i++) {
    const c = dir.containers.get(rdns.slice(i).join(",").toLowerCase());
    if (c) out.push(c);
  }
  return out;
}

/**
 * Scope resolution with a cache per parent DN: every computer of one OU gets the same list, and a
 * domain has far fewer OUs than computers.
 */
export function createScopeResolver(dir: GpoDirectory, onSkip: (s: SkippedLink) => void) {
  const cache = new Map<string, AppliedGpo[]>();
  const reported = new Set<string>();
  const skip = (container: string, gpo: string, reason: string) => {
    const key = `${container}|${gpo}|${reason}`;
    if (reported.has(key)) return;
    reported.add(key);
    onSkip({ container, gpo, reason });
  };
  const usable = (c: GpoContainer, enforced: boolean): AppliedGpo[] =>
    c.links.flatMap((l) => {
      if (l.enforced !== enforced) return [];
      if (l.disabled) return (void skip(c.dn, l.guid ?? l.dn, "link disabled"), []);
      if (!l.guid) return (void skip(c.dn, l.dn, "link DN names no {GUID}"), []);
      const gpo = dir.gpos.get(l.guid);
      if (!gpo) return (void skip(c.dn, l.guid, "no such GPO in the directory (deleted, or in another domain)"), []);
      if (gpo.computerSettingsDisabled) return (void skip(c.dn, l.guid, "computer settings of the GPO are disabled"), []);
      return [{ guid: l.guid, via: c.dn, enforced }];
    });
  return {
    /** GPOs applying to the object at `dn`, lowest precedence first, each GPO once (at its highest precedence). */
    gposFor(dn: string): AppliedGpo[] {
      const parent = splitDn(dn).slice(1).join(",").toLowerCase();
      const hit = cache.get(parent);
      if (hit) return hit;
      const nearestFirst = containersAbove(dir, dn);
      const layers: AppliedGpo[][] = [];
      for (const c of nearestFirst) {
        layers.unshift(usable(c, false));
        if (c.blocksInheritance) {
          for (const above of nearestFirst.slice(nearestFirst.indexOf(c) + 1))
            for (const l of above.links.filter((x) => !x.enforced && !x.disabled))
              skip(above.dn, l.guid ?? l.dn, `inheritance blocked at ${c.dn} (for the computers below it)`);
          break;
        }
      }
      for (const c of nearestFirst) layers.push(usable(c, true));
      const ordered = layers.flat();
      // A GPO linked twice applies once, at its higher precedence (the later position).
      const result = ordered.filter((g, i) => !ordered.slice(i + 1).some((later) => later.guid === g.guid));
      cache.set(parent, result);
      return result;
    },
  };
}
