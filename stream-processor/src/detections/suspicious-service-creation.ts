import type { EventOf } from "@vigil/sensor/contract";
import { isEntityExcluded } from "../engine/context.ts";
import { HOUR, defineDetection, type AlertCandidate } from "../engine/detection.ts";
import { normHost } from "../engine/names.ts";
import { accountEntity, hostEntity, label, present } from "./entities.ts";
import { emitOnDc, learnDc, recordingHost, release } from "./lateral-helpers.ts";

const ID = "suspicious-service-creation";
const TITLE = "Suspicious service creation";

/** Each rule: why an image path or service name is suspicious. Ordered by how telling they are. */
const RULES: [reason: string, test: (image: string, name: string) => boolean][] = [
  [
    "runs an encoded or downloaded PowerShell command",
    (i) => /\bpowershell|\bpwsh/i.test(i) && /\s-(e|en|enc|encodedcommand)\s|frombase64string|downloadstring|\biex\b/i.test(i),
  ],
  ["echoes into a named pipe (meterpreter getsystem)", (i) => /echo\s.*\\\\\.\\pipe\\/i.test(i)],
  [
    "runs a command interpreter or script host",
    (i) =>
      /(^|[\\\s"'%])(cmd(\.exe)?|%comspec%|powershell(\.exe)?|pwsh(\.exe)?|mshta(\.exe)?|wscript(\.exe)?|cscript(\.exe)?)([\s"']|$)/i.test(
        i,
      ),
  ],
  [
    "proxies execution through a signed system binary",
    (i) => /(^|\\)(rundll32|regsvr32|msiexec|certutil|bitsadmin)(\.exe)?\s.*(https?:|\\\\|\/i\s|-urlcache|\.dll)/i.test(i),
  ],
  ["starts a program from a network path", (i) => /^"?\\\\/.test(i)],
  ["starts a program from a user-writable folder", (i) => /\\(users|temp|appdata|perflogs|windows\\tasks|\$recycle\.bin)\\/i.test(i)],
  [
    "is named like a remote execution tool's service (PsExec, RemCom, smbexec)",
    (_i, n) => /^(psexesvc|remcomsvc|btobto|paexec.*|csexecsvc)$/i.test(n),
  ],
];

/** The reasons a service install is suspicious (empty when it looks ordinary). */
export function suspicion(e: EventOf<"service.install">): string[] {
  const image = e.imagePath?.trim() ?? "";
  const name = e.serviceName.trim();
  const reasons = RULES.filter(([, test]) => test(image, name)).map(([reason]) => reason);
  // Random upper-case names of 10+ letters are what impacket smbexec and Empire generate.
  if (/^[A-Z]{10,}$/.test(name) && reasons.length > 0) reasons.push("has a random-looking name");
  return reasons;
}

/**
 * Malicious service on a DC (MDI 2026; T1543.003, T1569.002). Installing a service is the most common
 * way to run code as SYSTEM on a DC: PsExec / impacket psexec and smbexec, Empire / Covenant lateral
 * movement, meterpreter getsystem, and persistence all create one.
 *
 * Signal: a `service.install` (System 7045 or Security 4697) on a domain controller whose image path
 * runs a command interpreter or script host, encoded PowerShell, a signed-binary proxy (rundll32,
 * regsvr32, msiexec, certutil, bitsadmin with a URL / UNC / DLL), a program from a UNC path or a
 * user-writable folder, or whose name is a remote-execution tool's. Each reason is listed in the alert.
 * No threshold: one such service is the event. DC knowledge comes from ctx or this detection's learning
 * (lateral-helpers); a service on a host not proven a DC within an hour stays quiet (MDI covers DCs,
 * AD FS and AD CS only). 7045 and 4697 of the same install aggregate into one alert per DC and hour.
 *
 * Known benign causes and how they are handled:
 * - Drivers and agents installed from System32, Program Files or ProgramData (AV / EDR platform
 *   updates live under ProgramData): not flagged by any rule.
 * - Admins' PsExec to a DC: flagged by name on purpose (tier-0 hygiene); exclude the admin account
 *   for this detection in ctx if it is sanctioned.
 * - Software installers that register a service running from a Temp folder: rare on DCs; exclude the
 *   installing account in ctx.
 * The "from a remote session" half of the catalog needs the install tied to a network logon session
 * (SubjectLogonId → 4624), which the event model does not carry; `remote-code-execution` covers the
 * remote svcctl use itself.
 */
export const suspiciousServiceCreation = defineDetection({
  id: ID,
  title: TITLE,
  severity: "medium",
  mitre: ["T1543.003", "T1569.002"],
  sources: ["E"],
  kinds: ["service.install", "samr.query", "kerberos.as", "kerberos.tgs", "directory.access"],
  learningPeriodDays: 0,
  windowMs: HOUR,
  description:
    "A service was installed on a domain controller whose program or name looks like an attacker's (command interpreters, encoded PowerShell, user-writable or network paths, remote execution tools).",
  recommendedActions: [
    "Inspect the service's command on the DC and what it started; remove it if it is not sanctioned.",
    "Find the account and source that installed it (4697 subject, svcctl access, logons just before) and reset the account.",
    "Treat the DC as compromised if the command ran: look for credential dumping and persistence.",
  ],
  evaluate(event, state, ctx) {
    learnDc(state, event);
    const host = recordingHost(event);
    if (event.kind !== "service.install") return release(ctx, state, host);
    const reasons = suspicion(event);
    if (reasons.length === 0) return release(ctx, state, host);
    const actor = accountEntity("actor", event.actor);
    if (isEntityExcluded(ctx, ID, actor)) return release(ctx, state, host);
    const image = event.imagePath ?? "an unknown program";
    const shown = image.length > 200 ? `${image.slice(0, 200)}…` : image;
    const candidate: AlertCandidate = {
      detectionId: ID,
      severity: "medium",
      title: TITLE,
      description: `Service "${event.serviceName}" was installed on domain controller ${host ?? "unknown"}${event.actor?.name ? ` by ${label(event.actor)}` : ""}, running ${shown}. It ${reasons.join("; it ")}.`,
      primaryEntity: `host:${normHost(host) ?? "unknown"}`,
      entities: present(actor, hostEntity("target", host)),
      evidenceEventIds: [event.id],
      time: event.time,
    };
    return emitOnDc(ctx, state, host, candidate);
  },
});
