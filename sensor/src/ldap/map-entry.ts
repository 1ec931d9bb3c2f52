/**
 * One LDAP search entry → one `entity.snapshot` draft. Attribute names stay the LDAP names (the
 * detections read `userAccountControl`, `sAMAccountName`, `objectSid`, `gPLink`, `adminCount`… by
 * those names) with values decoded: SIDs and GUIDs as strings, times as ISO 8601, integers as
 * numbers. Decoded extras sit beside the raw value under a suffixed name (`userAccountControlFlags`,
 * `memberSids`…). A malformed value drops only that attribute and is reported; the object is kept.
 */
import type { EventDraft, Principal } from "../contract/index.ts";
import {
  allowedSidsOfDescriptor,
  encryptionTypeNames,
  fileTimeToIso,
  generalizedTimeToIso,
  groupTypeInfo,
  guidToString,
  integerValue,
  keyCredentialId,
  parseExtendedDn,
  parseGpLink,
  sidToString,
  trustAttributeNames,
  trustDirectionName,
  trustTypeName,
  uacFlags,
} from "./decode.ts";
import { objectTypeOf, PRINCIPAL_TYPES, SYNC_ATTRIBUTES, type SnapshotObjectType } from "./schema.ts";

/** A search entry as ldapts returns it (binary attributes as Buffers). */
export type LdapEntry = { dn: string } & Record<string, string | string[] | Buffer | Buffer[]>;

type AttrValue = string | number | boolean | string[];
type Attrs = Record<string, AttrValue>;

/** Who the events are from, and where problems go. */
export interface MapEntryContext {
  tenantId: string;
  sensorId: string;
  /** The DC's DNS name (rootDSE dnsHostName): event `dc` and origin computer. */
  dc: string;
  /** Event time for entries without whenChanged (ISO). */
  syncTime: string;
  onProblem: (problem: { dn: string; attribute?: string; reason: string }) => void;
}

/** What mapping one entry gave: the draft, plus its objectId and type for the sync state. */
export interface MappedEntry {
  draft: EventDraft;
  objectId: string;
  objectType: SnapshotObjectType;
  dn: string;
  usn: number | undefined;
}

const asList = (v: LdapEntry[string] | undefined): (string | Buffer)[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const text = (v: string | Buffer) => (typeof v === "string" ? v : v.toString("utf8"));
const bytes = (v: string | Buffer) => (typeof v === "string" ? Buffer.from(v, "binary") : v);

type Decoder = (values: (string | Buffer)[], out: Attrs, name: string) => void;

const one =
  (f: (v: string | Buffer) => AttrValue): Decoder =>
  (values, out, name) =>
    void (out[name] = f(values[0]!));
const many =
  (f: (v: string | Buffer) => string): Decoder =>
  (values, out, name) =>
    void (out[name] = values.map(f));
const str = one(text);
const int = one((v) => integerValue(text(v)));
const fileTime = one((v) => fileTimeToIso(text(v)));
const genTime = one((v) => generalizedTimeToIso(text(v)));
const intWith =
  (suffix: string, extra: (n: number) => AttrValue): Decoder =>
  (values, out, name) => {
    const n = integerValue(text(values[0]!));
    out[name] = n;
    out[`${name}${suffix}`] = extra(n);
  };
const dnList: Decoder = (values, out, name) => {
  const dns = values.map((v) => parseExtendedDn(text(v)));
  out[name] = dns.map((d) => d.dn);
  const sids = dns.flatMap((d) => (d.sid ? [d.sid] : []));
  if (sids.length > 0) out[`${name}Sids`] = sids;
};
const dnOne: Decoder = (values, out, name) => void (out[name] = parseExtendedDn(text(values[0]!)).dn);

/** Decoders by lower-case attribute name; anything not listed is not emitted. */
const DECODERS: Record<string, Decoder> = {
  objectclass: many(text),
  objectguid: one((v) => guidToString(bytes(v))),
  objectsid: one((v) => sidToString(bytes(v))),
  sidhistory: many((v) => sidToString(bytes(v))),
  securityidentifier: one((v) => sidToString(bytes(v))),
  "msds-allowedtoactonbehalfofotheridentity": (values, out, name) =>
    void (out[name] = values.flatMap((v) => allowedSidsOfDescriptor(bytes(v)))),
  "msds-keycredentiallink": many((v) => keyCredentialId(text(v))),
  name: str,
  samaccountname: str,
  userprincipalname: str,
  displayname: str,
  description: str,
  whencreated: genTime,
  whenchanged: genTime,
  usncreated: int,
  usnchanged: int,
  isdeleted: one((v) => text(v).toUpperCase() === "TRUE"),
  lastknownparent: dnOne,
  useraccountcontrol: intWith("Flags", uacFlags),
  serviceprincipalname: many(text),
  "msds-allowedtodelegateto": many(text),
  "msds-supportedencryptiontypes": intWith("Names", encryptionTypeNames),
  admincount: int,
  pwdlastset: fileTime,
  lastlogontimestamp: fileTime,
  accountexpires: fileTime,
  lockouttime: fileTime,
  primarygroupid: int,
  memberof: dnList,
  dnshostname: str,
  operatingsystem: str,
  operatingsystemversion: str,
  member: dnList,
  grouptype: (values, out, name) => {
    const n = integerValue(text(values[0]!));
    const info = groupTypeInfo(n);
    out[name] = n;
    out.groupScope = info.scope;
    out.securityGroup = info.security;
  },
  gplink: (values, out, name) => {
    const raw = text(values[0]!);
    const links = parseGpLink(raw);
    out[name] = raw;
    out.gPLinkDns = links.map((l) => l.dn);
    out.gPLinkEnforced = links.filter((l) => l.enforced).map((l) => l.dn);
    out.gPLinkDisabled = links.filter((l) => l.disabled).map((l) => l.dn);
  },
  gpoptions: int,
  gpcfilesyspath: str,
  flags: int,
  versionnumber: int,
  "ms-ds-machineaccountquota": int,
  "msds-behavior-version": int,
  minpwdlength: int,
  lockoutthreshold: int,
  pwdproperties: int,
  trustpartner: str,
  flatname: str,
  trustdirection: intWith("Name", trustDirectionName),
  trusttype: intWith("Name", trustTypeName),
  trustattributes: intWith("Names", trustAttributeNames),
  siteobject: dnOne,
  location: str,
};

/** Canonical spelling of each attribute (servers may return another case than requested). */
const CANONICAL = new Map(SYNC_ATTRIBUTES.map((n) => [n.toLowerCase(), n]));

/**
 * Maps one entry; undefined (with a problem reported) when it has no usable identity or is of a
 * class the sync does not emit.
 */
export function mapEntry(raw: LdapEntry, ctx: MapEntryContext): MappedEntry | undefined {
  // Samba applies the extended-DN control to the entry's own name too; Windows does not.
  const entry = { ...raw, dn: plainDn(raw.dn) };
  const attrs: Attrs = {};
  for (const [key, value] of Object.entries(raw)) {
    if (key === "dn") continue;
    const lower = key.toLowerCase();
    const decode = DECODERS[lower];
    const values = asList(value);
    if (!decode || values.length === 0) continue;
    try {
      decode(values, attrs, CANONICAL.get(lower) ?? key);
    } catch (error) {
      ctx.onProblem({ dn: entry.dn, attribute: key, reason: (error as Error).message });
    }
  }
  const classes = (attrs.objectClass as string[] | undefined) ?? [];
  const objectType = objectTypeOf(classes);
  if (!objectType) {
    ctx.onProblem({ dn: entry.dn, reason: `objectClass ${classes.join(",") || "(none)"} is not a type the sync emits` });
    return undefined;
  }
  const guid = attrs.objectGUID as string | undefined;
  const sid = attrs.objectSid as string | undefined;
  const objectId = PRINCIPAL_TYPES.has(objectType) ? (sid ?? guid) : guid;
  if (!objectId || !guid) {
    ctx.onProblem({ dn: entry.dn, reason: "entry has no readable objectGUID; it cannot be identified across syncs" });
    return undefined;
  }
  const deleted = attrs.isDeleted === true;
  if (typeof attrs.primaryGroupID === "number" && sid)
    attrs.primaryGroupSid = `${sid.slice(0, sid.lastIndexOf("-"))}-${attrs.primaryGroupID}`;
  const usn = typeof attrs.uSNChanged === "number" ? attrs.uSNChanged : undefined;
  const name = displayName(objectType, attrs, deleted);
  const time = typeof attrs.whenChanged === "string" ? attrs.whenChanged : ctx.syncTime;
  const target = principalOf(objectType, attrs, entry.dn, deleted);
  const draft: EventDraft = {
    kind: "entity.snapshot",
    tenantId: ctx.tenantId,
    sensorId: ctx.sensorId,
    time,
    dc: ctx.dc,
    ...(target ? { target } : {}),
    entity: { objectType, objectId, dn: entry.dn, ...(name ? { name } : {}), attributes: attrs, deleted },
    // One record per object version: a re-sync of an unchanged object dedupes on the bus.
    origin: { format: "ldap", recordId: `${guid}:${usn ?? "?"}${deleted ? ":deleted" : ""}`, computer: ctx.dc },
  };
  return { draft, objectId, objectType, dn: entry.dn, usn };
}

function plainDn(dn: string): string {
  try {
    return parseExtendedDn(dn).dn;
  } catch {
    return dn;
  }
}

function displayName(type: SnapshotObjectType, a: Attrs, deleted: boolean): string | undefined {
  const s = (k: string) => (typeof a[k] === "string" && a[k] !== "" ? a[k] : undefined);
  // A tombstone's name is `old\nDEL:<guid>` and its sAMAccountName is mangled.
  const name = s("name")?.split("\nDEL:")[0];
  if (deleted) return name;
  if (PRINCIPAL_TYPES.has(type)) return s("sAMAccountName") ?? name;
  if (type === "gpo") return s("displayName") ?? name;
  return name;
}

function principalOf(type: SnapshotObjectType, a: Attrs, dn: string, deleted: boolean): Principal | undefined {
  if (!PRINCIPAL_TYPES.has(type)) return undefined;
  const sid = typeof a.objectSid === "string" ? a.objectSid : undefined;
  const name = !deleted && typeof a.sAMAccountName === "string" && a.sAMAccountName ? a.sAMAccountName : undefined;
  return { ...(sid ? { sid } : {}), ...(name ? { name } : {}), dn };
}

/** A draft saying an object known from an earlier sync is gone (found by set difference on a full pass). */
export function goneDraft(
  known: { objectId: string; objectType: SnapshotObjectType; dn?: string },
  ctx: MapEntryContext,
  usn: number,
): EventDraft {
  return {
    kind: "entity.snapshot",
    tenantId: ctx.tenantId,
    sensorId: ctx.sensorId,
    time: ctx.syncTime,
    dc: ctx.dc,
    entity: {
      objectType: known.objectType,
      objectId: known.objectId,
      ...(known.dn ? { dn: known.dn } : {}),
      attributes: { deletionDetectedBy: "full-sync" },
      deleted: true,
    },
    origin: { format: "ldap", recordId: `${known.objectId}:gone:${usn}`, computer: ctx.dc },
  };
}
