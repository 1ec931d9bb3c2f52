import { isDcAccount, isSensitiveGroup } from "../engine/context.ts";
import { normSid } from "../engine/names.ts";
import { DAY, HOUR, defineDetection } from "../engine/detection.ts";
import { DC_GROUP_RIDS } from "../engine/sensitive-groups.ts";
import { accountEntity, accountKey, hostEntity, isMachineAccount, label, present, sourceOf } from "./entities.ts";

const ID = "sensitive-group-addition";
const TITLE = "Addition to a sensitive group";
const LEARNING_DAYS = 28;
const PROFILE_TTL_MS = 180 * DAY;

/**
 * Additions to sensitive groups (MDI 2024; T1098, T1484). Putting an account into Domain Admins,
 * Account Operators, Backup Operators… is the shortest way to keep or widen domain control, and it
 * is what an attacker does right after taking over an account that can.
 *
 * Signal: a `group.membership` add (4728 / 4732 / 4756, or an LDAP sync diff) to a sensitive group:
 * MDI's default list by well-known SID / RID plus Vigil's additions (engine/sensitive-groups.ts) and
 * any group tagged sensitive in ctx. Builtin groups (S-1-5-32-…) count only when recorded on a DC:
 * every member server has its own local Administrators. Every such addition alerts, medium.
 *
 * Behaviour (MDI's "uncharacteristically modified"): the detection remembers which accounts changed
 * sensitive groups (adds and removes) over a sliding 180 days. After a 28-day learning period (MDI:
 * 4 weeks) an addition by an account never seen doing so is high. The alert states how many days
 * and changes the baseline rests on. Nested sensitivity (a group that is itself a member of a
 * sensitive group) is the graph's to compute; the processor tags such groups in ctx.
 *
 * Known benign causes and how they are handled:
 * - planned administration (a new admin, a break-glass procedure): medium, and high only for an
 *   actor new to it; exclude provisioning accounts (MIM, scripts) for this detection in ctx.
 * - DC promotion puts the new DC's machine account in Domain Controllers / RODC groups: skipped when
 *   the member is a known DC and the group is one of those.
 * - Exchange setup adds servers to "Exchange Servers": exclude the setup account, or acknowledge.
 * - removals never alert (they only feed the baseline).
 */
export const sensitiveGroupAddition = defineDetection({
  id: ID,
  title: TITLE,
  severity: "medium",
  mitre: ["T1098", "T1484"],
  sources: ["E", "L"],
  kinds: ["group.membership"],
  learningPeriodDays: LEARNING_DAYS,
  windowMs: HOUR,
  description: "A member was added to a sensitive group; high when the account making the change has not changed sensitive groups before.",
  recommendedActions: [
    "Confirm with the actor's owner that the change was planned; if not, remove the member and reset the actor's password.",
    "Review what the added member did after the change.",
  ],
  evaluate(event, state, ctx) {
    if (!isSensitiveGroup(ctx, event.group, event.dc)) return [];
    const actorKey = accountKey(event.actor, "sid");
    const newActor = actorKey ? state.firstSeen("actor:", actorKey, PROFILE_TTL_MS) : false;
    const samples = (state.get<number>("samples", "") ?? 0) + 1;
    state.set("samples", "", samples, PROFILE_TTL_MS);
    if (event.action !== "add") return [];
    const rid = Number(/-(\d+)$/.exec(normSid(event.group.sid) ?? "")?.[1]);
    if (DC_GROUP_RIDS.has(rid) && isDcAccount(ctx, event.member)) return [];

    const baselineDays = Math.floor((state.now - (state.since ?? state.now)) / DAY);
    const learned = baselineDays >= LEARNING_DAYS;
    const unusual = newActor && learned;
    const who = event.actor ? label(event.actor) : "Someone (the source does not say who)";
    const source = sourceOf(event);
    const where = `${event.dc ? ` on ${event.dc}` : ""}${source ? ` from ${source.entity.id}` : ""}`;
    const earlier = `${samples - 1} earlier sensitive-group change${samples - 1 === 1 ? "" : "s"}`;
    const baseline = learned
      ? `Baseline: ${baselineDays} days, ${earlier}.`
      : `Baseline still learning: ${baselineDays} of ${LEARNING_DAYS} days, ${earlier}.`;
    const verdict = unusual ? ` ${label(event.actor)} has not changed sensitive groups before, which is unusual.` : "";
    return [
      {
        detectionId: ID,
        severity: unusual ? "high" : "medium",
        title: unusual ? "Unusual addition to a sensitive group" : TITLE,
        description: `${who} added ${label(event.member)} to the sensitive group ${label(event.group)}${where}.${verdict} ${baseline}`,
        primaryEntity: actorKey ?? `group:${normSid(event.group.sid) ?? label(event.group).toLowerCase()}`,
        entities: present(
          accountEntity("actor", event.actor),
          accountEntity("member", event.member, isMachineAccount(event.member) ? "computer" : "user"),
          accountEntity("group", event.group, "group"),
          source?.entity,
          hostEntity("dc", event.dc),
        ),
        evidenceEventIds: [event.id],
        time: event.time,
      },
    ];
  },
});
