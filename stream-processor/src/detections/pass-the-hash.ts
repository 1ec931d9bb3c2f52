import type { VigilEvent } from "@vigil/sensor/contract";
import { isEntityExcluded, type EntityContext } from "../engine/context.ts";
import { DAY, HOUR, defineDetection, type AlertCandidate } from "../engine/detection.ts";
import { normHost, normName } from "../engine/names.ts";
import type { DetectionState } from "../engine/state.ts";
import { accountEntity, hostEntity, label, present } from "./entities.ts";
import { describeComputer, noteKerberosSession, ntlmWithoutSession } from "./pass-the-hash-sessions.ts";

const ID = "pass-the-hash";
const TITLE = "Suspected identity theft (pass-the-hash)";
/** The same account on the same host is reported again only after this much quiet. */
export const REPEAT_MS = 7 * DAY;
// Windows logon type 9 "NewCredentials": the process keeps the caller's local identity but uses
// other credentials on the network.
const NEW_CREDENTIALS = 9;

/**
 * Pass-the-hash (MDI 2017; T1550.002). mimikatz `sekurlsa::pth` (and Rubeus / Cobalt Strike
 * equivalents) start a process with a NewCredentials logon session whose network credentials are an
 * NTLM hash or Kerberos key patched into LSASS: the attacker then authenticates as that account
 * without knowing its password.
 *
 * Signal: a successful `logon` (4624) with logon type 9 and logon process `seclogo` on the host where
 * the tool ran, which is the only footprint on Windows events (the DC sees an ordinary NTLM or
 * Kerberos authentication). Sources that forward workstation / server Security logs feed it; DC-only
 * collection will not see it. No threshold: one such logon is the technique. Authentication package
 * Negotiate is what pth produces; any package is accepted because it varies by Windows version.
 *
 * Known benign causes and how they are handled:
 * - `runas /netonly` (and tools built on CreateProcessWithLogonW LOGON_NETCREDENTIALS_ONLY, e.g. some
 *   admin consoles) produce the same event: the event cannot tell them apart (TargetOutboundUserName
 *   is not mapped yet). An admin who does this routinely is excluded for this detection via ctx
 *   exclusions (account or host); to limit noise the same account on the same host is reported once
 *   per 7 days (REPEAT_MS).
 * - Type-9 logons by the host itself (LocalSystem etc.) are service plumbing, never an attacker's
 *   chosen credential: skipped (the actor would be SYSTEM, not a user).
 *
 * DC side (network source, Samba audit, DC Security log): NTLM use of an account's hash from a
 * computer it has no session on. A user who signs in to a domain-joined computer gets a TGT there
 * (AS exchange), and that computer then uses Kerberos for it; the user's NT hash is what an attacker
 * takes from that computer's memory and replays with NTLM from another (impacket `-hashes`, smbclient
 * `--pw-nt-hash`, mimikatz pth + NTLM). Signal: a successful NTLM authentication of a user account
 * (`ntlm` result 0 from NTLMSSP or 4776, or an NTLM network `logon` from Samba's audit or a 4624
 * type 3) from computer H, while the account holds a Kerberos session — a successful AS, TGS or
 * Kerberos logon in the last 10 hours (SESSION_MS, the default maximum TGT lifetime) — on some other
 * computer and none on H (same address or same name). No count threshold: one such use is the
 * technique. Sessions are compared by IP and by host name, so a DHCP change with the name known
 * does not count as a new computer. On the wire an NTLM message with no workstation name (what
 * impacket sends) is noted in the alert; it is a tool trait, not the signal.
 * The NTLM exchange is the same for a typed password and a passed hash, so this is the use of a
 * credential away from the account's sessions, which is what MDI's identity-theft alert reports.
 *
 * Known benign causes and how they are handled:
 * - the user also works from a second, non-domain or Kerberos-less machine (a Mac or Linux box, an
 *   app reaching a share by IP address) with a typed password: indistinguishable; exclude that
 *   computer or account in ctx.
 * - shared and roaming accounts (service, deployment, helpdesk) with sessions on more than 5
 *   computers at once (ROAMING_SESSIONS): not judged.
 * - NTLM passed through a member server (the DC's 4776 names only the workstation) against sessions
 *   known only by address (4768): the two cannot be compared, so nothing is judged.
 * - machine accounts, anonymous and well-known identities: skipped (no user hash to pass).
 * - accounts with no Kerberos session seen in 10 hours (a capture that started late, a DC without
 *   a sensor, NTLM-only accounts): nothing to compare with, so no alert: a false negative by design.
 * One alert per account and hour (the engine aggregates further uses into it).
 */
export const passTheHash = defineDetection({
  id: ID,
  title: TITLE,
  severity: "high",
  mitre: ["T1550.002"],
  sources: ["E", "N"],
  kinds: ["logon", "ntlm", "kerberos.as", "kerberos.tgs"],
  learningPeriodDays: 0,
  windowMs: HOUR,
  description:
    "A process was started with injected network credentials (logon type 9 via seclogo), or an account's NTLM credential was used from a computer where it has no Kerberos session while it has one elsewhere: the footprints of pass-the-hash tools.",
  recommendedActions: [
    "Identify the process tree on the host that created the logon session; isolate the host if it is not an admin's runas /netonly.",
    "Reset the password of the account whose credentials were used and of every account that logged on to the host.",
    "Look for lateral movement from the host with the impersonated account in the following minutes.",
  ],
  evaluate(event, state, ctx) {
    if (noteKerberosSession(state, event)) return [];
    if (event.kind !== "logon" || event.logonType !== NEW_CREDENTIALS) return ntlmElsewhere(event, state, ctx);
    if (!event.success) return [];
    if (event.process?.trim().toLowerCase() !== "seclogo") return [];
    const account = normName(event.actor?.name);
    if (!account || event.actor?.sid === "S-1-5-18") return [];
    const host = event.target?.host ?? event.origin.computer;
    const actor = accountEntity("actor", event.actor);
    const target = hostEntity("source", host);
    if (isEntityExcluded(ctx, ID, actor) || isEntityExcluded(ctx, ID, target)) return [];
    if (!state.firstSeen("seen:", `${normHost(host) ?? "?"}:${account}`, REPEAT_MS)) return [];
    return [
      {
        detectionId: ID,
        severity: "high",
        title: TITLE,
        description: `A process on ${host ?? "an unknown host"} running as ${label(event.actor)} was given separate network credentials (logon type 9 through seclogo), which is how pass-the-hash tools such as mimikatz sekurlsa::pth inject a stolen hash. If this was an administrator's runas /netonly, exclude the account or host for this detection.`,
        primaryEntity: `host:${normHost(host) ?? "unknown"}`,
        entities: present(actor, target),
        evidenceEventIds: [event.id],
        time: event.time,
      },
    ];
  },
});

/** The DC-side signal (see the doc comment above): NTLM from a computer without the account's session. */
function ntlmElsewhere(event: VigilEvent, state: DetectionState, ctx: EntityContext): AlertCandidate[] {
  const hit = ntlmWithoutSession(state, event);
  if (!hit) return [];
  const actor = accountEntity("actor", event.actor);
  const source = hostEntity("source", hit.from.host ?? hit.from.ip);
  if (isEntityExcluded(ctx, ID, actor) || isEntityExcluded(ctx, ID, source)) return [];
  if (hit.from.ip && isEntityExcluded(ctx, ID, hostEntity("source", hit.from.ip))) return [];
  const where = hit.sessions.map(describeComputer).join(", ");
  const tool = hit.noWorkstation ? " The NTLM message names no workstation, as impacket's tools send it." : "";
  return [
    {
      detectionId: ID,
      severity: "high",
      title: TITLE,
      description: `${label(event.actor)} authenticated with NTLM from ${describeComputer(hit.from)}, where it holds no Kerberos session, while it is signed in on ${where} (last seen ${hit.minutesAgo} minutes earlier). Its NT hash (or password) is being used away from the computers it is logged on to, as pass-the-hash does.${tool} If the user also works from that computer with a typed password (a non-domain machine, access by IP address), exclude it for this detection.`,
      primaryEntity: `account:${hit.account}`,
      entities: present(actor, source, hostEntity("dc", event.dc)),
      evidenceEventIds: [event.id],
      time: event.time,
    },
  ];
}
