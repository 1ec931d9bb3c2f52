import type { EventOf } from "@vigil/sensor/contract";
import { isDcAccount, isEntityExcluded, isHoneytoken, type EntityContext } from "../engine/context.ts";
import { DAY, defineDetection } from "../engine/detection.ts";
import { normName } from "../engine/names.ts";
import { accountEntity, hostEntity, isActorExcluded, isMachineAccount, label, present, sourceOf } from "./entities.ts";

const ID = "honeytoken-queried";
const TITLE = "Honeytoken was queried";

/** The honeytoken refs an LDAP search names: in its filter as a whole value, or as the CN of its base. */
function ldapHits(e: EventOf<"ldap.search">, ctx: EntityContext): string[] {
  const baseCn = /^CN=((?:\\,|[^,])+)/i.exec(e.baseDn ?? "")?.[1]?.replace(/\\,/g, ",");
  const values = [...(e.filter ?? "").matchAll(/=\s*([^()=*]+?)\s*\)/g)].map((m) => m[1]!);
  const names = [...(baseCn ? [baseCn] : []), ...values];
  return [...new Set(names.filter((n) => isHoneytoken(ctx, /^S-1-/i.test(n) ? { sid: n } : { name: normName(n) ?? n })))];
}

/**
 * Honeytoken queried (MDI 2439 SAM-R, 2429 LDAP; T1087.002). A decoy account nobody looks up
 * individually: a query naming it is someone examining it — an attacker checking a planted
 * credential or enumerating "interesting" accounts by name.
 *
 * Signal: a `samr.query` (4661 SAM_USER/SAM_GROUP open by SID, 4798/4799, wire) whose target ctx tags
 * as a honeytoken; an `ldap.search` (wire) whose filter names the honeytoken as a whole attribute
 * value (`(sAMAccountName=decoy)`, `(objectSid=S-1-…)`) or whose base DN is its object. No threshold:
 * MDI alerts on any such query, at low severity because bulk enumeration can sweep it up too.
 * Bulk searches (`(objectClass=user)`) do not name it and are not counted: those are ldap-recon's.
 *
 * Known benign causes and how they are handled:
 * - DCs and machine accounts resolving SIDs and memberships (LSA lookups, group expansion at logon
 *   when the honeytoken is a group member): DC and machine-account actors are skipped.
 * - identity-management, backup or audit tools reading every object individually: exclude the
 *   source or account for this detection (ctx exclusions).
 */
export const honeytokenQueried = defineDetection({
  id: ID,
  title: TITLE,
  severity: "low",
  mitre: ["T1087.002"],
  sources: ["E", "N"],
  kinds: ["samr.query", "ldap.search"],
  learningPeriodDays: 0,
  windowMs: DAY,
  description: "A SAM-R or LDAP query named an account tagged as a honeytoken.",
  recommendedActions: [
    "Find who ran the query on the source computer and why they looked at the decoy account.",
    "Watch the source for authentication attempts with the honeytoken and for further reconnaissance.",
  ],
  evaluate(event, _state, ctx) {
    if (isMachineAccount(event.actor) || isDcAccount(ctx, event.actor)) return [];
    const source = sourceOf(event);
    if (isEntityExcluded(ctx, ID, source?.entity) || isActorExcluded(ctx, ID, event.actor)) return [];
    const hits =
      event.kind === "samr.query"
        ? event.target && isHoneytoken(ctx, event.target)
          ? [event.objectName ?? label(event.target)]
          : event.objectName && isHoneytoken(ctx, { name: event.objectName })
            ? [event.objectName]
            : []
        : ldapHits(event, ctx);
    if (hits.length === 0) return [];
    const via = event.kind === "samr.query" ? "SAM-R" : "LDAP";
    const who = event.actor ? label(event.actor) : "An unidentified account";
    const where = source ? ` on ${source.entity.id}` : "";
    return [
      {
        detectionId: ID,
        severity: "low",
        title: TITLE,
        description: `${who}${where} queried honeytoken ${hits.join(", ")} over ${via}${event.dc ? ` on ${event.dc}` : ""}.`,
        primaryEntity: `honeytoken:${hits[0]!.toLowerCase()}`,
        entities: present(
          source?.entity,
          accountEntity("actor", event.actor),
          event.kind === "samr.query" ? accountEntity("target", event.target) : undefined,
          hostEntity("dc", event.dc),
        ),
        evidenceEventIds: [event.id],
        time: event.time,
      },
    ];
  },
});
