import { isEntityExcluded } from "../engine/context.ts";
import { DAY, HOUR, defineDetection } from "../engine/detection.ts";
import { normHost, normName } from "../engine/names.ts";
import { accountEntity, hostEntity, label, present } from "./entities.ts";

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
 * Not covered: the network-side form (NTLM use of an account from a host it has no session on)
 * needs session tracking from pcap and is left to a network sensor.
 */
export const passTheHash = defineDetection({
  id: ID,
  title: TITLE,
  severity: "high",
  mitre: ["T1550.002"],
  sources: ["E", "N"],
  kinds: ["logon"],
  learningPeriodDays: 0,
  windowMs: HOUR,
  description: "A process was started with injected network credentials (logon type 9 via seclogo), the footprint of pass-the-hash tools.",
  recommendedActions: [
    "Identify the process tree on the host that created the logon session; isolate the host if it is not an admin's runas /netonly.",
    "Reset the password of the account whose credentials were used and of every account that logged on to the host.",
    "Look for lateral movement from the host with the impersonated account in the following minutes.",
  ],
  evaluate(event, state, ctx) {
    if (!event.success || event.logonType !== NEW_CREDENTIALS) return [];
    if (event.process?.trim().toLowerCase() !== "seclogo") return [];
    const account = normName(event.actor?.name);
    if (!account || event.actor?.sid === "S-1-5-18") return [];
    const host = event.target?.host ?? event.origin.computer;
    const actor = accountEntity("actor", event.actor);
    const target = hostEntity("source", host);
    if (isEntityExcluded(ctx, ID, actor) || isEntityExcluded(ctx, ID, target)) return [];
    if (!state.firstSeen(`seen:${normHost(host) ?? "?"}:${account}`, REPEAT_MS)) return [];
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
