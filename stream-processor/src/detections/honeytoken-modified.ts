import type { Principal } from "@vigil/sensor/contract";
import { isHoneytoken } from "../engine/context.ts";
import { DAY, HOUR, defineDetection } from "../engine/detection.ts";
import { accountKey, label, listed } from "./entities.ts";
import { actorText, changeCandidate, changedObject, isDirectoryItself, objectKey, whereText } from "./directory-helpers.ts";

const ID = "honeytoken-modified";
const TITLE = "Honeytoken modified";
const SNAPSHOT_TTL_MS = 365 * DAY;
// Written by the DCs as a side effect of authentication (honeytoken-authentication's business) or
// of replication; never a change someone made to the decoy.
const VOLATILE = new Set(
  [
    "lastLogon",
    "lastLogonTimestamp",
    "logonCount",
    "badPwdCount",
    "badPasswordTime",
    "lockoutTime",
    "lastLogoff",
    "uSNChanged",
    "uSNCreated",
    "whenChanged",
    "dSCorePropagationData",
    "replPropertyMetaData",
    "msDS-LastSuccessfulInteractiveLogonTime",
    "msDS-FailedInteractiveLogonCountAtLastSuccessfulLogon",
    "msDS-LastFailedInteractiveLogonTime",
  ].map((a) => a.toLowerCase()),
);

/**
 * Honeytoken modification (MDI 2427, 2428; T1098). A honeytoken is a decoy account nobody uses: an
 * attacker who finds it in reconnaissance may reset its password, add it to a group, give it an SPN
 * or change its attributes to make it useful. Any such change is the attacker touching the trap.
 *
 * Signal: for an entity tagged honeytoken in ctx (by SID or name):
 * - `directory.change` of any attribute of it (4738 / 4742 / 5136 / 4765);
 * - `group.membership` adding or removing it, or changing a honeytoken group (4728…, LDAP diff);
 * - `account.lifecycle` on it other than its creation (rename, password reset, enable, disable, delete);
 * - an LDAP snapshot whose non-volatile attributes differ from the previous snapshot of it.
 * No threshold: one change is the alert; changes to one honeytoken within an hour aggregate.
 *
 * Known benign causes and how they are handled:
 * - attributes the DCs write on authentication or replication (lastLogon*, logonCount, badPwd*,
 *   lockoutTime, uSN*, whenChanged, dSCorePropagationData) are ignored.
 * - the directory itself (SYSTEM, DC accounts) is skipped.
 * - maintenance of the decoy by its owner: exclude the owner's account for this detection in ctx.
 * - the first snapshot of a honeytoken is the baseline, not a change.
 */
export const honeytokenModified = defineDetection({
  id: ID,
  title: TITLE,
  severity: "high",
  mitre: ["T1098"],
  sources: ["E", "L"],
  kinds: ["directory.change", "group.membership", "account.lifecycle", "entity.snapshot"],
  learningPeriodDays: 0,
  windowMs: HOUR,
  description: "An attribute or group membership of a honeytoken (decoy) account was changed.",
  recommendedActions: [
    "Find the actor's session and source computer: whoever touched the decoy is exploring the directory.",
    "Reset the actor's password and review what else it changed.",
    "Restore the honeytoken to its original state so it keeps working as a trap.",
  ],
  evaluate(event, state, ctx) {
    let token: Principal | undefined;
    let what: string;
    if (event.kind === "entity.snapshot") {
      const e = event.entity;
      const a = e.attributes;
      const name = typeof a["sAMAccountName"] === "string" ? a["sAMAccountName"] : e.name;
      const sid = typeof a["objectSid"] === "string" ? a["objectSid"] : e.objectId.startsWith("S-1-") ? e.objectId : undefined;
      token = { ...(sid ? { sid } : {}), ...(name ? { name } : {}) };
      if (!isHoneytoken(ctx, token)) return [];
      const stable: Record<string, string> = {};
      for (const [k, v] of Object.entries(a)) if (!VOLATILE.has(k.toLowerCase())) stable[k] = JSON.stringify(v);
      const before = state.get<Record<string, string>>("snap:", e.objectId);
      state.set("snap:", e.objectId, stable, SNAPSHOT_TTL_MS);
      const changed = before ? [...new Set([...Object.keys(before), ...Object.keys(stable)])].filter((k) => before[k] !== stable[k]) : [];
      if (e.deleted) changed.push("(deleted)");
      if (changed.length === 0) return [];
      what = `LDAP sync found ${listed(changed.sort())} changed on the honeytoken ${label(token)}`;
    } else {
      if (isDirectoryItself(ctx, event.actor)) return [];
      if (event.kind === "directory.change") {
        token = changedObject(event);
        if (VOLATILE.has(event.attribute.toLowerCase()) || event.success === false || !isHoneytoken(ctx, token)) return [];
        what = `${actorText(event.actor)} changed ${event.attribute} of the honeytoken ${label(token)}`;
      } else if (event.kind === "group.membership") {
        const memberIsToken = isHoneytoken(ctx, event.member);
        if (!memberIsToken && !isHoneytoken(ctx, event.group)) return [];
        token = memberIsToken ? event.member : event.group;
        const dir = event.action === "add" ? "added" : "removed";
        what = `${actorText(event.actor)} ${dir} ${label(event.member)} ${event.action === "add" ? "to" : "from"} ${label(event.group)}, involving the honeytoken ${label(token)}`;
      } else {
        token = event.target;
        if (event.action === "created" || event.action === "dsrm-password-set" || event.success === false || !isHoneytoken(ctx, token))
          return [];
        what = `${actorText(event.actor)} ${event.action === "password-reset" ? "reset the password of" : event.action} the honeytoken ${label(token)}${event.newName ? ` to ${event.newName}` : ""}`;
      }
    }
    const candidate = changeCandidate(ID, event, {
      severity: "high",
      title: TITLE,
      description: `${what}${whereText(event)}. Nobody uses a honeytoken: whoever changes it is exploring the directory.`,
      primaryEntity: accountKey(token, "sid") ?? objectKey(token) ?? "account:unknown",
      object: token,
    });
    return [candidate];
  },
});
