import type { EventOf } from "@vigil/sensor/contract";
import { isEntityExcluded } from "../engine/context.ts";
import { HOUR, defineDetection, type AlertCandidate } from "../engine/detection.ts";
import { isLoopback, normIp } from "../engine/names.ts";
import { accountEntity, accountKey, hostEntity, label, present, sourceOf } from "./entities.ts";
import { emitOnDc, isDcOrSelf, learnDc, recordingHost, release } from "./lateral-helpers.ts";

const ID = "remote-code-execution";
const TITLE = "Remote code execution attempt";
/** RPC pipes that run code remotely: the service control manager and the task scheduler (AT and ITaskSchedulerService). */
const EXEC_PIPES: Record<string, string> = {
  svcctl: "the service control manager (svcctl: PsExec, smbexec, sc \\\\host create)",
  atsvc: "the task scheduler (atsvc: atexec, schtasks /s)",
};
const ADMIN_SHARES = new Set(["admin$", "c$"]);
const EXECUTABLE = /\.(exe|dll|bat|cmd|ps1|vbs|js|hta|scr)$/i;
// WriteData / AppendData / WRITE_DAC… any of the write bits of a 5145 access mask.
const WRITE_BITS = 0x2 | 0x4 | 0x40000;

type Share = EventOf<"share.access">;
type Install = EventOf<"service.install">;

/**
 * What a share access or a service install seen from the network does that runs code, or undefined.
 * A `service.install` with a source address is a CreateService request on the wire (SVCCTL over the
 * `svcctl` pipe or over RPC/TCP): remote by construction. 7045 / 4697 carry no source address and
 * stay with `suspicious-service-creation`.
 */
function execution(e: Share | Install): string | undefined {
  if (e.kind === "service.install") {
    if (!e.src?.ip) return undefined;
    const image = e.imagePath ? ` running ${e.imagePath.length > 200 ? `${e.imagePath.slice(0, 200)}…` : e.imagePath}` : "";
    return `the service control manager to create service "${e.serviceName}"${image} (svcctl CreateService: PsExec, smbexec, sc \\\\host create)`;
  }
  const share = e.share.toLowerCase();
  const name = e.relativeTarget?.trim().toLowerCase();
  if (share === "ipc$" && name) return EXEC_PIPES[name];
  if (ADMIN_SHARES.has(share) && name && EXECUTABLE.test(name)) {
    const mask = e.accessMask ? Number.parseInt(e.accessMask, 16) : 0;
    if ((mask & WRITE_BITS) !== 0) return `a program written to ${e.share}\\${e.relativeTarget} (PsExec-style service binary drop)`;
  }
  return undefined;
}

/**
 * Remote code execution on a DC (MDI 2019; T1569.002, T1053.005, T1021.002). After taking admin
 * credentials, attackers run commands on a DC through the service control manager (PsExec, impacket
 * smbexec / psexec, `sc \\dc create`), the task scheduler (impacket atexec, `schtasks /s`), WMI or
 * PowerShell remoting.
 *
 * Signal: a `share.access` (5145) on a domain controller, from another machine, by a principal that
 * is not a DC or the host itself, that opens `IPC$\svcctl` or `IPC$\atsvc`, or writes an executable
 * to `ADMIN$` / `C$`; or a `service.install` the network source read from an SVCCTL RCreateServiceW /
 * RCreateServiceA request to the DC (over the pipe or RPC/TCP, decrypted with the operator's keytab
 * when SMB3 / sealed), which names the service and its command. The request is the attempt, whether
 * or not the SCM created the service (Samba's svcctl refuses it). No threshold: each is an execution
 * attempt; one alert per source and hour.
 * Whether the target is a DC comes from ctx, or from this detection's own learning (an event of its
 * kinds that proves the host is a DC, e.g. a 4661 on the domain SAM); a hit on a host not known yet
 * is held for an hour and raised if proof arrives (exports are often missing the KDC events).
 * WMI (DCOM) and WinRM leave no pipe open: not visible in this event model (see report).
 *
 * Known benign causes and how they are handled:
 * - Administration tools (services.msc / sc against a DC, SCCM client push, monitoring agents that
 *   query services) open svcctl: alerts name the tool family; exclude management servers and their
 *   service accounts for this detection in ctx (source IP, CIDR or account).
 * - DC-to-DC and local activity (loopback source, SYSTEM, DC machine accounts): skipped.
 * - Member servers and workstations are not covered (MDI watches DCs, AD FS and AD CS only): a target
 *   never proven to be a DC stays quiet.
 */
export const remoteCodeExecution = defineDetection({
  id: ID,
  title: TITLE,
  severity: "medium",
  mitre: ["T1569.002", "T1053.005", "T1021.002"],
  sources: ["E", "N"],
  kinds: ["share.access", "service.install", "samr.query", "kerberos.as", "kerberos.tgs", "directory.access"],
  learningPeriodDays: 0,
  windowMs: HOUR,
  description:
    "Someone used the service control manager or the task scheduler of a domain controller remotely, or dropped a program on its admin share.",
  recommendedActions: [
    "Check on the DC which service or scheduled task was created and what it ran (7045 / 4698, process creation).",
    "If the source is not an approved management server, isolate it and reset the account used.",
    "Restrict administrative access to DCs to tier-0 admin workstations.",
  ],
  evaluate(event, state, ctx) {
    learnDc(state, event);
    const host = recordingHost(event);
    if (event.kind !== "share.access" && event.kind !== "service.install") return release(ctx, state, host);
    const what = execution(event);
    if (!what) return release(ctx, state, host);
    const ip = normIp(event.src?.ip);
    if ((ip && isLoopback(ip)) || isDcOrSelf(ctx, event.actor)) return release(ctx, state, host);
    const actor = accountEntity("actor", event.actor);
    const source = sourceOf(event);
    if (isEntityExcluded(ctx, ID, actor) || isEntityExcluded(ctx, ID, source?.entity)) return release(ctx, state, host);
    const candidate: AlertCandidate = {
      detectionId: ID,
      severity: "medium",
      title: TITLE,
      description: `${label(event.actor)}${source ? ` from ${source.entity.id}` : ""} used ${what} on domain controller ${host ?? "unknown"}: a way to run commands on it remotely.`,
      primaryEntity: source?.key ?? accountKey(event.actor, "sid") ?? "host:unknown",
      entities: present(actor, source?.entity, hostEntity("target", host)),
      evidenceEventIds: [event.id],
      time: event.time,
    };
    return emitOnDc(ctx, state, host, candidate);
  },
});
