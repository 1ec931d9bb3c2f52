/**
 * Decoders for the Active Directory attribute encodings the LDAP sync reads: binary SIDs and GUIDs,
 * FILETIME and generalized times, flag words, gPLink, extended DNs, DN-binary values and the
 * security descriptor of msDS-AllowedToActOnBehalfOfOtherIdentity. Every decoder throws
 * AttributeDecodeError with the reason on a malformed value, so the caller can drop that one
 * attribute, report it, and keep the rest of the object.
 */
import { createHash } from "node:crypto";

/** A value that does not have its attribute's encoding. */
export class AttributeDecodeError extends Error {
  override readonly name = "AttributeDecodeError";
}

const fail = (reason: string): never => {
  throw new AttributeDecodeError(reason);
};

/** Binary SID (MS-DTYP 2.4.2.2) → `S-1-5-21-…`. */
export function sidToString(buf: Uint8Array): string {
  if (buf.length < 8) fail(`SID of ${buf.length} bytes is shorter than its 8-byte header`);
  const revision = buf[0]!;
  const count = buf[1]!;
  if (revision !== 1) fail(`SID revision ${revision}, expected 1`);
  if (count > 15) fail(`SID with ${count} sub-authorities (at most 15)`);
  if (buf.length !== 8 + 4 * count) fail(`SID of ${buf.length} bytes, but ${count} sub-authorities need ${8 + 4 * count}`);
  let authority = 0;
  for (let i = 2; i < 8; i++) authority = authority * 256 + buf[i]!;
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const subs: number[] = [];
  for (let i = 0; i < count; i++) subs.push(view.getUint32(8 + 4 * i, true));
  return [`S-1-${authority}`, ...subs].join("-");
}

/** Binary GUID in Microsoft's mixed-endian layout → lower-case `xxxxxxxx-xxxx-…`. */
export function guidToString(buf: Uint8Array): string {
  if (buf.length !== 16) fail(`GUID of ${buf.length} bytes, expected 16`);
  const hex = (from: number, to: number, reverse: boolean) => {
    const part = Array.from(buf.subarray(from, to), (b) => b.toString(16).padStart(2, "0"));
    return (reverse ? part.reverse() : part).join("");
  };
  return `${hex(0, 4, true)}-${hex(4, 6, true)}-${hex(6, 8, true)}-${hex(8, 10, false)}-${hex(10, 16, false)}`;
}

/** Value AD uses for "never" in FILETIME attributes (accountExpires, lockoutTime…). */
const FILETIME_NEVER = 0x7fffffffffffffffn;
const FILETIME_UNIX_EPOCH = 116444736000000000n;

/**
 * FILETIME (100 ns ticks since 1601, as decimal text) → ISO 8601, or `"never"` for 0 and the maximum,
 * which AD uses for "not set" (pwdLastSet 0 = must change at next logon; accountExpires = no expiry).
 */
export function fileTimeToIso(text: string): string {
  if (!/^\d{1,19}$/.test(text)) fail(`FILETIME ${JSON.stringify(text)} is not a non-negative integer`);
  const ticks = BigInt(text);
  if (ticks === 0n || ticks >= FILETIME_NEVER) return "never";
  const ms = Number((ticks - FILETIME_UNIX_EPOCH) / 10000n);
  const date = new Date(ms);
  if (Number.isNaN(date.getTime())) fail(`FILETIME ${text} is outside the representable dates`);
  return date.toISOString();
}

const GENERALIZED = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:[.,](\d{1,7}))?(Z|[+-]\d{4})$/;

/** Generalized time (`20261125195014.0Z`, whenChanged / whenCreated) → ISO 8601 UTC. */
export function generalizedTimeToIso(text: string): string {
  const m = GENERALIZED.exec(text) ?? fail(`generalized time ${JSON.stringify(text)} is not YYYYMMDDHHMMSS[.f](Z|±hhmm)`);
  const [, y, mo, d, h, mi, s, frac = "0", zone] = m;
  const offset = zone === "Z" ? "Z" : `${zone!.slice(0, 3)}:${zone!.slice(3)}`;
  const iso = `${y}-${mo}-${d}T${h}:${mi}:${s}.${frac.padEnd(3, "0").slice(0, 3)}${offset}`;
  const date = new Date(iso);
  // Date rolls 2026-02-31 over to March; a round trip of the date part catches it.
  if (Number.isNaN(date.getTime()) || Number(mo) < 1 || Number(mo) > 12 || Number(d) > daysIn(Number(y), Number(mo)) || Number(h) > 23)
    fail(`generalized time ${JSON.stringify(text)} is not a real date`);
  return date.toISOString();
}

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** A decimal integer attribute (userAccountControl, adminCount…), signed 32/64-bit as AD sends it. */
export function integerValue(text: string): number {
  if (!/^-?\d{1,19}$/.test(text)) fail(`${JSON.stringify(text)} is not an integer`);
  const n = Number(text);
  if (!Number.isSafeInteger(n)) fail(`${text} is too large for an exact number`);
  return n;
}

/** Names of the set bits of a flag word, unknown bits as `0x…` so nothing is hidden. */
function flagNames(value: number, names: readonly (readonly [number, string])[]): string[] {
  const word = value >>> 0;
  let rest = word;
  const out: string[] = [];
  for (const [bit, name] of names) {
    if ((word & bit) !== 0) {
      out.push(name);
      rest &= ~bit;
    }
  }
  for (let bit = 1; rest !== 0 && bit !== 0; bit <<= 1) {
    if ((rest & bit) !== 0) {
      out.push(`0x${(bit >>> 0).toString(16)}`);
      rest &= ~bit;
    }
  }
  return out;
}

/** userAccountControl bits (MS-ADTS 2.2.16). */
const UAC = [
  [0x1, "SCRIPT"],
  [0x2, "ACCOUNTDISABLE"],
  [0x8, "HOMEDIR_REQUIRED"],
  [0x10, "LOCKOUT"],
  [0x20, "PASSWD_NOTREQD"],
  [0x40, "PASSWD_CANT_CHANGE"],
  [0x80, "ENCRYPTED_TEXT_PWD_ALLOWED"],
  [0x100, "TEMP_DUPLICATE_ACCOUNT"],
  [0x200, "NORMAL_ACCOUNT"],
  [0x800, "INTERDOMAIN_TRUST_ACCOUNT"],
  [0x1000, "WORKSTATION_TRUST_ACCOUNT"],
  [0x2000, "SERVER_TRUST_ACCOUNT"],
  [0x10000, "DONT_EXPIRE_PASSWORD"],
  [0x20000, "MNS_LOGON_ACCOUNT"],
  [0x40000, "SMARTCARD_REQUIRED"],
  [0x80000, "TRUSTED_FOR_DELEGATION"],
  [0x100000, "NOT_DELEGATED"],
  [0x200000, "USE_DES_KEY_ONLY"],
  [0x400000, "DONT_REQ_PREAUTH"],
  [0x800000, "PASSWORD_EXPIRED"],
  [0x1000000, "TRUSTED_TO_AUTH_FOR_DELEGATION"],
  [0x4000000, "PARTIAL_SECRETS_ACCOUNT"],
] as const;

/** userAccountControl → flag names (`DONT_REQ_PREAUTH`, `TRUSTED_FOR_DELEGATION`…). */
export function uacFlags(value: number): string[] {
  return flagNames(value, UAC);
}

/** msDS-SupportedEncryptionTypes bits (MS-KILE 2.2.7). */
const ENC_TYPES = [
  [0x1, "DES-CBC-CRC"],
  [0x2, "DES-CBC-MD5"],
  [0x4, "RC4-HMAC"],
  [0x8, "AES128-CTS-HMAC-SHA1-96"],
  [0x10, "AES256-CTS-HMAC-SHA1-96"],
  [0x20, "AES256-CTS-HMAC-SHA1-96-SK"],
  [0x10000, "FAST-supported"],
  [0x20000, "Compound-identity-supported"],
  [0x40000, "Claims-supported"],
  [0x80000, "Resource-SID-compression-disabled"],
] as const;

/** msDS-SupportedEncryptionTypes → names. */
export function encryptionTypeNames(value: number): string[] {
  return flagNames(value, ENC_TYPES);
}

/** groupType → scope and whether it is a security group (MS-ADTS 2.2.12). */
export function groupTypeInfo(value: number): {
  scope: "builtin-local" | "global" | "domain-local" | "universal" | "unknown";
  security: boolean;
} {
  const v = value >>> 0;
  const scope = v & 0x1 ? "builtin-local" : v & 0x2 ? "global" : v & 0x4 ? "domain-local" : v & 0x8 ? "universal" : "unknown";
  return { scope, security: (v & 0x80000000) !== 0 };
}

const TRUST_ATTRIBUTES = [
  [0x1, "NON_TRANSITIVE"],
  [0x2, "UPLEVEL_ONLY"],
  [0x4, "QUARANTINED_DOMAIN"],
  [0x8, "FOREST_TRANSITIVE"],
  [0x10, "CROSS_ORGANIZATION"],
  [0x20, "WITHIN_FOREST"],
  [0x40, "TREAT_AS_EXTERNAL"],
  [0x80, "USES_RC4_ENCRYPTION"],
  [0x100, "USES_AES_KEYS"],
  [0x200, "CROSS_ORGANIZATION_NO_TGT_DELEGATION"],
  [0x400, "PIM_TRUST"],
  [0x800, "CROSS_ORGANIZATION_ENABLE_TGT_DELEGATION"],
] as const;

/** trustAttributes → names (QUARANTINED_DOMAIN = SID filtering on). */
export function trustAttributeNames(value: number): string[] {
  return flagNames(value, TRUST_ATTRIBUTES);
}

/** trustDirection → word. */
export function trustDirectionName(value: number): string {
  return ["disabled", "inbound", "outbound", "bidirectional"][value] ?? fail(`trustDirection ${value} is not 0-3`);
}

/** trustType → word. */
export function trustTypeName(value: number): string {
  return ["", "downlevel", "uplevel", "mit", "dce"][value] || fail(`trustType ${value} is not 1-4`);
}

/** One link of a gPLink value. */
export interface GpLink {
  dn: string;
  disabled: boolean;
  enforced: boolean;
}

/** gPLink (`[LDAP://cn={GUID},cn=policies,…;0][…]`) → its links, in the order the value lists them. */
export function parseGpLink(text: string): GpLink[] {
  if (text.trim() === "") return [];
  const links: GpLink[] = [];
  const re = /\[LDAP:\/\/([^;\]]+);(\d+)\]/giy;
  let m: RegExpExecArray | null;
  let end = 0;
  while ((m = re.exec(text))) {
    const options = Number(m[2]);
    links.push({ dn: m[1]!, disabled: (options & 1) !== 0, enforced: (options & 2) !== 0 });
    end = re.lastIndex;
  }
  if (end !== text.trimEnd().length) fail(`gPLink ${JSON.stringify(text.slice(0, 80))} is not a list of [LDAP://dn;options]`);
  return links;
}

/** A DN as the extended-DN control returns it: `<GUID=…>;<SID=…>;CN=…`. */
export interface ExtendedDn {
  dn: string;
  guid?: string;
  sid?: string;
}

/** Parses an extended DN (hex or string form); a plain DN comes back with only `dn`. */
export function parseExtendedDn(text: string): ExtendedDn {
  let rest = text;
  const out: { guid?: string; sid?: string } = {};
  while (rest.startsWith("<")) {
    const close = rest.indexOf(">");
    if (close < 0) fail(`extended DN ${JSON.stringify(text.slice(0, 80))} has an unclosed <…>`);
    const [key, value = ""] = rest.slice(1, close).split("=", 2) as [string, string?];
    if (key.toUpperCase() === "GUID")
      out.guid = /^[0-9a-f]{32}$/i.test(value) ? guidToString(Buffer.from(value, "hex")) : value.toLowerCase();
    else if (key.toUpperCase() === "SID") out.sid = /^S-1-/i.test(value) ? value.toUpperCase() : sidToString(hexBytes(value));
    rest = rest.slice(close + 1).replace(/^;/, "");
  }
  if (rest === "") fail(`extended DN ${JSON.stringify(text.slice(0, 80))} has no DN after its <…> parts`);
  return { dn: rest, ...out };
}

function hexBytes(text: string): Buffer {
  if (!/^([0-9a-f]{2})+$/i.test(text)) fail(`${JSON.stringify(text.slice(0, 40))} is not hex`);
  return Buffer.from(text, "hex");
}

/**
 * One msDS-KeyCredentialLink value (DN-binary `B:<n>:<hex>:<owner DN>`) → `sha256:<16 hex>` of the
 * key blob: a stable identity for "a key credential was added or replaced" without shipping the key.
 */
export function keyCredentialId(text: string): string {
  const m = /^B:(\d+):([0-9A-Fa-f]*):(.+)$/s.exec(text) ?? fail(`msDS-KeyCredentialLink value is not DN-binary B:<n>:<hex>:<dn>`);
  if (Number(m[1]) !== m[2]!.length || m[2]!.length % 2 !== 0) fail(`DN-binary length ${m[1]} does not match ${m[2]!.length} hex digits`);
  return `sha256:${createHash("sha256").update(Buffer.from(m[2]!, "hex")).digest("hex").slice(0, 16)}`;
}

/**
 * SIDs granted access by the DACL of a self-relative security descriptor (MS-DTYP 2.4.6), as
 * msDS-AllowedToActOnBehalfOfOtherIdentity holds it: the accounts allowed to delegate to this one
 * (resource-based constrained delegation). Allow ACEs only (0x00, 0x05); deny ACEs are ignored.
 */
export function allowedSidsOfDescriptor(buf: Uint8Array): string[] {
  if (buf.length < 20) fail(`security descriptor of ${buf.length} bytes is shorter than its 20-byte header`);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (buf[0] !== 1) fail(`security descriptor revision ${buf[0]}, expected 1`);
  const dacl = view.getUint32(16, true);
  if (dacl === 0) return [];
  if (dacl + 8 > buf.length) fail(`DACL offset ${dacl} is past the end (${buf.length} bytes)`);
  const aclSize = view.getUint16(dacl + 2, true);
  const aceCount = view.getUint16(dacl + 4, true);
  if (dacl + aclSize > buf.length) fail(`DACL of ${aclSize} bytes at ${dacl} overruns the ${buf.length}-byte descriptor`);
  const sids: string[] = [];
  let at = dacl + 8;
  for (let i = 0; i < aceCount; i++) {
    if (at + 4 > dacl + aclSize) fail(`ACE ${i} starts past the end of the DACL`);
    const type = buf[at]!;
    const size = view.getUint16(at + 2, true);
    if (size < 8 || at + size > dacl + aclSize) fail(`ACE ${i} has size ${size}, outside its DACL`);
    if (type === 0x00) sids.push(sidToString(sidPrefix(buf.subarray(at + 8, at + size))));
    else if (type === 0x05) {
      const flags = view.getUint32(at + 8, true);
      const sidAt = at + 12 + (flags & 1 ? 16 : 0) + (flags & 2 ? 16 : 0);
      if (sidAt >= at + size) fail(`object ACE ${i} has no room for its SID`);
      sids.push(sidToString(sidPrefix(buf.subarray(sidAt, at + size))));
    }
    at += size;
  }
  return sids;
}

/** ACEs may pad after the SID; the SID's own length is in its header. */
function sidPrefix(buf: Uint8Array): Uint8Array {
  return buf.length >= 2 ? buf.subarray(0, Math.min(buf.length, 8 + 4 * buf[1]!)) : buf;
}
