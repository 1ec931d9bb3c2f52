/**
 * The slice of the directory that decides where a GPO applies and who its members are, built from
 * LDAP sync snapshots (`entity.snapshot` entities): the domain and OUs with their `gPLink` /
 * `gPOptions`, GPO containers with their `flags`, computers by DN, and principals by SID and by
 * sAMAccountName for the names a policy writes without a SID. Deleted objects are left out.
 */
import type { EventOf } from "../contract/index.ts";
import { parseGpLink } from "../ldap/decode.ts";

/** An entity as an LDAP sync snapshot carries it. */
export type DirectoryEntity = EventOf<"entity.snapshot">["entity"];

/** The graph kinds a policy member can have. */
export type MemberKind = "User" | "Group" | "Computer";

/** A security principal of the directory. */
export interface DirectoryPrincipal {
  sid: string;
  kind: MemberKind;
  dn: string;
  samAccountName?: string;
}

/** One link of a container's gPLink, in the attribute's order (the first has the lowest precedence). */
export interface GpoLinkInfo {
  /** GUID from the link's DN (`CN={GUID},CN=Policies,…`), upper-case without braces; undefined when the DN has none. */
  guid: string | undefined;
  dn: string;
  enforced: boolean;
  disabled: boolean;
}

/** A domain or OU: something GPOs link to that holds computers by DN. */
export interface GpoContainer {
  dn: string;
  type: "domain" | "ou";
  links: GpoLinkInfo[];
  /** gPOptions bit 1: non-enforced links of the containers above do not apply below this one. */
  blocksInheritance: boolean;
}

/** A GPO container object. */
export interface DirectoryGpo {
  guid: string;
  dn: string;
  displayName?: string;
  /** flags bit 2: the computer half of the GPO is disabled, so its Machine settings never apply. */
  computerSettingsDisabled: boolean;
}

/** What the GPO evaluation needs of the directory. */
export interface GpoDirectory {
  computers: DirectoryPrincipal[];
  principalsBySid: Map<string, DirectoryPrincipal>;
  /** Lower-cased sAMAccountName → principals (one per domain at most, normally). */
  principalsBySam: Map<string, DirectoryPrincipal[]>;
  /** Lower-cased DN → container. */
  containers: Map<string, GpoContainer>;
  gpos: Map<string, DirectoryGpo>;
  /** Links on sites: a computer's site follows its IP address, which the directory does not hold. */
  siteLinks: number;
  /** Objects whose link or option attributes could not be read, with the reason. */
  notes: string[];
}

const GUID_RDN = /^\s*CN=\{([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\}\s*(?:,|$)/i;
const KINDS: Partial<Record<DirectoryEntity["objectType"], MemberKind>> = { user: "User", group: "Group", computer: "Computer" };

/** The GPO GUID a GPO DN names (`CN={GUID},CN=Policies,CN=System,…`), upper-case without braces. */
export function gpoGuidOfDn(dn: string): string | undefined {
  return GUID_RDN.exec(dn)?.[1]?.toUpperCase();
}

const str = (v: unknown) => (typeof v === "string" && v !== "" ? v : undefined);

/** Builds the view from snapshot entities (any order; a later snapshot of the same object wins). */
export function buildGpoDirectory(entities: Iterable<DirectoryEntity>): GpoDirectory {
  const dir: GpoDirectory = {
    computers: [],
    principalsBySid: new Map(),
    principalsBySam: new Map(),
    containers: new Map(),
    gpos: new Map(),
    siteLinks: 0,
    notes: [],
  };
  for (const e of entities) {
    if (e.deleted || !e.dn) continue;
    const a = e.attributes;
    const kind = KINDS[e.objectType];
    if (kind) {
      const sid = (str(a.objectSid) ?? e.objectId).toUpperCase();
      if (!sid.startsWith("S-1-")) continue;
      const p: DirectoryPrincipal = { sid, kind, dn: e.dn, ...(str(a.sAMAccountName) ? { samAccountName: str(a.sAMAccountName)! } : {}) };
      dir.principalsBySid.set(sid, p);
      continue;
    }
    if (e.objectType === "gpo") {
      const guid = gpoGuidOfDn(e.dn);
      if (!guid) {
        dir.notes.push(`GPO ${e.dn}: its name is not a {GUID}; ignored`);
        continue;
      }
      const flags = typeof a.flags === "number" ? a.flags : 0;
      dir.gpos.set(guid, {
        guid,
        dn: e.dn,
        ...(str(a.displayName) ? { displayName: str(a.displayName)! } : {}),
        computerSettingsDisabled: (flags & 2) !== 0,
      });
      continue;
    }
    if (e.objectType !== "domain" && e.objectType !== "ou" && e.objectType !== "site") continue;
    let links: GpoLinkInfo[] = [];
    const raw = str(a.gPLink);
    if (raw) {
      try {
        links = parseGpLink(raw).map((l) => ({ guid: gpoGuidOfDn(l.dn), dn: l.dn, enforced: l.enforced, disabled: l.disabled }));
      } catch (error) {
        dir.notes.push(`${e.dn}: gPLink unreadable (${(error as Error).message}); its links are ignored`);
      }
    }
    if (e.objectType === "site") {
      dir.siteLinks += links.filter((l) => !l.disabled).length;
      continue;
    }
    const options = typeof a.gPOptions === "number" ? a.gPOptions : 0;
    dir.containers.set(e.dn.toLowerCase(), { dn: e.dn, type: e.objectType, links, blocksInheritance: (options & 1) !== 0 });
  }
  for (const p of dir.principalsBySid.values()) {
    if (p.kind === "Computer") dir.computers.push(p);
    if (!p.samAccountName) continue;
    const key = p.samAccountName.toLowerCase();
    dir.principalsBySam.set(key, [...(dir.principalsBySam.get(key) ?? []), p]);
  }
  dir.computers.sort((x, y) => x.sid.localeCompare(y.sid));
  return dir;
}
