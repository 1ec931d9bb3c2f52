// What the presented TGT itself gives away on the wire (the `golden-ticket` detection's second half):
// its encryption type, and with the operator's keytab its lifetime and PAC buffers. See golden-ticket.ts.
import type { EventOf, VigilEvent } from "@vigil/sensor/contract";
import { DAY, HOUR } from "../engine/detection.ts";
import { normName } from "../engine/names.ts";
import type { DetectionState } from "../engine/state.ts";
import { remoteAddress } from "./entities.ts";

/** Longest TGT a KDC issues under any sane policy (the default is 10 h, renewable for 7 days). */
export const MAX_TGT_LIFETIME_MS = 7 * DAY;
/** How long "this KDC issues AES TGTs for that realm" is remembered after the last AS-REP that showed it. */
const AES_MEMORY_MS = 30 * DAY;
/** How long a TGT issued to a client at an address is remembered (the default maximum TGT lifetime). */
const ISSUED_MS = 10 * HOUR;
const RC4 = 23;
const AES = new Set([17, 18]);
// MS-PAC buffer types: KERB_VALIDATION_INFO and UPN_DNS_INFO.
const PAC_LOGON_INFO = 1;
const PAC_UPN_DNS_INFO = 12;

/** Realm as a lower-case name; the NetBIOS name and the DNS realm stay distinct (both are keys). */
const realmOf = (e: VigilEvent) => e.actor?.domain?.trim().toLowerCase() || undefined;
/** The realm whose KDC issued the presented TGT (in clear in the TGS-REQ), else the client's realm. */
const issuerOf = (e: EventOf<"kerberos.tgs">) => e.tgtRealm?.trim().toLowerCase() || realmOf(e);
const kdcOf = (e: VigilEvent) => e.dc?.trim().toLowerCase() || undefined;

/**
 * Learns from a successful AS exchange seen on the wire: the KDC encrypts TGTs with its krbtgt key
 * (AES when the realm has one, whatever the client asked for), and that client at that address now
 * holds a TGT the KDC issued. A TGS for krbtgt (renewal) issues one too.
 */
export function learnIssued(state: DetectionState, event: VigilEvent): void {
  if (event.kind !== "kerberos.as" && event.kind !== "kerberos.tgs") return;
  if (event.result !== 0) return;
  const realm = realmOf(event);
  const kdc = kdcOf(event);
  if (event.kind === "kerberos.as" && realm && kdc && event.ticketEtype !== undefined && AES.has(event.ticketEtype))
    state.set("aes:", kdcRealm(kdc, realm), 1, AES_MEMORY_MS);
  const krbtgt = event.kind === "kerberos.as" || /^krbtgt(\/|$)/i.test(event.service);
  const issued = issuedPart(event);
  if (krbtgt && issued) state.set("tgt:", issued, state.now, ISSUED_MS);
}

// Every AS names the same few KDC / realm pairs: the last part is handed back while the pair is the
// same, so the state finds it by its cached hash instead of hashing a new string per event.
const lastKdcRealm = { kdc: "", realm: "", part: ":" };
function kdcRealm(kdc: string, realm: string): string {
  if (kdc !== lastKdcRealm.kdc || realm !== lastKdcRealm.realm) {
    lastKdcRealm.kdc = kdc;
    lastKdcRealm.realm = realm;
    lastKdcRealm.part = `${kdc}:${realm}`;
  }
  return lastKdcRealm.part;
}

/** The `tgt:` state key's part: client and address. */
function issuedPart(event: VigilEvent): string | undefined {
  const client = normName(event.actor?.name);
  const ip = remoteAddress(event);
  return client && ip ? `${client}@${ip}` : undefined;
}

/** True when no TGT issue (AS, renewal) for this client at this address was seen in the last 10 hours. */
export function noIssueSeen(state: DetectionState, event: VigilEvent): boolean {
  const issued = issuedPart(event);
  return !!issued && state.get<number>("tgt:", issued) === undefined;
}

/**
 * Why the TGT presented in this TGS-REQ was not issued by the KDC, or an empty list. Each reason
 * holds whatever the KDC answered: a forged TGT shows the krbtgt key (or an attempt with it) either way.
 * - lifetime: the TGT ends more than 7 days after its use (ticketer / mimikatz default to 10 years).
 * - PAC: it carries KERB_VALIDATION_INFO but no UPN_DNS_INFO (12), which every KDC since Windows
 *   Server 2008 (and Samba) writes into the PACs it issues; impacket's ticketer and old mimikatz omit it.
 * - RC4: the TGT claims to come from a realm whose TGTs this KDC was seen issuing AES-encrypted, and
 *   is RC4-encrypted; the KDC encrypts TGTs with krbtgt's strongest key whatever the client asked
 *   for, so an RC4 one was made with the krbtgt NT hash. Needs no keys (the ticket's etype and realm
 *   are in clear). Learned per KDC and realm from the AS-REPs the KDC sends, so a referral TGT from
 *   another forest (issued by that forest's KDC, with a trust key that may be RC4) does not count.
 */
export function forgeryReasons(state: DetectionState, event: EventOf<"kerberos.tgs">): string[] {
  const reasons: string[] = [];
  const end = event.tgtEndTime ? Date.parse(event.tgtEndTime) : NaN;
  if (end - state.now > MAX_TGT_LIFETIME_MS)
    reasons.push(
      `it is valid until ${new Date(end).toISOString()}, ${Math.round((end - state.now) / DAY)} days ahead, beyond any KDC policy`,
    );
  const pac = event.tgtPacTypes;
  if (pac?.includes(PAC_LOGON_INFO) && !pac.includes(PAC_UPN_DNS_INFO))
    reasons.push(`its PAC (buffers ${pac.join(",")}) lacks the UPN_DNS_INFO every KDC writes`);
  const issuer = issuerOf(event);
  const kdc = kdcOf(event);
  if (event.tgtEtype === RC4 && issuer && kdc && state.get<number>("aes:", `${kdc}:${issuer}`) !== undefined)
    reasons.push(`it is RC4-encrypted while this KDC issues AES TGTs for ${event.tgtRealm ?? event.actor?.domain ?? issuer}`);
  return reasons;
}
