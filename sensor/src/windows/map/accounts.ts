import { accountTypeOf, base, loggedOnDcForDomainAccount, type Draft, type Mapper } from "./common.ts";
import { clean, isDn, principal, prune, subjectOf, targetAccountOf } from "./values.ts";

type Scope = Draft<"group.membership">["scope"];
type Action = Draft<"account.lifecycle">["action"];

/** Membership events by id: added or removed, and the group's scope (security and distribution alike). */
const MEMBERSHIP: Record<number, [action: "add" | "remove", scope: Scope]> = {
  4728: ["add", "global"],
  4729: ["remove", "global"],
  4732: ["add", "local"],
  4733: ["remove", "local"],
  4756: ["add", "universal"],
  4757: ["remove", "universal"],
  4751: ["add", "global"],
  4752: ["remove", "global"],
  4746: ["add", "local"],
  4747: ["remove", "local"],
  4761: ["add", "universal"],
  4762: ["remove", "universal"],
};

/**
 * Group membership change. Actor = Subject (who changed it); target = the group (the object that
 * changed), repeated in `group`; `member` is the account added or removed (DN + SID on a DC, SID only
 * for local groups). Global and universal groups exist only in AD, so those events mean a DC.
 */
const membership: Mapper = (r, ctx) => {
  const d = r.EventData;
  const [action, scope] = MEMBERSHIP[r.EventID]!;
  const group = targetAccountOf(d);
  const memberName = clean(d["MemberName"]);
  const member = principal({
    sid: d["MemberSid"],
    dn: isDn(memberName) ? memberName : undefined,
    name: isDn(memberName) ? undefined : memberName,
  });
  if (!group) return "no group (TargetUserName / TargetSid)";
  if (!member) return "no member (MemberSid / MemberName)";
  const onDc = scope !== "local" || loggedOnDcForDomainAccount(r, d["TargetDomainName"]);
  const draft: Draft<"group.membership"> = {
    ...base(r, ctx, onDc),
    kind: "group.membership",
    actor: subjectOf(d),
    target: group,
    action,
    scope,
    group,
    member,
  };
  return [prune(draft)];
};

/** Lifecycle events by id; `undefined` account type means "from the `$` suffix". */
const LIFECYCLE: Record<number, [action: Action, type: "user" | "computer" | undefined]> = {
  4720: ["created", "user"],
  4726: ["deleted", "user"],
  4741: ["created", "computer"],
  4743: ["deleted", "computer"],
  4722: ["enabled", undefined],
  4725: ["disabled", undefined],
  4724: ["password-reset", undefined],
  4781: ["renamed", undefined],
  4794: ["dsrm-password-set", "user"],
};

/**
 * Account lifecycle. Actor = Subject, target = the account. 4781 names the account by its old name
 * and carries the new one in `newName` (noPac renames a computer to a DC's name without `$`).
 * 4794 (DSRM administrator password set) has no target account and happens only on DCs; its Status
 * is not part of the kind, so a failed attempt maps the same (the attempt is what matters).
 */
const lifecycle: Mapper = (r, ctx) => {
  const d = r.EventData;
  const [action, fixedType] = LIFECYCLE[r.EventID]!;
  const renamed = r.EventID === 4781;
  const target = renamed
    ? principal({ sid: d["TargetSid"], name: d["OldTargetUserName"], domain: d["TargetDomainName"] })
    : targetAccountOf(d);
  if (r.EventID !== 4794 && !target) return "no target account (TargetUserName / TargetSid)";
  const newName = renamed ? clean(d["NewTargetUserName"]) : undefined;
  if (renamed && !newName) return "no NewTargetUserName";
  const domainBound = r.EventID === 4741 || r.EventID === 4743 || r.EventID === 4794;
  const draft: Draft<"account.lifecycle"> = {
    ...base(r, ctx, domainBound || loggedOnDcForDomainAccount(r, d["TargetDomainName"])),
    kind: "account.lifecycle",
    actor: subjectOf(d),
    target: r.EventID === 4794 ? undefined : target,
    action,
    accountType: fixedType ?? accountTypeOf(renamed ? d["OldTargetUserName"] : d["TargetUserName"]),
    newName,
  };
  return [prune(draft)];
};

export const accountMappers: Record<number, Mapper> = {
  ...Object.fromEntries(Object.keys(MEMBERSHIP).map((id) => [Number(id), membership])),
  ...Object.fromEntries(Object.keys(LIFECYCLE).map((id) => [Number(id), lifecycle])),
};
