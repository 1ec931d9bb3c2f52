// How entity names are compared: Windows names are case-insensitive and written many ways
// (`CORP\\bob`, `bob@corp.lab`, `DC01$`, `DC01.corp.lab`, `::ffff:10.0.0.5`).

/** Normalized SID, or undefined for none / the NULL SID that failed logons carry. */
export function normSid(sid: string | undefined): string | undefined {
  if (!sid) return undefined;
  const s = sid.trim().toUpperCase();
  return s.startsWith("S-1-") && s !== "S-1-0-0" ? s : undefined;
}

/** Account name without `DOMAIN\` or `@realm`, lower-case (`CORP\Bob`, `bob@corp.lab` → `bob`). */
export function normName(name: string | undefined): string | undefined {
  if (!name) return undefined;
  let n = name.trim();
  const slash = n.lastIndexOf("\\");
  if (slash >= 0) n = n.slice(slash + 1);
  const at = n.indexOf("@");
  if (at > 0) n = n.slice(0, at);
  n = n.toLowerCase();
  return n && n !== "-" ? n : undefined;
}

/** Host as its first DNS label, lower-case, without a machine-account `$`; IPs unchanged. */
export function normHost(host: string | undefined): string | undefined {
  if (!host) return undefined;
  const h = host.trim().toLowerCase().replace(/^\\\\/, "");
  if (!h || h === "-") return undefined;
  if (isIp(h)) return normIp(h);
  return h.split(".")[0]!.replace(/\$$/, "") || undefined;
}

/** IP without the IPv4-mapped IPv6 prefix. */
export function normIp(ip: string | undefined): string | undefined {
  if (!ip) return undefined;
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
