import type { Principal } from "../../contract/index.ts";

/** Windows writes `-` (and sometimes nothing) for "not applicable"; both mean absent. */
export function clean(value: string | undefined): string | undefined {
  const v = value?.trim();
  return v === undefined || v === "" || v === "-" ? undefined : v;
}

/** Status codes, etypes, flags: hex (`0xC000006A`, as event XML writes them) or decimal (Get-WinEvent). */
export function num(value: string | undefined): number | undefined {
  const v = clean(value);
  if (v === undefined) return undefined;
  const n = /^0x[0-9a-f]+$/i.test(v) ? Number.parseInt(v.slice(2), 16) : /^-?\d+$/.test(v) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n)) return undefined;
  // A 32-bit status read as signed (.NET Int32) is the same code as its unsigned form.
  return n < 0 && n >= -0x80000000 ? n >>> 0 : n;
}

/** Hex flags / masks in one spelling (`0x40810010`, lower case, no padding) whatever the source wrote. */
export function hex(value: string | undefined): string | undefined {
  const n = num(value);
  return n === undefined ? undefined : `0x${n.toString(16)}`;
}

/** IPv4-mapped IPv6 (`::ffff:10.0.0.5`, how the KDC logs IPv4 clients) becomes plain IPv4. */
export function ip(value: string | undefined): string | undefined {
  const v = clean(value);
  if (v === undefined) return undefined;
  return v.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, "");
}

export function port(value: string | undefined): number | undefined {
  const n = num(value);
  return n !== undefined && n >= 0 && n <= 65535 ? n : undefined;
}

/** SIDs without the `%{…}` wrapper some fields use; the NULL SID (S-1-0-0) means "no account". */
export function sid(value: string | undefined): string | undefined {
  const v = clean(value)?.replace(/^%\{(.*)\}$/, "$1");
  return v === undefined || v === "S-1-0-0" ? undefined : v;
}

/** GUIDs bare and lower case: `%{1131F6AA-…}` and `{1131f6aa-…}` are the same right. */
export function guid(value: string | undefined): string | undefined {
  const v = clean(value)
    ?.replace(/^%?\{(.*)\}$/, "$1")
    .toLowerCase();
  return v && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(v) ? v : undefined;
}

/** Every GUID inside a multi-line field such as 4662 Properties, in order, without duplicates. */
export function guids(value: string | undefined): string[] {
  const found = value?.toLowerCase().match(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g) ?? [];
  return [...new Set(found)];
}

/** Host names without the UNC `\\` some events prefix. */
export function host(value: string | undefined): string | undefined {
  return clean(clean(value)?.replace(/^\\\\/, ""));
}

export function isDn(value: string | undefined): boolean {
  return value !== undefined && /^(CN|OU|DC|O|L)=/i.test(value.trim());
}

/** A principal with only the parts that are present, or undefined when none is. */
export function principal(parts: { sid?: string; name?: string; domain?: string; dn?: string }): Principal | undefined {
  const out: Principal = {};
  const s = sid(parts.sid);
  const name = clean(parts.name);
  const domain = clean(parts.domain);
  const dn = clean(parts.dn);
  if (s) out.sid = s;
  if (name) out.name = name;
  if (domain) out.domain = domain;
  if (dn) out.dn = dn;
  return Object.keys(out).length > 0 ? out : undefined;
}

/** `DOMAIN\user` or `user@realm` (4769 TargetUserName, ADCS Requester) into name and domain. */
export function splitAccount(value: string | undefined): { name?: string; domain?: string } {
  const v = clean(value);
  if (v === undefined) return {};
  const slash = v.indexOf("\\");
  if (slash >= 0) return { domain: v.slice(0, slash), name: v.slice(slash + 1) };
  const atSign = v.lastIndexOf("@");
  if (atSign > 0) return { name: v.slice(0, atSign), domain: v.slice(atSign + 1) };
  return { name: v };
}

/** The Subject* block most events use for the principal that performed the action. */
export function subjectOf(d: Record<string, string>): Principal | undefined {
  return principal({ sid: d["SubjectUserSid"], name: d["SubjectUserName"], domain: d["SubjectDomainName"] });
}

/** The Target* block account-management events use for the account acted on. */
export function targetAccountOf(d: Record<string, string>): Principal | undefined {
  return principal({ sid: d["TargetSid"] ?? d["TargetUserSid"], name: d["TargetUserName"], domain: d["TargetDomainName"] });
}

/** Drops undefined members and empty objects so drafts carry only what the record said. */
export function prune<T extends object>(value: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (v === undefined) continue;
    if (v && typeof v === "object" && !Array.isArray(v)) {
      const inner = prune(v as object);
      if (Object.keys(inner).length > 0) out[k] = inner;
      continue;
    }
    out[k] = v;
  }
  return out as T;
}
