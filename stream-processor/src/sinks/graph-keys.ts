/**
 * How the processor names graph nodes. A node is keyed by its SID whenever the event carries a real
 * one: SIDs are what LDAP sync and BloodHound-style collectors key on, so nodes written from events
 * and from the directory meet. Without a SID the key is built from the name, prefixed with the node
 * kind so a user and a computer or group spelled alike never collide (a kind conflict would make the
 * graph refuse the write):
 *
 *   user / group without SID   USER:<DOMAIN>\<SAMACCOUNTNAME>   (DOMAIN = NetBIOS name or first DNS label; omitted when unknown)
 *   computer without SID       COMPUTER:<FIRST DNS LABEL>       (a host `ws01.acme.local` and a machine account `WS01$` alike;
 *                                                               events name hosts, never their SIDs)
 *   principal known by DN only <KIND>:DN:<DN>
 *
 * These are graph-model's name keys (nameKey in graph-model/src/aliases.ts), so everything is
 * upper-cased and one rule names a node on both sides: the LDAP sync and SharpHound write SID nodes
 * claiming these keys as aliases, and graph-model merges a name-keyed node into the SID node (or
 * sends later writes by the name there), whichever arrives first. A user named without domain
 * (`USER:ALICE`) is claimed by nobody and stays apart. Computers are keyed without domain: host names
 * repeat across the domains of one tenant far less often than accounts do.
 * Hosts known only by IP get no node: DHCP hands the address to another machine tomorrow. The graph
 * writer instead names the computer that held the IP at the event's time (engine/host-resolution.ts).
 */
import type { Endpoint, Principal } from "@vigil/sensor/contract";
import { computerLabel, nameKey, type NodeInput, type NodeKind } from "@vigil/graph-model";
import { isIp, isLoopback, normHost, normSid } from "../engine/names.ts";

/** The account part of a Windows name: `ACME\alice` and `alice@acme.local` → `alice` (case kept). */
export function samOf(name: string | undefined): string | undefined {
  let n = name?.trim();
  if (!n || n === "-") return undefined;
  const slash = n.lastIndexOf("\\");
  if (slash >= 0) n = n.slice(slash + 1);
  const at = n.indexOf("@");
  if (at > 0) n = n.slice(0, at);
  return n || undefined;
}

/** The domain of a principal as one token: `ACME`, or the first label of `acme.local` / `@acme.local`. */
export function domainOf(p: Principal): string | undefined {
  const name = p.name?.trim() ?? "";
  const fromName = name.includes("\\") ? name.slice(0, name.indexOf("\\")) : name.includes("@") ? name.slice(name.indexOf("@") + 1) : "";
  const raw = (p.domain ?? fromName).trim();
  const first = raw.split(".")[0];
  return first && first !== "-" ? first.toUpperCase() : undefined;
}

/** objectId of a principal of the given kind (see the header for the scheme), or undefined when nameless. */
export function principalKey(p: Principal, kind: NodeKind): string | undefined {
  const sid = normSid(p.sid);
  if (sid) return sid;
  const sam = samOf(p.name);
  if (sam && kind === "Computer") return computerKey(sam);
  if (sam) return nameKey(kind, sam, domainOf(p));
  const dn = p.dn?.trim();
  return dn ? `${kind}:DN:${dn}`.toUpperCase() : undefined;
}

/** A principal as a node input (name without domain, domain as given). */
export function principalNode(p: Principal, kind: NodeKind): NodeInput | undefined {
  const objectId = principalKey(p, kind);
  if (!objectId) return undefined;
  const sam = samOf(p.name);
  const name = (kind === "Computer" && sam ? computerName(sam) : sam) ?? p.dn ?? p.sid;
  const dom = domainOf(p);
  return { kind, objectId, ...(name ? { name } : {}), ...(dom ? { domain: dom } : {}) };
}

/** A computer named by host (`WS01`, `ws01.acme.local`, `\\WS01`), or undefined for IPs, loopback and blanks. */
export function hostNode(host: string | undefined): NodeInput | undefined {
  const h = normHost(host);
  if (!h || isIp(h) || h === "localhost" || isLoopback(h)) return undefined;
  return { kind: "Computer", objectId: computerKey(h), name: computerName(h) };
}

/** A computer's display name: first DNS label, without the machine-account `$`, upper-case. */
function computerName(nameOrHost: string): string {
  return computerLabel(nameOrHost) ?? nameOrHost.toUpperCase();
}

/** A computer without SID: `WS01`, `ws01.acme.local` and the machine account `WS01$` are one node. */
function computerKey(nameOrHost: string): string {
  return nameKey("Computer", nameOrHost) ?? `COMPUTER:${computerName(nameOrHost)}`;
}

/** The computer an endpoint names by host; an endpoint known only by IP gives none (see header). */
export function endpointNode(ep: Endpoint | undefined): NodeInput | undefined {
  return hostNode(ep?.host);
}

// Built-in and virtual identities (SYSTEM, LOCAL/NETWORK SERVICE, ANONYMOUS LOGON, DWM-n, UMFD-n)
// log on all day on every machine; their "sessions" expose no reusable domain credentials.
const NON_USER_NAMES = /^(anonymous logon|system|local service|network service|dwm-\d+|umfd-\d+|font driver host|window manager)$/i;

/**
 * True for a principal whose presence on a machine exposes a user's credentials: a domain or local
 * account (SID under S-1-5-21-) or a named account without SID, but never a machine account (`NAME$`
 * is the computer itself) or a built-in identity.
 */
export function isSessionUser(p: Principal | undefined): p is Principal {
  if (!p) return false;
  const sam = samOf(p.name);
  if (sam && (sam.endsWith("$") || NON_USER_NAMES.test(sam))) return false;
  const sid = normSid(p.sid);
  if (sid) return sid.startsWith("S-1-5-21-");
  return sam !== undefined;
}
