/**
 * Reading a DirectorySnapshot: attribute access by LDAP name, userAccountControl bits, principal
 * lookup by SID / DN / name, and transitive sensitivity (MDI's default sensitive groups, nested
 * groups and primary group included). Built once per assessment run and shared by every assessment.
 */
import { DEFAULT_SENSITIVE_GROUPS } from "../engine/sensitive-groups.ts";
import type { AccountTraffic, AssessOptions, DirectoryObject, DirectorySnapshot } from "./model.ts";

/** userAccountControl bits the assessments read (MS-ADTS 2.2.16). */
export const UAC = {
  ACCOUNTDISABLE: 0x2,
  PASSWD_NOTREQD: 0x20,
  ENCRYPTED_TEXT_PWD_ALLOWED: 0x80,
  SERVER_TRUST_ACCOUNT: 0x2000,
  TRUSTED_FOR_DELEGATION: 0x80000,
  USE_DES_KEY_ONLY: 0x200000,
  DONT_REQ_PREAUTH: 0x400000,
  TRUSTED_TO_AUTH_FOR_DELEGATION: 0x1000000,
  PARTIAL_SECRETS_ACCOUNT: 0x4000000,
} as const;

const DAY = 86_400_000;

/** A view over one snapshot with the indexes every assessment needs. */
export interface Directory {
  snapshot: DirectorySnapshot;
  now: number;
  /** The domain head object (objectType domain), when synced. */
  ___domain: DirectoryObject | undefined;
  /** Domain SID (from the domain object, else inferred from a RID-512 group). */
  domainSid: string | undefined;
  users: DirectoryObject[];
  computers: DirectoryObject[];
  groups: DirectoryObject[];
  bySid: Map<string, DirectoryObject>;
  byDn: Map<string, DirectoryObject>;
  byName: Map<string, DirectoryObject>;
  /** Lower-case servicePrincipalName → account (TGS counters may name the service by SPN). */
  bySpn: Map<string, DirectoryObject>;
  /** objectIds of sensitive principals (accounts and groups), transitive. */
  sensitive: Set<string>;
}

/** A string attribute, or undefined. */
export function str(o: DirectoryObject, name: string): string | undefined {
  const v = o.attributes[name];
  return typeof v === "string" ? v : undefined;
}

/** A numeric attribute, or undefined. */
export function num(o: DirectoryObject, name: string): number | undefined {
  const v = o.attributes[name];
  return typeof v === "number" ? v : undefined;
}

/** A multi-valued attribute (a single string counts as one value); [] when absent. */
export function list(o: DirectoryObject, name: string): string[] {
  const v = o.attributes[name];
  return Array.isArray(v) ? v : typeof v === "string" ? [v] : [];
}

/** True when userAccountControl is known and has the bit. */
export function hasUac(o: DirectoryObject, bit: number): boolean {
  const v = num(o, "userAccountControl");
  return v !== undefined && (v & bit) !== 0;
}

/** Enabled: userAccountControl known and ACCOUNTDISABLE clear. Undefined when UAC was not read. */
export function isEnabled(o: DirectoryObject): boolean | undefined {
  const v = num(o, "userAccountControl");
  return v === undefined ? undefined : (v & UAC.ACCOUNTDISABLE) === 0;
}

/** The RID of a principal's SID. */
export function ridOf(o: DirectoryObject): number | undefined {
  const sid = str(o, "objectSid") ?? (o.objectId.startsWith("S-1-") ? o.objectId : undefined);
  const m = sid ? /-(\d+)$/.exec(sid) : null;
  return m ? Number(m[1]) : undefined;
}

/** Display name of an object for `affected`. */
export function nameOf(o: DirectoryObject): string {
  return str(o, "sAMAccountName") ?? o.name ?? o.dn ?? o.objectId;
}

/** A DC: a server trust account (writable DC) or a partial-secrets account (RODC). */
export function isDc(o: DirectoryObject): boolean {
  if (o.objectType !== "computer") return false;
  if (hasUac(o, UAC.SERVER_TRUST_ACCOUNT) || hasUac(o, UAC.PARTIAL_SECRETS_ACCOUNT)) return true;
  const pg = num(o, "primaryGroupID");
  return pg === 516 || pg === 521;
}

/**
 * Milliseconds since an ISO time attribute; Infinity for LDAP sync's `"never"` (a zero or maximal
 * FILETIME); undefined when the attribute is absent or unreadable (the assessment must then say unknown).
 */
export function ageMs(o: DirectoryObject, name: string, now: number): number | undefined {
  const v = str(o, name);
  if (v === undefined) return undefined;
  if (v === "never") return Infinity;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : now - t;
}

/** Days → milliseconds. */
export const days = (n: number): number => n * DAY;

const key = (s: string) => s.trim().toLowerCase();

/** Resolves a traffic account reference (SID, SPN, `DOMAIN\sam`, `sam@realm`, `sam`) to a snapshot object. */
export function resolveAccount(dir: Directory, ref: AccountTraffic["account"]): DirectoryObject | undefined {
  const r = ref.trim();
  if (/^S-1-/i.test(r)) return dir.bySid.get(r.toUpperCase());
  if (r.includes("/")) return dir.bySpn.get(key(r));
  let n = r;
  const slash = n.lastIndexOf("\\");
  if (slash >= 0) n = n.slice(slash + 1);
  const at = n.indexOf("@");
  if (at > 0) n = n.slice(0, at);
  return dir.byName.get(key(n));
}

/** Builds the indexes and the transitive sensitive set for one run. */
export function readDirectory(snapshot: DirectorySnapshot, options: AssessOptions): Directory {
  const objects = [...snapshot.objects.values()];
  const bySid = new Map<string, DirectoryObject>();
  const byDn = new Map<string, DirectoryObject>();
  const byName = new Map<string, DirectoryObject>();
  const bySpn = new Map<string, DirectoryObject>();
  for (const o of objects) {
    for (const spn of list(o, "servicePrincipalName")) bySpn.set(key(spn), o);
    const sid = str(o, "objectSid");
    if (sid) bySid.set(sid.toUpperCase(), o);
    if (o.dn) byDn.set(key(o.dn), o);
    const sam = str(o, "sAMAccountName");
    if (sam && o.objectType !== "domain") byName.set(key(sam), o);
  }
  const ___domain = objects.find((o) => o.objectType === "domain");
  const groups = objects.filter((o) => o.objectType === "group");
  const domainSid =
    (___domain && str(___domain, "objectSid")) ??
    groups
      .map((g) => str(g, "objectSid"))
      .find((s) => s?.startsWith("S-1-5-21-") && s.endsWith("-512"))
      ?.replace(/-512$/, "");
  const dir: Directory = {
    snapshot,
    now: Date.parse(options.now),
    ___domain,
    domainSid,
    users: objects.filter((o) => o.objectType === "user"),
    computers: objects.filter((o) => o.objectType === "computer"),
    groups,
    bySid,
    byDn,
    byName,
    bySpn,
    sensitive: new Set(),
  };
  dir.sensitive = sensitiveClosure(dir, objects, options.sensitive ?? []);
  return dir;
}

/** True when a SID names one of MDI's default sensitive groups in this domain (or a builtin one). */
export function isDefaultSensitiveSid(dir: Directory, sid: string): boolean {
  const s = sid.toUpperCase();
  return DEFAULT_SENSITIVE_GROUPS.some((g) => {
    if (g.sid) return g.sid === s;
    if (g.rid === undefined) return false;
    return dir.domainSid ? s === `${dir.domainSid.toUpperCase()}-${g.rid}` : /^S-1-5-21-/.test(s) && s.endsWith(`-${g.rid}`);
  });
}

function isDefaultSensitiveGroup(dir: Directory, g: DirectoryObject): boolean {
  const sid = str(g, "objectSid");
  if (sid && isDefaultSensitiveSid(dir, sid)) return true;
  const name = key(nameOf(g));
  return DEFAULT_SENSITIVE_GROUPS.some((d) => d.sid === undefined && d.rid === undefined && d.names.includes(name));
}

// Membership is read from both ends because a sync may carry either: a group's member (DN list,
// memberSids when the extended-DN control gave SIDs) and an account's memberOf / primaryGroupSid
// (the primary group is never listed in member).
function sensitiveClosure(dir: Directory, objects: DirectoryObject[], tags: readonly string[]): Set<string> {
  const members = new Map<string, Set<DirectoryObject>>();
  const link = (group: DirectoryObject | undefined, member: DirectoryObject | undefined) => {
    if (!group || !member || group === member) return;
    let set = members.get(group.objectId);
    if (!set) members.set(group.objectId, (set = new Set()));
    set.add(member);
  };
  for (const o of objects) {
    if (o.objectType === "group") {
      for (const dn of list(o, "member")) link(o, dir.byDn.get(key(dn)));
      for (const sid of list(o, "memberSids")) link(o, dir.bySid.get(sid.toUpperCase()));
    }
    for (const dn of list(o, "memberOf")) link(dir.byDn.get(key(dn)), o);
    for (const sid of list(o, "memberOfSids")) link(dir.bySid.get(sid.toUpperCase()), o);
    const pg = str(o, "primaryGroupSid");
    if (pg) link(dir.bySid.get(pg.toUpperCase()), o);
  }
  const tagged = new Set(tags.map((t) => t.toUpperCase()));
  const out = new Set<string>();
  const queue = objects.filter(
    (o) => tagged.has(o.objectId.toUpperCase()) || (o.objectType === "group" && isDefaultSensitiveGroup(dir, o)),
  );
  while (queue.length > 0) {
    const o = queue.pop()!;
    if (out.has(o.objectId)) continue;
    out.add(o.objectId);
    for (const m of members.get(o.objectId) ?? []) if (!out.has(m.objectId)) queue.push(m);
  }
  return out;
}
