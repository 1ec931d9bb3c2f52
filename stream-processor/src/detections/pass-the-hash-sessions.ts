// The DC-side half of `pass-the-hash`: where each account holds a Kerberos session, and NTLM use of
// the account from a computer that is not one of them. See the doc comment in pass-the-hash.ts.
import type { VigilEvent } from "@vigil/sensor/contract";
import { HOUR } from "../engine/detection.ts";
import { normHost, normName } from "../engine/names.ts";
import type { DetectionState } from "../engine/state.ts";
import { remoteAddress } from "./entities.ts";

/** How long a Kerberos session counts: Windows' and Samba's default maximum TGT lifetime. */
export const SESSION_MS = 10 * HOUR;
/** An account with sessions on more computers than this at once is shared or roaming: not judged. */
export const ROAMING_SESSIONS = 5;

/** One computer an account holds a TGT on: its address and / or name, and when it was last seen using it. */
type Session = { ip?: string; host?: string; t: number };

/** `Kerberos` as Windows writes it, or any spelling containing it; the exact form skips the regex. */
function isKerberosPackage(pkg: string | undefined): boolean {
  return pkg === "Kerberos" || (pkg !== undefined && /kerberos/i.test(pkg));
}

/** A computer as an event names it: the source address and the host name it claims or the sensor resolved. */
export interface Computer {
  ip?: string;
  host?: string;
}

/** Machine accounts, anonymous and well-known local identities hold no user session to steal from. */
function userAccount(event: VigilEvent): string | undefined {
  const name = normName(event.actor?.name);
  if (!name || name.endsWith("$") || name === "anonymous logon" || name === "anonymous" || name.includes("/")) return undefined;
  return name;
}

/** The host name the client claims (NTLM workstation) or the sensor resolved. */
function sourceHost(event: VigilEvent): string | undefined {
  return normHost(event.kind === "ntlm" && event.workstation ? event.workstation : event.src?.host);
}

/** The event's source computer; undefined when it names none (or only the DC's own loopback). */
export function computerOf(event: VigilEvent): Computer | undefined {
  const ip = remoteAddress(event);
  const host = sourceHost(event);
  if (!ip && !host) return undefined;
  // Built field by field: conditional spreads allocate a throw-away object per field, on 3 of 4 events.
  const computer: Computer = {};
  if (ip) computer.ip = ip;
  if (host) computer.host = host;
  return computer;
}

const same = (a: Computer, b: Computer) => (!!a.ip && a.ip === b.ip) || (!!a.host && a.host === b.host);
// Whether two records of computers can be told apart at all: a 4776 names only the workstation, a
// 4768 only the address; "different" is only known when they share a kind of name.
const comparable = (a: Computer, b: Computer) => (!!a.ip && !!b.ip) || (!!a.host && !!b.host);

/** The account's sessions still alive at `now`. */
function sessionsOf(state: DetectionState, account: string): Session[] {
  const now = state.now;
  return (state.get<Session[]>("kerb:", account) ?? []).filter((s) => now - s.t <= SESSION_MS);
}

/**
 * A successful Kerberos exchange: an AS (4768, AS-REP, Samba "Kerberos KDC") gives the client a TGT,
 * a TGS (4769, TGS-REP) shows it holds one, a Kerberos network logon (Samba krb5 Authorization,
 * 4624) shows it using tickets from there. Each marks the source computer as holding a session of
 * the account. Returns true when the event was one of those (nothing else to judge).
 */
export function noteKerberosSession(state: DetectionState, event: VigilEvent): boolean {
  const kerberos =
    ((event.kind === "kerberos.as" || event.kind === "kerberos.tgs") && event.result === 0) ||
    (event.kind === "logon" && event.success && event.logonType !== 9 && isKerberosPackage(event.package));
  if (!kerberos) return false;
  const account = userAccount(event);
  if (!account) return true;
  const ip = remoteAddress(event);
  const host = sourceHost(event);
  if (!ip && !host) return true;
  const stored = state.get<Session[]>("kerb:", account);
  // Most Kerberos traffic is the same computer renewing: when it is already the newest session, knows
  // nothing new, and nothing has expired, only its time moves (this ran on 3 of 4 events in the bench).
  const last = stored?.[stored.length - 1];
  if (stored && last && state.now - stored[0]!.t <= SESSION_MS && (!ip || ip === last.ip) && (!host || host === last.host)) {
    // In place: the stored list is this detection's own (snapshots copy it), so no copy is needed.
    last.t = state.now;
    state.set("kerb:", account, stored, SESSION_MS);
    return true;
  }
  const computer = computerOf(event)!;
  const sessions = sessionsOf(state, account);
  const mine = sessions.find((s) => same(s, computer));
  // Keep what each side knew: the AS names only the address, a later logon may add the name.
  const merged: Session = { ...mine, ...computer, t: state.now };
  const rest = sessions.filter((s) => s !== mine);
  state.set("kerb:", account, [...rest, merged].slice(-(ROAMING_SESSIONS + 1)), SESSION_MS);
  return true;
}

/** What an NTLM use of an account from a computer without its session looks like, for the alert. */
export interface NtlmElsewhere {
  account: string;
  from: Computer;
  /** Where the account does hold a session (the most recent first). */
  sessions: Computer[];
  /** Minutes since the most recent of those sessions was seen. */
  minutesAgo: number;
  /** The NTLM message named no workstation (impacket's tools, some relay tools). */
  noWorkstation: boolean;
}

/**
 * A successful NTLM authentication (`ntlm` with result 0: NTLMSSP on the wire or 4776; an NTLM
 * `logon`: Samba's Authentication record or a DC's 4624 type 3) of a user account from a computer
 * where it holds no Kerberos session, while it holds one on another computer; undefined otherwise.
 */
export function ntlmWithoutSession(state: DetectionState, event: VigilEvent): NtlmElsewhere | undefined {
  const ntlm =
    (event.kind === "ntlm" && event.result === 0) ||
    (event.kind === "logon" && event.success && event.logonType === 3 && /ntlm/i.test(event.package ?? ""));
  if (!ntlm) return undefined;
  const account = userAccount(event);
  const from = computerOf(event);
  if (!account || !from) return undefined;
  const sessions = sessionsOf(state, account);
  if (sessions.length === 0 || sessions.length > ROAMING_SESSIONS) return undefined;
  if (sessions.some((s) => same(s, from))) return undefined;
  const latest = sessions.filter((s) => comparable(s, from)).sort((a, b) => b.t - a.t);
  if (latest.length === 0) return undefined;
  return {
    account,
    from,
    sessions: latest.map(({ ip, host }) => ({ ...(ip ? { ip } : {}), ...(host ? { host } : {}) })),
    minutesAgo: Math.max(0, Math.round((state.now - latest[0]!.t) / 60_000)),
    noWorkstation: event.kind === "ntlm" && event.workstation === "",
  };
}

/** `ws01 (10.0.0.5)`, `ws01` or `10.0.0.5`. */
export function describeComputer(c: Computer): string {
  return c.host && c.ip ? `${c.host} (${c.ip})` : (c.host ?? c.ip ?? "an unknown computer");
}
