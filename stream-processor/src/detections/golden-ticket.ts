import type { Principal } from "@vigil/sensor/contract";
import { DAY, MINUTE, defineDetection } from "../engine/detection.ts";
import { normName, normSid } from "../engine/names.ts";
import type { DetectionState } from "../engine/state.ts";
import { accountEntity, hostEntity, label, present, sourceOf } from "./entities.ts";
import { forgeryReasons, learnIssued, noIssueSeen } from "./golden-ticket-forgery.ts";

const ID = "golden-ticket";
const TITLE = "Suspected Golden Ticket usage (disabled or deleted account)";
const FORGED_TITLE = "Suspected Golden Ticket usage (forged TGT)";
// The KDC re-checks the account behind a TGT only once the TGT is 20 minutes old, so a ticket
// obtained just before the account was disabled still yields service tickets that long.
const KDC_RECHECK_MS = 20 * MINUTE;
// How long a disabled / deleted account is remembered: forged tickets for long-gone accounts are
// the point of the attack, so this is long; the state's LRU bound caps it.
const REMEMBER_MS = 365 * DAY;
// userAccountControl ACCOUNTDISABLE.
const UAC_DISABLED = 0x2;

interface Off {
  t: number;
  why: "disabled" | "deleted";
}

/**
 * Golden Ticket (MDI 2027 nonexistent account, 2022/2009/2013/2032/2040; T1558.001). With the
 * krbtgt key (from DCSync or a DC backup) mimikatz / impacket `ticketer` forge a TGT for any
 * name and groups, with any lifetime, which the KDC accepts because it can decrypt it. The KDC
 * never issued it: no AS exchange precedes it, and the account need not exist or be enabled.
 *
 * Signal (what events can show, high, no learning): a successful service-ticket request
 * (`kerberos.tgs`, 4769 result 0) or Kerberos logon (`logon` success, package Kerberos) by an
 * account that the directory says is disabled or deleted — learned in this detection's state from
 * `account.lifecycle` (4725 disabled, 4726 / 4743 deleted; 4722 enabled and 4720 / 4741 created
 * clear it) and from `entity.snapshot` (deleted, or userAccountControl ACCOUNTDISABLE). A real TGT
 * of such an account stops working once the KDC re-checks it, 20 minutes after issue, so activity
 * more than 20 minutes after the account was disabled / deleted can only come from a ticket the KDC
 * did not issue against the current account state.
 *
 * Known benign causes and how they are handled:
 * - a user still holding a fresh TGT when disabled: the 20-minute grace covers the KDC's re-check.
 * - re-enabled or re-created accounts: 4722 / 4720 / 4741 and a snapshot without the disable flag
 *   clear the mark; if that event was lost, exclude the account or let the next snapshot clear it.
 * - a deleted account's name reused by a new account: its creation clears the mark.
 * - cached logons (type 11) of a disabled account on a laptop off the network: skipped, no KDC.
 *
 * On the wire, the TGT presented in a TGS-REQ (golden-ticket-forgery.ts), whatever the KDC answered:
 * - with the operator's keytab: a TGT that ends more than 7 days after its use (MDI 2022, lifetime
 *   beyond policy), or a PAC without UPN_DNS_INFO (MDI 2013, forged authorization data);
 * - without keys: an RC4-encrypted TGT for a realm this KDC issues AES TGTs to (MDI 2009, learned from
 *   the AS-REPs it sends; the ticket's etype is in clear).
 * A refused request still alerts: a TGT naming an account that does not exist (Samba looks the PAC's
 * client up: KDC_ERR_C_PRINCIPAL_UNKNOWN) was decrypted by the KDC, so it was made with the real
 * krbtgt key; an RC4 TGT the KDC cannot decrypt (KRB_AP_ERR_BADKEYVER on a realm without an RC4
 * krbtgt key) was made by someone who believes they hold the krbtgt hash. Either way the krbtgt key is
 * the thing to rotate. The alert says whether the KDC accepted the ticket, and notes when no AS or
 * renewal for that client at that address was seen in the 10 hours before: the TGT was not obtained
 * in front of this sensor. That gap alone is not a signal (captures start late, clients roam, other
 * DCs issue TGTs, forwarded TGTs are used from servers: every sample capture shows TGS-REQs without
 * an AS), and neither is its Samba-audit form (a krb5 Authorization with no KDC Authentication).
 * Not covered: a name that never existed without a keytab (2027; KDC_ERR_C_PRINCIPAL_UNKNOWN on a
 * TGS-REQ is also what S4U2self for an unknown user and a deleted account's live TGT produce), and
 * ticket-size anomalies (2032).
 */
export const goldenTicket = defineDetection({
  id: ID,
  title: TITLE,
  severity: "high",
  mitre: ["T1558.001"],
  sources: ["E", "N"],
  kinds: ["kerberos.tgs", "kerberos.as", "logon", "account.lifecycle", "entity.snapshot"],
  learningPeriodDays: 0,
  windowMs: 6 * 60 * MINUTE,
  description: "Kerberos tickets used for an account that is disabled or deleted: the TGT was forged with the krbtgt key.",
  recommendedActions: [
    "Reset the krbtgt password twice (waiting for replication in between) to invalidate forged TGTs.",
    "Find how the krbtgt key was obtained (DCSync, DC backup, DC compromise) and close that path.",
    "Isolate the source computer and review what the forged identity accessed.",
  ],
  evaluate(event, state) {
    if (event.kind === "account.lifecycle") {
      if (event.success === false) return [];
      if (event.action === "disabled" || event.action === "deleted") mark(state, event.target, { t: state.now, why: event.action });
      else if (event.action === "enabled" || event.action === "created") unmark(state, event.target);
      return [];
    }
    if (event.kind === "entity.snapshot") {
      const e = event.entity;
      if (e.objectType !== "user" && e.objectType !== "computer") return [];
      const a = e.attributes;
      const p: Principal = {
        sid: str(a["objectSid"]) ?? (e.objectId.startsWith("S-1-") ? e.objectId : undefined),
        name: str(a["sAMAccountName"]) ?? e.name,
      };
      const disabled = (Number(a["userAccountControl"] ?? 0) & UAC_DISABLED) !== 0;
      if (e.deleted || disabled) {
        // Keep the earlier time: the snapshot only proves the state, not when it began.
        if (!lookup(state, p)) mark(state, p, { t: state.now, why: e.deleted ? "deleted" : "disabled" });
      } else unmark(state, p);
      return [];
    }
    if (event.kind === "kerberos.as") {
      learnIssued(state, event);
      return [];
    }
    const forged = event.kind === "kerberos.tgs" ? forgeryReasons(state, event) : [];
    // Cached interactive logons (type 11) are checked against the local cache, not the KDC.
    const used =
      event.kind === "kerberos.tgs" ? event.result === 0 : event.success && event.logonType !== 11 && /kerberos/i.test(event.package ?? "");
    const off = used ? lookup(state, event.actor) : undefined;
    const offLong = !!off && state.now - off.t > KDC_RECHECK_MS;
    // Judged before this event counts as an issue (a TGS for krbtgt renews the TGT), and only for an
    // alert that will tell it: most service tickets raise nothing.
    const unseen = event.kind === "kerberos.tgs" && (forged.length > 0 || offLong) && noIssueSeen(state, event);
    if (event.kind === "kerberos.tgs" && forged.length === 0) learnIssued(state, event);
    if (forged.length === 0 && !offLong) return [];
    const source = sourceOf(event);
    const what =
      event.kind === "kerberos.tgs"
        ? `${event.result === 0 ? "got" : `asked for (the KDC refused it, error ${event.result})`} a service ticket for ${event.service}`
        : `logged on to ${event.target?.host ?? "a computer"} with Kerberos`;
    const gap = unseen ? " No AS exchange or renewal for that account from that address was seen in the 10 hours before." : "";
    const why =
      forged.length > 0
        ? ` with a TGT the KDC never issued: ${forged.join("; ")}. ${event.kind === "kerberos.tgs" && event.result !== 0 ? "It was forged with what the attacker holds as the krbtgt key; the refusal does not make that key safe." : "It was forged with the krbtgt key."}${gap}`
        : `, but the account was ${off!.why} ${Math.max(0, Math.round((state.now - off!.t) / MINUTE))} minutes earlier: the KDC cannot have issued that TGT, so it was forged with the krbtgt key.`;
    return [
      {
        detectionId: ID,
        severity: "high",
        title: forged.length > 0 ? FORGED_TITLE : TITLE,
        description: `${label(event.actor)}${source ? ` on ${source.entity.id}` : ""} ${what}${why}`,
        primaryEntity: `account:${normName(event.actor?.name) ?? normSid(event.actor?.sid) ?? "unknown"}`,
        entities: present(accountEntity("actor", event.actor), source?.entity, hostEntity("dc", event.dc)),
        evidenceEventIds: [event.id],
        time: event.time,
      },
    ];
  },
});

/** The `off:` state key parts of an account: its SID and its name. */
function keys(p: Principal | undefined): string[] {
  const out: string[] = [];
  const sid = normSid(p?.sid);
  const name = normName(p?.name);
  // A bare "$" (the fake accounts of some 4720s) names nothing a ticket could carry.
  if (sid) out.push(sid);
  if (name && name !== "$") out.push(name);
  return out;
}

function mark(state: DetectionState, p: Principal | undefined, off: Off): void {
  for (const k of keys(p)) state.set("off:", k, { t: off.t, why: off.why }, REMEMBER_MS);
}

function unmark(state: DetectionState, p: Principal | undefined): void {
  for (const k of keys(p)) state.delete("off:", k);
}

/** By SID when the event has one (a local account may share a disabled domain account's name), else by name. */
function lookup(state: DetectionState, p: Principal | undefined): Off | undefined {
  if (!state.holds("off:")) return undefined;
  const sid = normSid(p?.sid);
  for (const k of sid ? [sid] : keys(p)) {
    const v = state.get<{ t: number; why: Off["why"] }>("off:", k);
    if (v) return v;
  }
  return undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === "string" && v.length > 0 ? v : undefined;
}
