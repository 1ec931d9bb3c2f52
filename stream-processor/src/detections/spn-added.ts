import { DAY, HOUR, defineDetection } from "../engine/detection.ts";
import { accountKey, isMachineAccount, listed } from "./entities.ts";
import {
  actorText,
  changeCandidate,
  changedObject,
  isAttribute,
  isDirectoryItself,
  isSelfWrite,
  objectKey,
  whereText,
} from "./directory-helpers.ts";

const ID = "spn-added";
const TITLE = "Service principal name added to a user account";
const SPN_TTL_MS = 180 * DAY;
// Service accounts whose SPNs are managed by the system; computers are excluded by class and `$`.
const NON_USER_CLASS = /computer|managedserviceaccount/i;

/**
 * Targeted Kerberoasting preparation (T1558.003, T1098). With GenericWrite on a user, an attacker adds
 * a servicePrincipalName to it (PowerView `Set-DomainObject`, targetedKerberoast.py), requests a
 * service ticket, which is encrypted with the user's password hash, cracks it offline and often
 * removes the SPN again.
 *
 * Signal: `directory.change` of `servicePrincipalName` on a user object: a 5136 value add, or a 4738
 * listing the account's SPNs (compared with the SPNs last seen for that account, so an unchanged list
 * stays quiet). Computers and (group) managed service accounts are skipped: their SPNs are normal.
 * No threshold: one SPN on a user by someone else is the preparation.
 *
 * Known benign causes and how they are handled:
 * - a service account registering its own SPN (SQL Server at start-up, `setspn` run as the service):
 *   skipped when the writer is the account itself.
 * - the directory itself (SYSTEM, DC accounts) is skipped.
 * - admins creating service accounts: medium severity; exclude the provisioning account in ctx.
 * - removing SPNs (a delete) never alerts.
 */
export const spnAdded = defineDetection({
  id: ID,
  title: TITLE,
  severity: "medium",
  mitre: ["T1558.003", "T1098"],
  sources: ["E"],
  kinds: ["directory.change"],
  learningPeriodDays: 0,
  windowMs: HOUR,
  description: "A servicePrincipalName was added to a user account by another principal (targeted Kerberoasting preparation).",
  recommendedActions: [
    "Confirm the SPN belongs to a real service; if not, remove it and reset the account's password to a long random one.",
    "Find how the writer got write access to the account and remove it.",
    "Look for TGS requests for the new SPN (kerberoasting) after the change.",
  ],
  evaluate(event, state, ctx) {
    if (!isAttribute(event, "servicePrincipalName") || event.operation === "delete" || event.success === false) return [];
    const object = changedObject(event);
    if (NON_USER_CLASS.test(event.objectClass ?? "") || isMachineAccount(object)) return [];
    const key = accountKey(object, "sid") ?? objectKey(object) ?? "object:unknown";
    const values = (event.value ?? "")
      .split("\n")
      .map((v) => v.trim())
      .filter((v) => v !== "");
    let added = values;
    if (event.operation === "replace") {
      // 4738 lists the whole new set: only SPNs the account did not have before are additions.
      const before = state.get<string[]>("spns:", key);
      state.set("spns:", key, values, SPN_TTL_MS);
      if (before) added = values.filter((v) => !before.some((b) => b.toLowerCase() === v.toLowerCase()));
    }
    if (added.length === 0 || isSelfWrite(event.actor, object) || isDirectoryItself(ctx, event.actor)) return [];
    return [
      changeCandidate(ID, event, {
        severity: "medium",
        title: TITLE,
        description: `${actorText(event.actor)} added the SPN ${listed(added)} to the user account ${object?.name ?? object?.dn ?? "(unknown)"}${whereText(event)}. Anyone can now request a service ticket for it and crack the account's password offline.`,
        primaryEntity: key,
        object,
      }),
    ];
  },
});
