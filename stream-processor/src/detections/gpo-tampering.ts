import { DAY, HOUR, defineDetection } from "../engine/detection.ts";
import { accountKey, label } from "./entities.ts";
import { actorText, changeCandidate, isAttribute, isDirectoryItself, whereText } from "./directory-helpers.ts";

const ID = "gpo-tampering";
const TITLE = "Group Policy tampering";
const LEARNING_DAYS = 28;
const PROFILE_TTL_MS = 180 * DAY;
// Default Domain Policy (linked to the domain root) and Default Domain Controllers Policy (linked
// to OU=Domain Controllers): the same GUIDs in every domain.
const DEFAULT_SENSITIVE_GPOS = ["31b2f340-016d-11d2-945f-00c04fb984f9", "6ac1786c-016f-11d2-945f-00c04fb984f9"];
const GPC_DN = /^CN=\{([0-9a-f-]{36})\},CN=Policies,CN=System,/i;
const GUID_IN_LINK = /cn=\{([0-9a-f-]{36})\}/gi;
// Containers whose linked GPOs apply to every computer or to every DC.
const SENSITIVE_CONTAINER = /^(DC=[^,]+(,DC=[^,]+)*|OU=Domain Controllers,DC=.*)$/i;

/**
 * Group Policy tampering (MDI 2440; T1484.001, T1562.001). A GPO linked to the domain root or to the
 * Domain Controllers OU runs on every computer or every DC: whoever can edit it (a delegated GPO
 * editor, an ACL left open) can add a scheduled task, a startup script, a local admin, or switch off
 * Defender (MDI's case) on all of them at the next refresh.
 *
 * Signal: `directory.change` (5136) of any attribute (`versionNumber` moves on every edit,
 * `gPCMachineExtensionNames`, `gPCFileSysPath`, its DACL) of a `groupPolicyContainer` that applies to
 * the domain root or the Domain Controllers OU: the two default GPOs, plus GPOs learned as linked
 * there from `gPLink` (5136 on the domain / DC OU, LDAP snapshots of domain and OU objects). The
 * SYSVOL content itself is not audited by 5136; the version bump is what shows it changed. No count
 * threshold: edits of these GPOs are rare and one is enough to take the domain. Medium, as MDI; after
 * a 28-day learning period an editor never seen editing these GPOs makes it high. The alert states
 * the baseline.
 *
 * Known benign causes and how they are handled:
 * - planned GPO administration: medium, high only for a new editor; exclude the GPO admins or the
 *   change-management account for this detection in ctx.
 * - the directory itself (SYSTEM, DC accounts) is skipped.
 * - a replace logs a delete and an add: only the add counts (and alerts).
 * - GPOs linked only to ordinary OUs are not watched (tag-based sensitivity of OUs needs a context change).
 */
export const gpoTampering = defineDetection({
  id: ID,
  title: TITLE,
  severity: "medium",
  mitre: ["T1484.001", "T1562.001"],
  sources: ["E"],
  kinds: ["directory.change", "entity.snapshot"],
  learningPeriodDays: LEARNING_DAYS,
  windowMs: HOUR,
  description: "A Group Policy object applying to the whole domain or to the domain controllers was changed.",
  recommendedActions: [
    "Compare the GPO with its last known-good version (GPMC backup) and revert changes that were not planned.",
    "Check the GPO's SYSVOL folder for new scripts, scheduled tasks or Defender settings.",
    "Review who can edit the GPO and reset the actor's password if the edit was not theirs.",
  ],
  evaluate(event, state, ctx) {
    const linked = new Set(state.get<string[]>("linked", "") ?? []);
    const learnLinks = (value: string | undefined) => {
      for (const m of (value ?? "").matchAll(GUID_IN_LINK)) linked.add(m[1]!.toLowerCase());
      state.set("linked", "", [...linked].slice(-500), PROFILE_TTL_MS);
    };
    if (event.kind === "entity.snapshot") {
      const dn = event.entity.dn?.trim() ?? "";
      const link = event.entity.attributes["gPLink"];
      if ((event.entity.objectType === "domain" || SENSITIVE_CONTAINER.test(dn)) && typeof link === "string") learnLinks(link);
      return [];
    }
    const dn = (event.objectDn ?? event.target?.dn ?? "").trim();
    if (isAttribute(event, "gPLink")) {
      if (SENSITIVE_CONTAINER.test(dn) && event.operation !== "delete") learnLinks(event.value);
      return [];
    }
    const guid = GPC_DN.exec(dn)?.[1]?.toLowerCase();
    if (!guid || !(DEFAULT_SENSITIVE_GPOS.includes(guid) || linked.has(guid))) return [];
    // A replace logs the old value as a delete next to the add: only the add counts, once.
    if (event.operation === "delete" || event.success === false || isDirectoryItself(ctx, event.actor)) return [];
    const actorKey = accountKey(event.actor, "sid");
    const newActor = actorKey ? state.firstSeen("actor:", actorKey, PROFILE_TTL_MS) : false;
    const samples = (state.get<number>("samples", "") ?? 0) + 1;
    state.set("samples", "", samples, PROFILE_TTL_MS);

    const baselineDays = Math.floor((state.now - (state.since ?? state.now)) / DAY);
    const learned = baselineDays >= LEARNING_DAYS;
    const unusual = newActor && learned;
    const which =
      guid === DEFAULT_SENSITIVE_GPOS[0]
        ? "Default Domain Policy"
        : guid === DEFAULT_SENSITIVE_GPOS[1]
          ? "Default Domain Controllers Policy"
          : "a GPO linked to the domain or the Domain Controllers OU";
    const earlier = `${samples - 1} earlier edit${samples === 2 ? "" : "s"} of these GPOs`;
    const baseline = learned
      ? `Baseline: ${baselineDays} days, ${earlier}.`
      : `Baseline still learning: ${baselineDays} of ${LEARNING_DAYS} days, ${earlier}.`;
    const verdict = unusual ? ` ${label(event.actor)} has not edited these GPOs before, which is unusual.` : "";
    return [
      changeCandidate(ID, event, {
        severity: unusual ? "high" : "medium",
        title: unusual ? "Unusual Group Policy tampering" : TITLE,
        description: `${actorText(event.actor)} changed ${event.attribute} of {${guid.toUpperCase()}} (${which})${whereText(event)}.${verdict} ${baseline}`,
        primaryEntity: actorKey ?? `object:${dn.toLowerCase()}`,
      }),
    ];
  },
});
