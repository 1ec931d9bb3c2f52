import { HOUR, defineDetection } from "../engine/detection.ts";
import { accountKey, isMachineAccount, listed } from "./entities.ts";
import { actorText, allowedTrustees, changeCandidate, changedObject, isAttribute, objectKey, whereText } from "./directory-helpers.ts";

const ID = "rbcd-modified";
const TITLE = "Resource-based constrained delegation modified";

/**
 * Resource-based constrained delegation abuse (MDI 2423; T1484, T1134). Writing
 * `msDS-AllowedToActOnBehalfOfOtherIdentity` on a computer lets the principals it names obtain
 * service tickets to that computer as any user (S4U2self + S4U2proxy). Attackers write it through a
 * relayed machine account (ntlmrelayx `--delegate-access`, KrbRelayUp) or with GenericWrite on the
 * computer, naming a computer they control (often one they just created), then impersonate an admin.
 *
 * Signal: `directory.change` (5136) adding a value to `msDS-AllowedToActOnBehalfOfOtherIdentity`. The
 * value is a security descriptor; the SIDs it allows are named in the alert. No threshold: RBCD is
 * configured rarely and by hand. High, as MDI's alert; the alert says when the writer is a machine
 * account (the relay pattern: no admin uses a computer account to configure delegation).
 *
 * Known benign causes and how they are handled:
 * - admins configuring delegation for a service (SQL, file or web servers, `Set-ADComputer
 *   -PrincipalsAllowedToDelegateToAccount`): exclude the admin account for this detection in ctx.
 * - clearing the attribute (a delete without an add) never alerts; a replace logs both and alerts on
 *   its add.
 */
export const rbcdModified = defineDetection({
  id: ID,
  title: TITLE,
  severity: "high",
  mitre: ["T1484", "T1134"],
  sources: ["E"],
  kinds: ["directory.change"],
  learningPeriodDays: 0,
  windowMs: HOUR,
  description: "msDS-AllowedToActOnBehalfOfOtherIdentity (resource-based constrained delegation) was written on an object.",
  recommendedActions: [
    "Clear msDS-AllowedToActOnBehalfOfOtherIdentity on the object unless the change was planned.",
    "Disable or delete the principals it allowed if they are not known services, and reset the writer's password.",
    "Enforce LDAP signing and channel binding, and set ms-DS-MachineAccountQuota to 0, to stop relayed writes.",
  ],
  evaluate(event) {
    if (!isAttribute(event, "msDS-AllowedToActOnBehalfOfOtherIdentity") || event.operation === "delete" || event.success === false)
      return [];
    const object = changedObject(event);
    const allowed = allowedTrustees(event.value);
    const machine = isMachineAccount(event.actor);
    const who = allowed.length > 0 ? `, allowing ${listed(allowed)} to impersonate any user to it` : "";
    const relay = machine ? " The writer is a computer account, which is how relayed NTLM (KrbRelayUp, ntlmrelayx) sets RBCD." : "";
    return [
      changeCandidate(ID, event, {
        severity: "high",
        title: machine ? "Resource-based constrained delegation modified by a machine account" : TITLE,
        description: `${actorText(event.actor)} wrote resource-based constrained delegation on ${object?.name ?? object?.dn ?? "an object"}${who}${whereText(event)}.${relay}`,
        primaryEntity: accountKey(object, "sid") ?? objectKey(object) ?? "object:unknown",
        object,
      }),
    ];
  },
});
