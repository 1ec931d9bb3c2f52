import { isEntityExcluded } from "../engine/context.ts";
import { HOUR, defineDetection, type AlertCandidate } from "../engine/detection.ts";
import { isLoopback, normIp } from "../engine/names.ts";
import { accountEntity, accountKey, hostEntity, label, present, sourceOf } from "./entities.ts";
import { emitOnDc, isDcOrSelf, learnDc, recordingHost, release } from "./lateral-helpers.ts";

const ID = "coercion";
const TITLE = "Suspected authentication coercion of a domain controller";
/** Named pipes whose RPC interfaces make the server authenticate to a path the caller names. */
const COERCION_PIPES: Record<string, string> = {
  efsrpc: "MS-EFSR (PetitPotam)",
  netdfs: "MS-DFSNM (DFSCoerce)",
  spoolss: "MS-RPRN (PrinterBug / SpoolSample)",
};

/**
 * Authentication coercion (MDI 2416 EFSRPC, 2426 DFSCoerce, 2415 print spooler; T1187). Any
 * authenticated user can call EfsRpcOpenFileRaw (PetitPotam), NetrDfsAddStdRoot (DFSCoerce) or
 * RpcRemoteFindFirstPrinterChangeNotification (PrinterBug) on a DC with a UNC path to their own host:
 * the DC then authenticates to it as `DC$`, and that NTLM is relayed to AD CS web enrolment (ESC8) or
 * LDAP, or the TGT is captured on a host with unconstrained delegation — domain takeover either way.
 *
 * Signal: a `share.access` (5145) on a domain controller, from another machine, by a principal that
 * is not a DC or the host itself, opening `IPC$\efsrpc`, `IPC$\netdfs` or `IPC$\spoolss`. No
 * threshold: the call is the attack; one alert per source and hour. DC knowledge and holding as in
 * `remote-code-execution` (lateral-helpers). PetitPotam over `\pipe\lsarpc` / `\pipe\lsass` is not
 * visible this way: those pipes carry LSA traffic of every client, and 5145 does not name the
 * interface (a network sensor decoding the EFSRPC UUID on them is needed).
 *
 * Known benign causes and how they are handled:
 * - DCs that are print servers (discouraged) receive spoolss from clients: disable the spooler on
 *   DCs, or exclude the client subnet for this detection in ctx.
 * - DFS namespace management (dfsmgmt.msc, DFS-N APIs from admin hosts) uses netdfs on DCs hosting
 *   domain namespaces: exclude the admin hosts in ctx.
 * - EFS on DC shares is practically never used remotely; no exclusion beyond ctx.
 * - Member servers and workstations (e.g. SpoolSample against a workstation): not DCs, quiet.
 */
export const coercion = defineDetection({
  id: ID,
  title: TITLE,
  severity: "high",
  mitre: ["T1187"],
  sources: ["E", "N"],
  kinds: ["share.access", "samr.query", "kerberos.as", "kerberos.tgs", "directory.access"],
  learningPeriodDays: 0,
  windowMs: HOUR,
  description:
    "A computer called an RPC interface on a domain controller that forces the DC to authenticate to a host of the caller's choosing.",
  recommendedActions: [
    "Isolate the source computer; look for NTLM from the DC's machine account to non-DC hosts and for certificate requests for the DC (ESC8).",
    "Disable the print spooler on DCs, block EFSRPC / DFSNM with RPC filters, and require EPA / signing on AD CS web enrolment and LDAP.",
    "If a certificate or TGT of the DC was obtained, revoke it and reset the DC machine account password.",
  ],
  evaluate(event, state, ctx) {
    learnDc(state, event);
    const host = recordingHost(event);
    if (event.kind !== "share.access" || event.share.toLowerCase() !== "ipc$") return release(ctx, state, host);
    const protocol = COERCION_PIPES[event.relativeTarget?.trim().toLowerCase() ?? ""];
    if (!protocol) return release(ctx, state, host);
    const ip = normIp(event.src?.ip);
    if ((ip && isLoopback(ip)) || isDcOrSelf(ctx, event.actor)) return release(ctx, state, host);
    const actor = accountEntity("actor", event.actor);
    const source = sourceOf(event);
    if (isEntityExcluded(ctx, ID, actor) || isEntityExcluded(ctx, ID, source?.entity)) return release(ctx, state, host);
    const candidate: AlertCandidate = {
      detectionId: ID,
      severity: "high",
      title: TITLE,
      description: `${label(event.actor)}${source ? ` from ${source.entity.id}` : ""} opened the ${event.relativeTarget} pipe (${protocol}) on domain controller ${host ?? "unknown"}: calls on it can make the DC authenticate to an attacker's host for NTLM relay.`,
      primaryEntity: source?.key ?? accountKey(event.actor, "sid") ?? "host:unknown",
      entities: present(actor, source?.entity, hostEntity("target", host)),
      evidenceEventIds: [event.id],
      time: event.time,
    };
    return emitOnDc(ctx, state, host, candidate);
  },
});
