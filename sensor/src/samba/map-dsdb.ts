import type { EventDraft } from "../contract/index.ts";
import { base, type Draft, type SambaMapper } from "./map-common.ts";
import { endpointOf, isRecord, prune, rdnValue, splitExtendedDn, text } from "./values.ts";

/**
 * Samba directory audit records: `dsdbChange` (every LDB add / modify / delete, like 5136),
 * `groupChange` (4728 / 4732 / 4756 and their removals) and `passwordChange` (4723 / 4724). The
 * actor is the session's user SID; the source its remote address.
 */

/**
 * Written by the DC itself on every logon (the reference notes it): a logon trail, not a change
 * anyone made, and as many records as there are logons. Mapping them would bury real changes.
 */
const LOGON_TRAIL = new Set(["lastlogon", "lastlogontimestamp", "logoncount", "badpwdcount", "badpasswordtime"]);

const ACTIONS: Record<string, "add" | "delete" | "replace"> = { add: "add", delete: "delete", replace: "replace" };

/** A value as Samba writes it: `{"value": …}`, with `base64: true` for binary values (nTSecurityDescriptor). */
function valueText(v: unknown): string | undefined {
  if (!isRecord(v) || typeof v["value"] !== "string") return undefined;
  // Linked attributes (member, msDS-AllowedToActOnBehalfOf… ) carry <GUID=…>;<SID=…>; before the DN.
  return v["base64"] === true ? v["value"] : splitExtendedDn(v["value"]).dn;
}

/**
 * One directory.change per attribute value (a replace without values, or a redacted secret such as
 * unicodePwd, gives one without `value`). An added user or computer also gives account.lifecycle
 * `created`. Deletes say nothing about the object's class and map to no draft.
 */
const dsdbChange: SambaMapper = (record, ctx) => {
  const c = record.body;
  const operation = text(c["operation"]);
  if (!operation) return "no operation";
  if (operation === "Delete") return [];
  if (operation !== "Add" && operation !== "Modify") return `unmapped dsdb operation ${JSON.stringify(operation)}`;
  const dn = text(c["dn"]);
  if (!dn) return "no dn";
  const attributes = c["attributes"];
  if (!isRecord(attributes)) return "no attributes object";
  const failed = typeof c["statusCode"] === "number" && c["statusCode"] !== 0;
  const common = {
    ...base(record, ctx),
    kind: "directory.change" as const,
    actor: prune({ sid: text(c["userSid"]) }),
    src: endpointOf(c["remoteAddress"]),
    target: { dn },
    objectDn: dn,
    ...(failed ? { success: false } : {}),
  };
  const drafts: EventDraft[] = [];
  const classes: string[] = [];
  for (const [attribute, change] of Object.entries(attributes)) {
    if (LOGON_TRAIL.has(attribute.toLowerCase())) continue;
    const actions = isRecord(change) && Array.isArray(change["actions"]) ? change["actions"] : undefined;
    if (!actions) return `attribute ${attribute} has no actions list`;
    for (const entry of actions) {
      const action = isRecord(entry) ? ACTIONS[String(entry["action"])] : undefined;
      if (!action) return `attribute ${attribute}: unknown action ${JSON.stringify(isRecord(entry) ? entry["action"] : entry)}`;
      const values = Array.isArray(entry["values"]) ? entry["values"].map(valueText).filter((v) => v !== undefined) : [];
      if (attribute.toLowerCase() === "objectclass") classes.push(...values.map((v) => v.toLowerCase()));
      if (values.length === 0) drafts.push(prune({ ...common, attribute, operation: action } satisfies Draft<"directory.change">));
      for (const value of values)
        drafts.push(prune({ ...common, attribute, operation: action, value } satisfies Draft<"directory.change">));
    }
  }
  const created = operation === "Add" && !failed && (classes.includes("user") || classes.includes("computer"));
  if (created) {
    const lifecycle: Draft<"account.lifecycle"> = {
      ...base(record, ctx),
      kind: "account.lifecycle",
      actor: common.actor,
      src: common.src,
      target: { dn },
      action: "created",
      accountType: classes.includes("computer") ? "computer" : "user",
    };
    drafts.push(prune(lifecycle));
  }
  return drafts;
};

const SCOPES: Record<number, "global" | "local" | "universal"> = {
  4728: "global",
  4729: "global",
  4732: "local",
  4733: "local",
  4756: "universal",
  4757: "universal",
};

/** Added / Removed → group.membership; a refused change (statusCode ≠ 0) did not happen and maps to nothing. */
const groupChange: SambaMapper = (record, ctx) => {
  const g = record.body;
  const action = text(g["action"]);
  if (typeof g["statusCode"] === "number" && g["statusCode"] !== 0) return [];
  if (action !== "Added" && action !== "Removed") return action ? [] : "no action";
  const group = text(g["group"]);
  const user = text(g["user"]);
  if (!group || !user) return "no group or user DN";
  const eventId = typeof g["eventId"] === "number" ? g["eventId"] : 0;
  const groupPrincipal = { dn: group, name: rdnValue(group) };
  const draft: Draft<"group.membership"> = {
    ...base(record, ctx),
    kind: "group.membership",
    actor: prune({ sid: text(g["userSid"]) }),
    src: endpointOf(g["remoteAddress"]),
    target: groupPrincipal,
    action: action === "Added" ? "add" : "remove",
    group: groupPrincipal,
    member: { dn: splitExtendedDn(user).dn },
    scope: SCOPES[eventId] ?? "unknown",
  };
  return [prune(draft)];
};

/**
 * 4724 Reset (someone set another account's password) → account.lifecycle `password-reset`. A 4723
 * Change (the user changed their own) has no kind of its own in the event model; the same change
 * arrives as a dsdbChange on clearTextPassword / unicodePwd.
 */
const passwordChange: SambaMapper = (record, ctx) => {
  const p = record.body;
  const action = text(p["action"]);
  if (action === "Change") return [];
  if (action !== "Reset") return `unmapped password action ${JSON.stringify(action)}`;
  const dn = text(p["dn"]);
  if (!dn) return "no dn";
  const failed = typeof p["statusCode"] === "number" && p["statusCode"] !== 0;
  const draft: Draft<"account.lifecycle"> = {
    ...base(record, ctx),
    kind: "account.lifecycle",
    actor: prune({ sid: text(p["userSid"]) }),
    src: endpointOf(p["remoteAddress"]),
    target: { dn },
    action: "password-reset",
    accountType: "unknown",
    ...(failed ? { success: false } : {}),
  };
  return [prune(draft)];
};

export const directoryMappers: Record<string, SambaMapper> = {
  dsdbChange,
  groupChange,
  passwordChange,
  // Transaction begin / commit / rollback: bookkeeping around the changes above, nothing to detect.
  dsdbTransaction: () => [],
};
