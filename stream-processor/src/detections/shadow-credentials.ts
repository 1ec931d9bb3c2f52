import { HOUR, defineDetection } from "../engine/detection.ts";
import { accountKey } from "./entities.ts";
import { actorText, changeCandidate, changedObject, isAttribute, isSelfWrite, objectKey, whereText } from "./directory-helpers.ts";

const ID = "shadow-credentials";
const TITLE = "Suspected account takeover using shadow credentials";

/**
 * Shadow credentials (MDI 2431; T1556, T1098). `msDS-KeyCredentialLink` holds the public keys
 * Windows Hello for Business uses for PKINIT. Anyone who can write it on a user or computer
 * (GenericWrite, a relayed machine account) adds a key of their own (Whisker, pyWhisker, ntlmrelayx
 * `--shadow-credentials`), then gets a TGT — and the NT hash — for that account with the private key,
 * without resetting its password.
 *
 * Signal: `directory.change` (5136) adding a value to `msDS-KeyCredentialLink` on an object, written
 * by a principal other than the object itself. No threshold: one key is the takeover.
 *
 * Known benign causes and how they are handled:
 * - a computer registering its own key (Windows Hello / device registration writes the computer's
 *   own object through a validated write): skipped when the writer is the object's own account.
 * - Entra Connect (MSOL_ account) or AD FS device registration writing users' WHfB keys in hybrid
 *   deployments: exclude that service account for this detection in ctx.
 * - removing keys (a delete) never alerts; a replace logs a delete and an add and alerts on the add.
 */
export const shadowCredentials = defineDetection({
  id: ID,
  title: TITLE,
  severity: "high",
  mitre: ["T1556", "T1098"],
  sources: ["E"],
  kinds: ["directory.change"],
  learningPeriodDays: 0,
  windowMs: HOUR,
  description: "A key credential (msDS-KeyCredentialLink) was added to an account by another principal.",
  recommendedActions: [
    "Remove the added key from the account's msDS-KeyCredentialLink and reset the account's password.",
    "Find how the writer got write access to the account (ACLs, NTLM relay) and treat it as compromised.",
    "Look for PKINIT authentications of the account after the change.",
  ],
  evaluate(event) {
    if (!isAttribute(event, "msDS-KeyCredentialLink") || event.operation === "delete" || event.success === false) return [];
    const object = changedObject(event);
    if (isSelfWrite(event.actor, object)) return [];
    return [
      changeCandidate(ID, event, {
        severity: "high",
        title: TITLE,
        description: `${actorText(event.actor)} added a key credential to ${object?.name ?? object?.dn ?? "an account"}${whereText(event)}. With its private key the writer can get Kerberos tickets and the NT hash of that account.`,
        primaryEntity: accountKey(object, "sid") ?? objectKey(object) ?? "object:unknown",
        object,
      }),
    ];
  },
});
