import type { Endpoint, Principal } from "../contract/index.ts";

/**
 * Value helpers for Samba's JSON audit records. Samba names results by NTSTATUS name
 * (`NT_STATUS_WRONG_PASSWORD`) where Windows writes numbers, and addresses as `ipv4:IP:PORT`.
 */

/** NTSTATUS names Samba writes, with the code Windows logs for them (4625 Status / 4776). */
export const NT_STATUS: Readonly<Record<string, number>> = {
  NT_STATUS_OK: 0,
  NT_STATUS_NO_SUCH_USER: 0xc0000064,
  NT_STATUS_WRONG_PASSWORD: 0xc000006a,
  NT_STATUS_LOGON_FAILURE: 0xc000006d,
  NT_STATUS_ACCOUNT_RESTRICTION: 0xc000006e,
  NT_STATUS_INVALID_LOGON_HOURS: 0xc000006f,
  NT_STATUS_INVALID_WORKSTATION: 0xc0000070,
  NT_STATUS_PASSWORD_EXPIRED: 0xc0000071,
  NT_STATUS_ACCOUNT_DISABLED: 0xc0000072,
  NT_STATUS_ACCOUNT_EXPIRED: 0xc0000193,
  NT_STATUS_PASSWORD_MUST_CHANGE: 0xc0000224,
  NT_STATUS_ACCOUNT_LOCKED_OUT: 0xc0000234,
  NT_STATUS_NO_LOGON_SERVERS: 0xc000005e,
  NT_STATUS_ACCESS_DENIED: 0xc0000022,
  NT_STATUS_INVALID_PARAMETER: 0xc000000d,
  NT_STATUS_NOT_SUPPORTED: 0xc00000bb,
  NT_STATUS_NO_TRUST_SAM_ACCOUNT: 0xc000018b,
  NT_STATUS_DOWNGRADE_DETECTED: 0xc0000388,
  NT_STATUS_AUTHENTICATION_FIREWALL_FAILED: 0xc0000413,
};

/**
 * What a Windows KDC answers (4768 / 4771 result) for the NTSTATUS Samba's KDC logs: 0x6 unknown
 * principal, 0x12 client revoked (disabled, expired, locked out, logon hours), 0x17 key expired,
 * 0x18 pre-authentication failed (a wrong password).
 */
export const KERBEROS_RESULT: Readonly<Record<string, number>> = {
  NT_STATUS_OK: 0,
  NT_STATUS_NO_SUCH_USER: 0x6,
  NT_STATUS_WRONG_PASSWORD: 0x18,
  NT_STATUS_LOGON_FAILURE: 0x18,
  NT_STATUS_ACCOUNT_DISABLED: 0x12,
  NT_STATUS_ACCOUNT_EXPIRED: 0x12,
  NT_STATUS_ACCOUNT_LOCKED_OUT: 0x12,
  NT_STATUS_INVALID_LOGON_HOURS: 0x12,
  NT_STATUS_INVALID_WORKSTATION: 0x12,
  NT_STATUS_ACCOUNT_RESTRICTION: 0x12,
  NT_STATUS_PASSWORD_EXPIRED: 0x17,
  NT_STATUS_PASSWORD_MUST_CHANGE: 0x17,
};

/** Samba's passwordType for Kerberos (the key the pre-authentication used) → etype number. */
export const ETYPES: Readonly<Record<string, number>> = {
  "des-cbc-crc": 1,
  "des-cbc-md5": 3,
  "aes128-cts-hmac-sha1-96": 17,
  "aes256-cts-hmac-sha1-96": 18,
  "arcfour-hmac-md5": 23,
};

/** Non-empty trimmed string, or undefined (Samba writes `null` and `""` for "not applicable"). */
export function text(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  const v = value.trim();
  return v === "" ? undefined : v;
}

/**
 * `ipv4:10.99.0.20:43559` / `ipv6:fd00::1:445` → ip and port. The unspecified addresses Samba writes
 * for its own internal connections (`ipv6::::0`, `0.0.0.0`) are no client and give nothing.
 */
export function endpointOf(value: unknown): Endpoint | undefined {
  const v = text(value);
  const m = v ? /^(ipv4|ipv6):(.+):(\d+)$/.exec(v) : null;
  if (!m) return undefined;
  const ip = m[2]!.replace(/^\[(.*)\]$/, "$1");
  const port = Number(m[3]);
  if (ip === "::" || ip === "0.0.0.0") return undefined;
  return { ip: ip.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, ""), ...(port > 0 && port <= 65535 ? { port } : {}) };
}

/** `alice@CORP.LAB` (Kerberos), `CORP\alice` or a bare name, with Samba's clientDomain as fallback. */
export function accountOf(account: unknown, domain: unknown, sid?: unknown): Principal | undefined {
  const raw = text(account);
  const out: Principal = {};
  if (raw) {
    const slash = raw.indexOf("\\");
    const at = raw.lastIndexOf("@");
    if (slash >= 0) Object.assign(out, { domain: raw.slice(0, slash), name: raw.slice(slash + 1) });
    else if (at > 0) Object.assign(out, { name: raw.slice(0, at), domain: raw.slice(at + 1) });
    else out.name = raw;
  }
  const d = text(domain);
  if (!out.domain && d) out.domain = d;
  if (!out.name) delete out.name;
  if (!out.domain) delete out.domain;
  const s = text(sid);
  if (s && s !== "S-1-0-0") out.sid = s;
  return Object.keys(out).length > 0 ? out : undefined;
}

/** The leading RDN's value: `CN=Domain Admins,CN=Users,…` → `Domain Admins` (commas escaped as `\,`). */
export function rdnValue(dn: string | undefined): string | undefined {
  const m = dn ? /^[A-Za-z]+=((?:\\.|[^,])*)/.exec(dn) : null;
  return m ? m[1]!.replace(/\\(.)/g, "$1") : undefined;
}

/**
 * Samba writes linked values in extended-DN form: `<GUID=…>;<SID=…>;CN=eve,…`. Windows 5136 writes
 * the plain DN; the SID is kept separately.
 */
export function splitExtendedDn(value: string): { dn: string; sid?: string; guid?: string } {
  let rest = value;
  const out: { dn: string; sid?: string; guid?: string } = { dn: value };
  for (let m = /^<(GUID|SID)=([^>]*)>;?/i.exec(rest); m; m = /^<(GUID|SID)=([^>]*)>;?/i.exec(rest)) {
    if (m[1]!.toUpperCase() === "SID") out.sid = m[2]!;
    else out.guid = m[2]!.toLowerCase();
    rest = rest.slice(m[0].length);
  }
  out.dn = rest;
  return out;
}

/** A JSON object (not an array, not null). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Drops undefined members and empty objects (the Windows mapper's rule, shared). */
export { prune } from "../windows/map/values.ts";
