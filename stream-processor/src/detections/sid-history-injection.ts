import { HOUR, defineDetection } from "../engine/detection.ts";
import { accountKey } from "./entities.ts";
import { actorText, changeCandidate, changedObject, isAttribute, objectKey, whereText } from "./directory-helpers.ts";

const ID = "sid-history-injection";
const TITLE = "Suspected SID-History injection";
// RIDs whose SID in sIDHistory makes an account an admin of the domain or forest.
const PRIVILEGED_RIDS = new Set([500, 502, 512, 516, 518, 519, 520, 498, 521]);

/**
 * SID-History injection (MDI 1106; T1134.005). `sIDHistory` is meant for migrations: a migrated
 * account keeps access granted to its old SID. Tokens include every SID in it, so writing Domain
 * Admins' or Enterprise Admins' SID there (mimikatz `sid::add`, DSInternals `Add-ADDBSidHistory`)
 * makes any account an admin without a visible group membership.
 *
 * Signal: `directory.change` of `sIDHistory` that adds a value: 4765 (added), 4766 (adding failed —
 * the attempt is what matters) or 5136. No threshold: SID history is written only during migrations.
 * A SID with a privileged RID (500, 502, 512, 516, 518-521, 498) is called out in the alert.
 *
 * Known benign causes and how they are handled:
 * - domain migrations (ADMT, Quest) write SID history by the thousand: exclude the migration account
 *   for this detection in ctx for the migration's duration; alerts aggregate per target account.
 * - removing SID history after a migration (a delete) never alerts.
 */
export const sidHistoryInjection = defineDetection({
  id: ID,
  title: TITLE,
  severity: "high",
  mitre: ["T1134.005"],
  sources: ["E"],
  kinds: ["directory.change"],
  learningPeriodDays: 0,
  windowMs: HOUR,
  description: "A SID was added to an account's SID history outside a migration.",
  recommendedActions: [
    "Remove the added SID from the account's sIDHistory and reset the account's password.",
    "Find how the actor could write SID history (it needs domain admin or DC access) and treat that account as compromised.",
    "Enable SID filtering on trusts so injected SID history does not cross them.",
  ],
  evaluate(event) {
    if (!isAttribute(event, "sIDHistory") || event.operation === "delete") return [];
    const object = changedObject(event);
    const sids = (event.value ?? "").match(/S-1-[0-9-]+/gi) ?? [];
    const privileged = sids.filter((s) => PRIVILEGED_RIDS.has(Number(/-(\d+)$/.exec(s)?.[1])));
    const what = sids.length > 0 ? `SID ${sids.join(", ")}` : "a SID";
    const verb = event.success === false ? "tried to add" : "added";
    const note = privileged.length > 0 ? ` ${privileged.join(", ")} is a privileged SID: the account would act as that admin.` : "";
    return [
      changeCandidate(ID, event, {
        severity: "high",
        title: TITLE,
        description: `${actorText(event.actor)} ${verb} ${what} to the SID history of ${object?.name ?? object?.dn ?? "an account"}${whereText(event)}.${note}`,
        primaryEntity: accountKey(object, "sid") ?? objectKey(object) ?? "account:unknown",
        object,
      }),
    ];
  },
});
