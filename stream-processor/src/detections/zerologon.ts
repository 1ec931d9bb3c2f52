import type { VigilEvent } from "@vigil/sensor/contract";
import { MINUTE, defineDetection, type AlertCandidate } from "../engine/detection.ts";
import { accountEntity, hostEntity, label, present, sourceOf } from "./entities.ts";
import { computerHost, isAnonymous, isDcComputer } from "./dominance-helpers.ts";

const ID = "zerologon";
const TITLE = "Suspected Netlogon privilege elevation attempt (CVE-2020-1472, Zerologon)";
const BURST_WINDOW_MS = MINUTE;
// A member with a broken secure channel retries on Netlogon's own schedule (a few times per
// minutes); Zerologon's brute force makes hundreds of attempts in seconds.
const BURST_FAILURES = 10;

/**
 * Zerologon (CVE-2020-1472, MDI 2411; T1210, T1068). A flaw in Netlogon's AES-CFB8 use lets an
 * unauthenticated client establish a secure channel as any machine account, the DC's included,
 * by sending all-zero credentials about 256 times; the exploit then calls NetrServerPasswordSet2 to
 * blank the DC's machine password and DCSyncs as the DC (mimikatz `lsadump::zerologon /exploit`).
 *
 * Signal, high, no learning:
 * - the exploit's password set: a `directory.change` of `pwdLastSet` (4742) on a DC's computer
 *   account by ANONYMOUS LOGON (S-1-5-7). A DC changes its own password locally as itself.
 * - a vulnerable Netlogon secure channel for a DC account: `netlogon` 5827/5828 (denied, enforced
 *   DC) or 5829 (allowed, compatibility mode). DCs never need the vulnerable channel.
 * - `netlogon` 5805 (session authentication failed) naming a DC's account: the exploit
 *   authenticates as the DC to the DC itself, which no legitimate client does — or ≥ 10 failures
 *   for one machine account within a minute (the brute force, whatever account it names).
 * - medium: a DC account's password reset (4724) by an account that is not a DC — what
 *   `lsadump::postzerologon` does to repair the DC after the attack, and rarely an admin.
 *
 * Known benign causes and how they are handled:
 * - member computers rotate their password over Netlogon, which 4742 logs as ANONYMOUS LOGON:
 *   only DC accounts count (known from ctx: DC events, LDAP sync, or set by an admin).
 * - legacy devices (NAS, old Samba) on the vulnerable channel log 5827/5829 for their own accounts:
 *   not DC accounts, so quiet; they belong on the Netlogon compatibility allow-list, not here.
 * - a member whose secure channel broke (restored VM) logs a few 5805: below the burst.
 * - an admin repairing a DC's machine password (`netdom resetpwd`) logs 4724: medium, and it can be
 *   excluded per admin account for this detection.
 * Limit: the wire form (NetrServerAuthenticate with zero credentials) needs the pcap decoder.
 */
export const zerologon = defineDetection({
  id: ID,
  title: TITLE,
  severity: "high",
  mitre: ["T1210", "T1068"],
  sources: ["E", "N"],
  kinds: ["netlogon", "directory.change", "account.lifecycle"],
  learningPeriodDays: 0,
  windowMs: 6 * 60 * MINUTE,
  description: "Netlogon secure-channel abuse against a domain controller account (Zerologon), or its tell-tale password change.",
  recommendedActions: [
    "Install the August 2020 Netlogon update on every DC and enforce secure RPC (FullSecureChannelProtection = 1).",
    "If the DC's machine password was changed, reset it (netdom resetpwd) and treat the domain as compromised: reset krbtgt twice.",
    "Find the source computer of the Netlogon traffic and isolate it.",
  ],
  evaluate(event, state, ctx) {
    if (event.kind === "directory.change") {
      if (event.attribute.toLowerCase() !== "pwdlastset" || !isAnonymous(event.actor)) return [];
      if (!isDcComputer(ctx, event.target, event.dc)) return [];
      const dcName = label(event.target);
      return [
        alert(
          event,
          "high",
          dcName,
          `ANONYMOUS LOGON set the password of domain controller account ${dcName} on ${event.dc ?? "a DC"}: this is how the Zerologon exploit empties a DC's machine password.`,
        ),
      ];
    }
    if (event.kind === "account.lifecycle") {
      if (event.action !== "password-reset" || event.success === false) return [];
      if (!isDcComputer(ctx, event.target, event.dc) || isDcComputer(ctx, event.actor, event.dc)) return [];
      const dcName = label(event.target);
      return [
        alert(
          event,
          "medium",
          dcName,
          `${label(event.actor)} reset the password of domain controller account ${dcName}: this is how Zerologon's aftermath is repaired (lsadump::postzerologon); check the DC was attacked.`,
        ),
      ];
    }
    const account = event.machineAccount ?? event.actor?.name;
    const host = computerHost({ name: account });
    const isDc = !!host && isDcComputer(ctx, { name: `${host}$` }, event.dc);
    const who = account ?? "an unnamed machine account";
    if (event.operation.startsWith("vulnerable-channel")) {
      if (!isDc) return [];
      const allowed = event.operation === "vulnerable-channel-allowed";
      return [
        alert(
          event,
          "high",
          who,
          `A vulnerable Netlogon secure channel (no secure RPC) was ${allowed ? "allowed" : "denied"} for domain controller account ${who} on ${event.dc ?? "a DC"}: DCs never use it; this is a Zerologon attempt.`,
        ),
      ];
    }
    if (event.result === 0) return [];
    const burst = state.pushWindow(
      "fail:",
      host ?? "unknown",
      { t: state.now, id: event.id },
      { windowMs: BURST_WINDOW_MS, latenessMs: 0, maxEntries: 200 },
    );
    if (!isDc && burst.length < BURST_FAILURES) return [];
    const why = isDc
      ? `for domain controller account ${who}, which no legitimate client authenticates as`
      : `${burst.length} times for ${who} within a minute`;
    const c = alert(
      event,
      "high",
      who,
      `Netlogon session authentication failed on ${event.dc ?? "a DC"} ${why}: the Zerologon brute force looks like this.`,
    );
    c.evidenceEventIds = burst.map((e) => e.id);
    if (burst[0] && burst[0].t < state.now) c.firstTime = new Date(burst[0].t).toISOString();
    return [c];
  },
});

function alert(event: VigilEvent, severity: "high" | "medium", dcAccount: string, description: string): AlertCandidate {
  const source = sourceOf(event);
  return {
    detectionId: ID,
    severity,
    title: TITLE,
    description,
    primaryEntity: `account:${computerHost({ name: dcAccount }) ?? dcAccount.toLowerCase()}`,
    entities: present(
      accountEntity("actor", event.actor, event.kind === "netlogon" ? "computer" : undefined),
      accountEntity("target", event.target, "computer"),
      source?.entity,
      hostEntity("dc", event.dc),
    ),
    evidenceEventIds: [event.id],
    time: event.time,
  };
}
