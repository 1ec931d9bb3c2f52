import { isDcAccount, isDcEndpoint, isEntityExcluded } from "../engine/context.ts";
import { HOUR, defineDetection } from "../engine/detection.ts";
import { accountEntity, hostEntity, isActorExcluded, isMachineAccount, label, present } from "./entities.ts";
import { onDc, recordingHost, remoteSource } from "./recon-helpers.ts";

const ID = "smb-session-enumeration";
const TITLE = "User and IP address reconnaissance (SMB)";
// `srvsvc` as 5145 prints it (`srvsvc`) or as a wire sensor may (`\PIPE\srvsvc`).
const SRVSVC = /(^|\\)srvsvc$/i;

/**
 * SMB session enumeration (MDI 2012; T1087.002, T1049). NetSessionEnum over the `srvsvc` named pipe
 * asks a server which users have sessions to it, from which IPs. Against a domain controller, where
 * nearly every user's machine holds a session, it maps who is logged on where: the hunting step of
 * PowerView `Invoke-UserHunter` / `Get-NetSession`, BloodHound session collection, PsLoggedOn.
 *
 * Signal: a `share.access` (5145, or the wire) to the `srvsvc` pipe on `IPC$`, on a host known to be
 * a DC (ctx, or this detection's state when the mapper marked an earlier event as DC-recorded), by a
 * user account from the network. No threshold: MDI alerts on any session enumeration against a DC,
 * and one call returns the whole session table. 5145 does not say which srvsvc call was made
 * (NetSessionEnum, NetShareEnum, NetServerGetInfo): the alert says so; the pipe being opened on a DC by a
 * user is already rare. One alert per source per hour.
 *
 * Known benign causes and how they are handled:
 * - DCs and machine accounts (`NAME$`) use srvsvc among themselves (DFS, browser, management): a DC
 *   source or account, and machine accounts, are skipped. (Enumeration run as SYSTEM looks like the
 *   machine account and is missed: a stated limit.)
 * - security scanners and inventory / session-monitoring tools (MDI's B-TP), and admins browsing a
 *   DC's shares in Explorer (NetShareEnum on the same pipe): exclude the source or account for this
 *   detection (ctx exclusions); excluded activity is not counted.
 * - the same host reaching srvsvc on member servers is not alerted: the catalog defines the alert for DCs.
 * - local access (loopback or no network source) is the DC talking to itself.
 */
export const smbSessionEnumeration = defineDetection({
  id: ID,
  title: TITLE,
  severity: "medium",
  mitre: ["T1087.002", "T1049"],
  sources: ["E", "N"],
  kinds: ["share.access"],
  learningPeriodDays: 0,
  windowMs: HOUR,
  description:
    "A user opened the srvsvc pipe on a domain controller from the network: SMB session enumeration reveals who is logged on where.",
  recommendedActions: [
    "Find the process on the source computer that enumerated sessions (PowerView, BloodHound/SharpHound, PsLoggedOn, NetSess).",
    "Check whether the account is expected to run inventory or scanning tools; if not, treat the source as compromised.",
    "Restrict remote SAM/session enumeration (NetCease or the SrvsvcSessionInfo registry permissions) on DCs.",
  ],
  evaluate(event, state, ctx) {
    if (!SRVSVC.test(event.relativeTarget ?? "") || !/^ipc\$$/i.test(event.share)) return [];
    if (!onDc(event, state, ctx)) return [];
    const source = remoteSource(event);
    if (!source || isMachineAccount(event.actor) || isDcAccount(ctx, event.actor) || isDcEndpoint(ctx, event.src)) return [];
    if (isEntityExcluded(ctx, ID, source.entity) || isActorExcluded(ctx, ID, event.actor)) return [];
    const dc = recordingHost(event);
    return [
      {
        detectionId: ID,
        severity: "medium",
        title: TITLE,
        description: `${label(event.actor)} on ${source.entity.id} opened the srvsvc pipe on domain controller ${dc ?? "(unknown)"}: this is how NetSessionEnum lists every user session and its IP address (5145 does not show which srvsvc call was made).`,
        primaryEntity: source.key,
        entities: present(source.entity, accountEntity("actor", event.actor), hostEntity("dc", dc)),
        evidenceEventIds: [event.id],
        time: event.time,
      },
    ];
  },
});
