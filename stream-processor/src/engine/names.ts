// How entity names are compared: Windows names are case-insensitive and written many ways
// (`CORP\\bob`, `bob@corp.lab`, `DC01$`, `DC01.corp.lab`, `::ffff:10.0.0.5`).

// The normalizers below are pure and called several times per event on a small set of names, so
// their results are memoized. A cache is dropped whole once it holds CACHE_MAX names (bounded memory,
// and no bookkeeping on hits); null stands for an undefined result.
const CACHE_MAX = 32_768;

// Most calls repeat one of the last two inputs (every detection routed an event normalizes the same
// actor and source), and comparing against them is far cheaper than hashing the string into the Map.
function memo(fn: (s: string) => string | undefined): (s: string | undefined) => string | undefined {
  const cache = new Map<string, string | null>();
  let lastIn = "";
  let lastOut: string | undefined;
  let prevIn = "";
  let prevOut: string | undefined;
  return (s) => {
    if (!s) return undefined;
    if (s === lastIn) return lastOut;
    if (s === prevIn) return prevOut;
    const hit = cache.get(s);
    let r: string | undefined;
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

/** Normalized SID, or undefined for none / the NULL SID that failed logons carry. */
export const normSid: (sid: string | undefined) => string | undefined = memo(normSidUncached);

function normSidUncached(sid: string): string | undefined {
  const s = sid.trim().toUpperCase();
  return s.startsWith("S-1-") && s !== "S-1-0-0" ? s : undefined;
}

/** Account name without `DOMAIN\` or `@realm`, lower-case (`CORP\Bob`, `bob@corp.lab` → `bob`). */
export const normName: (name: string | undefined) => string | undefined = memo(normNameUncached);

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
export const normHost: (host: string | undefined) => string | undefined = memo(normHostUncached);

function normHostUncached(host: string): string | undefined {
  const h = host.trim().toLowerCase().replace(/^\\\\/, "");
  if (!h || h === "-") return undefined;
  if (isIp(h)) return normIp(h);
  return h.split(".")[0]!.replace(/\$$/, "") || undefined;
}

/** IP without the IPv4-mapped IPv6 prefix. */
export const normIp: (ip: string | undefined) => string | undefined = memo(normIpUncached);

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
