import { HOUR, defineDetection } from "../engine/detection.ts";
import { normHost } from "../engine/names.ts";
import { actorText, changeCandidate, whereText } from "./directory-helpers.ts";

const ID = "dsrm-password-change";
const TITLE = "Directory Services Restore Mode password change";

/**
 * DSRM persistence (MDI 2438; T1098). Every DC has a local Directory Services Restore Mode
 * administrator. An attacker with domain admin sets its password (`ntdsutil "set dsrm password"`,
 * mimikatz `lsadump::setntlm`) and, with `DsrmAdminLogonBehavior = 2`, logs on to the DC over the
 * network as that local admin long after domain passwords are reset.
 *
 * Signal: `account.lifecycle` with action `dsrm-password-set` (4794, logged only on DCs). No threshold:
 * the password is changed rarely and by hand, so each change is worth a look; failed attempts
 * (`success: false`) alert too, since trying is already the intent.
 *
 * Known benign causes and how they are handled:
 * - planned rotation by an admin (or a script syncing DSRM from a domain account with
 *   `/SyncFromDomainAccount`): medium severity; exclude the rotation account for this detection in ctx.
 * - DC promotion sets the DSRM password during dcpromo without logging 4794, so it does not show.
 */
export const dsrmPasswordChange = defineDetection({
  id: ID,
  title: TITLE,
  severity: "medium",
  mitre: ["T1098"],
  sources: ["E"],
  kinds: ["account.lifecycle"],
  learningPeriodDays: 0,
  windowMs: HOUR,
  description: "The Directory Services Restore Mode administrator password of a domain controller was set.",
  recommendedActions: [
    "Confirm with the actor that the change was planned; if not, reset the DSRM password again from a trusted session.",
    "Check HKLM\\System\\CurrentControlSet\\Control\\Lsa\\DsrmAdminLogonBehavior on the DC: it should be absent or 0.",
  ],
  evaluate(event) {
    if (event.action !== "dsrm-password-set") return [];
    const dc = normHost(event.dc);
    const failed = event.success === false ? " tried to set (and failed)" : " set";
    return [
      changeCandidate(ID, event, {
        severity: "medium",
        title: TITLE,
        description: `${actorText(event.actor)}${failed} the Directory Services Restore Mode administrator password${whereText(event)}. With DsrmAdminLogonBehavior = 2 that local account can log on to the DC over the network.`,
        primaryEntity: `host:${dc ?? "unknown"}`,
      }),
    ];
  },
});
