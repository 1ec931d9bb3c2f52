import { HOUR, defineDetection } from "../engine/detection.ts";
import { accountKey } from "./entities.ts";
import { actorText, changeCandidate, isDirectoryItself, whereText } from "./directory-helpers.ts";

const ID = "adminsdholder-modified";
const TITLE = "Suspicious modification of domain AdminSDHolder";
const ADMINSDHOLDER = /^CN=AdminSDHolder,CN=System,/i;

/**
 * AdminSDHolder persistence (MDI 2430; T1098). Every hour SDProp copies the DACL of
 * `CN=AdminSDHolder,CN=System,<domain>` onto every protected account and group (Domain Admins,
 * Administrators, krbtgt…). An entry an attacker adds there (PowerView `Add-DomainObjectAcl
 * -TargetIdentity AdminSDHolder`) comes back on all of them within the hour, however often admins
 * clean the groups themselves.
 *
 * Signal: `directory.change` (5136) of any attribute of the AdminSDHolder object, usually
 * `nTSecurityDescriptor`. No threshold: the object is written only by AD setup and rare, planned
 * hardening. A replace logs a delete and an add; both land in one alert (same actor, one hour).
 *
 * Known benign causes and how they are handled:
 * - schema / forest preparation (adprep, Exchange or Lync setup) updates AdminSDHolder: exclude the
 *   setup account in ctx for the upgrade window, or acknowledge the alert.
 * - the directory itself (SYSTEM, a DC's machine account) is skipped: SDProp reads AdminSDHolder and
 *   writes the protected objects, not it.
 */
export const adminsdholderModified = defineDetection({
  id: ID,
  title: TITLE,
  severity: "high",
  mitre: ["T1098"],
  sources: ["E"],
  kinds: ["directory.change"],
  learningPeriodDays: 0,
  windowMs: HOUR,
  description: "The AdminSDHolder object, whose permissions SDProp copies onto every protected account and group, was modified.",
  recommendedActions: [
    "Compare the AdminSDHolder DACL with a known-good baseline and remove entries that were added.",
    "Reset the actor's password and find how it got write access to AdminSDHolder.",
    "After the cleanup, check the protected accounts and groups: SDProp may already have copied the entries.",
  ],
  evaluate(event, _state, ctx) {
    const dn = event.objectDn ?? event.target?.dn;
    if (!dn || !ADMINSDHOLDER.test(dn.trim()) || event.success === false || isDirectoryItself(ctx, event.actor)) return [];
    return [
      changeCandidate(ID, event, {
        severity: "high",
        title: TITLE,
        description: `${actorText(event.actor)} changed ${event.attribute} of ${dn}${whereText(event)}. SDProp copies AdminSDHolder's permissions onto every protected account and group within the hour.`,
        primaryEntity: accountKey(event.actor, "sid") ?? `object:${dn.toLowerCase()}`,
      }),
    ];
  },
});
