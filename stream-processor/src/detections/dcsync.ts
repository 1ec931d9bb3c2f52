import { isDcAccount, isDcEndpoint } from "../engine/context.ts";
import { HOUR, defineDetection } from "../engine/detection.ts";
import { accountEntity, accountKey, hostEntity, label, present, sourceOf } from "./entities.ts";

const GET_CHANGES = "1131f6aa-9c07-11d1-f79f-00c04fc2dcd2";
const GET_CHANGES_ALL = "1131f6ad-9c07-11d1-f79f-00c04fc2dcd2";
const GET_CHANGES_FILTERED = "89e95b76-444d-4c62-991a-0facbeda640c";
const RIGHT_NAMES: Record<string, string> = {
  [GET_CHANGES]: "DS-Replication-Get-Changes",
  [GET_CHANGES_ALL]: "DS-Replication-Get-Changes-All",
  [GET_CHANGES_FILTERED]: "DS-Replication-Get-Changes-In-Filtered-Set",
};
// Rights as names, when a source resolved the GUIDs (schema name or display name).
const NAMED_RIGHTS: Record<string, string> = {
  "ds-replication-get-changes": GET_CHANGES,
  "replicating directory changes": GET_CHANGES,
  "ds-replication-get-changes-all": GET_CHANGES_ALL,
  "replicating directory changes all": GET_CHANGES_ALL,
  "ds-replication-get-changes-in-filtered-set": GET_CHANGES_FILTERED,
  "replicating directory changes in filtered set": GET_CHANGES_FILTERED,
};
const GUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
// Only for the alert text: the names Entra Connect / DirSync give their service accounts.
const SYNC_ACCOUNT_HINT = /^(msol|aad|sync)_/i;

/** The replication rights an event names, whether as 4662 prints them (`%{GUID}`, or the whole
 * Properties text with `%%7688` and the object class GUID) or as names. */
function replicationRights(rights: string[]): string[] {
  const found = new Set<string>();
  for (const raw of rights) {
    const r = raw.trim().toLowerCase();
    for (const guid of r.match(GUID) ?? []) if (RIGHT_NAMES[guid]) found.add(guid);
    const named = NAMED_RIGHTS[r];
    if (named) found.add(named);
  }
  return [GET_CHANGES, GET_CHANGES_ALL, GET_CHANGES_FILTERED].filter((g) => found.has(g));
}

const ID = "dcsync";
const TITLE = "Suspected DCSync attack (replication of directory services)";

/**
 * DCSync (MDI 2006; T1003.006). With the DS-Replication-Get-Changes-All right (Domain Admins, or
 * any principal granted it), a tool such as mimikatz `lsadump::dcsync` or impacket `secretsdump`
 * poses as a domain controller and asks a real DC to replicate accounts, secrets included: every
 * password hash, krbtgt's among them, without touching the DC's disk.
 *
 * Signal: a `replication` event (4662 on the domain object with the replication control-access
 * rights, or DRSUAPI DsGetNCChanges on the wire) that can carry secrets: rights include
 * Get-Changes-All (`1131f6ad-…`) or Get-Changes-In-Filtered-Set (`89e95b76-…`), or the operation is
 * GetNCChanges, or the event names no rights at all (the mapper saw replication but not which) —
 * requested by a principal that is not a domain controller. No threshold: one request is the attack.
 * A DC is known from ctx: its machine account `NAME$` where NAME is a known DC host, or its SID; when
 * the event names no account, a source that is a known DC host or IP.
 *
 * Known benign causes and how they are handled:
 * - DC-to-DC replication: done by the DCs' machine accounts, recognized from ctx (DCs are learned
 *   from KDC / directory events they record and from LDAP snapshots, or set by an admin).
 * - Get-Changes alone (`1131f6aa-…`), without -All: DirSync-style sync tools read non-secret changes;
 *   no alert (mimikatz and secretsdump always request -All).
 * - Entra Connect (Azure AD Connect) password-hash sync replicates with its `MSOL_…` account, and
 *   some identity backup / sync products do the same: real DCSync, benign by intent. Not hard-coded
 *   (an attacker can name an account MSOL_x): exclude the account for `dcsync` in ctx exclusions.
 *   The alert says when the account looks like a sync account, to make that triage quick.
 * - A DC being promoted replicates with the promoting admin's credentials before anything knows it
 *   is a DC (MDI has the same false positive): add the new DC to ctx (addDc) and close the alert.
 * - A DC with no sensor and no LDAP sync is unknown until one of those sees it: configure LDAP sync.
 * Limit: a DC machine account is trusted wherever it comes from, so DCSync run elsewhere with a
 * stolen DC account (e.g. after Zerologon) is left to `zerologon` until DC IPs are reliably known.
 */
export const dcsync = defineDetection({
  id: ID,
  title: TITLE,
  severity: "high",
  mitre: ["T1003.006"],
  sources: ["E", "N"],
  kinds: ["replication"],
  learningPeriodDays: 0,
  windowMs: HOUR,
  description: "Directory replication of secrets requested by an account or computer that is not a domain controller.",
  recommendedActions: [
    "Find the computer the request came from and isolate it; treat every password hash in the domain as exposed.",
    "Check who holds DS-Replication-Get-Changes-All on the domain object and remove grants that are not DCs or Entra Connect.",
    "If the krbtgt hash was replicated, reset krbtgt twice and rotate privileged accounts.",
  ],
  evaluate(event, _state, ctx) {
    const rights = replicationRights(event.rights);
    const getNcChanges = /getncchanges/i.test(event.operation ?? "");
    const secretBearing =
      getNcChanges ||
      rights.includes(GET_CHANGES_ALL) ||
      rights.includes(GET_CHANGES_FILTERED) ||
      (event.rights.length === 0 && !event.operation);
    if (!secretBearing) return [];
    const actorKnown = !!(event.actor?.sid || event.actor?.name);
    if (actorKnown ? isDcAccount(ctx, event.actor) : isDcEndpoint(ctx, event.src)) return [];
    const source = sourceOf(event);
    const primaryEntity = accountKey(event.actor, "sid") ?? source?.key ?? `host:${event.dc ?? "unknown"}`;
    const what = rights.length > 0 ? rights.map((r) => RIGHT_NAMES[r]).join(", ") : (event.operation ?? "replication");
    const who = actorKnown ? label(event.actor) : `an unidentified account on ${source?.entity.id ?? "an unknown computer"}`;
    const from = actorKnown && source ? ` from ${source.entity.id}` : "";
    const sync = SYNC_ACCOUNT_HINT.test(event.actor?.name?.split("\\").pop() ?? "")
      ? " The account is named like an Entra Connect sync account: if it is one, exclude it for this detection."
      : "";
    return [
      {
        detectionId: ID,
        severity: "high",
        title: TITLE,
        description: `${who}${from} requested directory replication (${what}) from ${event.dc ?? "a domain controller"}, but is not a domain controller: this is how DCSync copies password hashes.${sync}`,
        primaryEntity,
        entities: present(accountEntity("actor", event.actor), source?.entity, hostEntity("target", event.dc)),
        evidenceEventIds: [event.id],
        time: event.time,
      },
    ];
  },
});
