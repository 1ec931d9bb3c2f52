// How entity names are compared: Windows names are case-insensitive and written many ways
// (`CORP\\bob`, `bob@corp.lab`, `DC01$`, `DC01.corp.lab`, `::ffff:10.0.0.5`).

// The normalizers below are pure and called several times per event on a small set of names, so
// their results are memoized. A cache is dropped whole once it holds CACHE_MAX names (bounded memory,
// and no bookkeeping on hits); null stands for an undefined result.
const CACHE_MAX = 32_768;

// Most calls repeat one of the last two inputs (every detection routed an event normalizes the same
// actor and source), and comparing against them is far cheaper than hashing the string into the Map.
// Each event brings fresh strings, though, and most are already in normal form (`bob`, `wks01`,
// `10.0.0.5`, `S-1-5-21-…`): `canonical` recognizes those with one pass over their characters, which
// is cheaper than hashing them and probing a large Map (the result is then the input itself).
function memo(fn: (s: string) => string | undefined, canonical: (s: string) => boolean): (s: string | undefined) => string | undefined {
  const cache = new Map<string, string | null>();
  let lastIn = "";
  let lastOut: string | undefined;
  let prevIn = "";
  let prevOut: string | undefined;
  return (s) => {
    if (!s) return undefined;
    if (s === lastIn) return lastOut;
    if (s === prevIn) return prevOut;
    let r: string | undefined;
    const hit = canonical(s) ? s : cache.get(s);
    if (hit !== undefined) r = hit ?? undefined;
    else {
      r = fn(s);
      if (cache.size >= CACHE_MAX) cache.clear();
      cache.set(s, r ?? null);
    }
    prevIn = lastIn;
    prevOut = lastOut;
    lastIn = s;
    lastOut = r;
    return r;
  };
}

// Characters (ASCII codes) a string may be made of to be its own normal form. A SID of digits and
// dashes is unchanged by trim + upper-case; a name without domain, realm, spaces or capitals by
// normName; a host without dots, `$`, colons or capitals is no IP and has one label; digits and dots
// are an IPv4 address or nothing normIp would change.
const SID_CHARS = charSet("0123456789-S");
const NAME_CHARS = charSet("abcdefghijklmnopqrstuvwxyz0123456789._$-");
const HOST_CHARS = charSet("abcdefghijklmnopqrstuvwxyz0123456789_-");
const IPV4_CHARS = charSet("0123456789.");

function charSet(chars: string): Uint8Array {
  const set = new Uint8Array(128);
  for (let i = 0; i < chars.length; i++) set[chars.charCodeAt(i)] = 1;
  return set;
}

function only(s: string, set: Uint8Array): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || set[c] === 0) return false;
  }
  return true;
}

/** Normalized SID, or undefined for none / the NULL SID that failed logons carry. */
export const normSid: (sid: string | undefined) => string | undefined = memo(
  normSidUncached,
  (s) => s !== "S-1-0-0" && s.startsWith("S-1-") && only(s, SID_CHARS),
);

function normSidUncached(sid: string): string | undefined {
  const s = sid.trim().toUpperCase();
  return s.startsWith("S-1-") && s !== "S-1-0-0" ? s : undefined;
}

/** Account name without `DOMAIN\` or `@realm`, lower-case (`CORP\Bob`, `bob@corp.lab` → `bob`). */
export const normName: (name: string | undefined) => string | undefined = memo(normNameUncached, (s) => s !== "-" && only(s, NAME_CHARS));

function normNameUncached(name: string): string | undefined {
  let n = name.trim();
  const slash = n.lastIndexOf("\\");
  if (slash >= 0) n = n.slice(slash + 1);
  const at = n.indexOf("@");
  if (at > 0) n = n.slice(0, at);
  n = n.toLowerCase();
  return n && n !== "-" ? n : undefined;
}

/** Host as its first DNS label, lower-case, without a machine-account `$`; IPs unchanged. */
export const normHost: (host: string | undefined) => string | undefined = memo(normHostUncached, (s) => s !== "-" && only(s, HOST_CHARS));

function normHostUncached(host: string): string | undefined {
  const h = host.trim().toLowerCase().replace(/^\\\\/, "");
  if (!h || h === "-") return undefined;
  if (isIp(h)) return normIp(h);
  return h.split(".")[0]!.replace(/\$$/, "") || undefined;
}

/** IP without the IPv4-mapped IPv6 prefix. */
export const normIp: (ip: string | undefined) => string | undefined = memo(normIpUncached, (s) => only(s, IPV4_CHARS));

function normIpUncached(ip: string): string | undefined {
  const i = ip
    .trim()
    .toLowerCase()
    .replace(/^::ffff:/, "");
  return i && i !== "-" ? i : undefined;
}

/** True for the local machine (the source is then the recording host itself). */
export function isLoopback(ip: string): boolean {
  return ip === "::1" || ip.startsWith("127.");
}

/** True for an IPv4 or IPv6 literal. */
export function isIp(s: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(s) || (s.includes(":") && /^[0-9a-f:.]+$/.test(s));
}

/** Normalizes a ref given by an admin (SID, account/host name, IP or IPv4 CIDR). */
export function normRef(ref: string): string {
  const r = ref.trim();
  return normSid(r) ?? (isIp(r) || r.includes("/") ? r.toLowerCase() : (normName(r) ?? r.toLowerCase()).replace(/\$$/, ""));
}
