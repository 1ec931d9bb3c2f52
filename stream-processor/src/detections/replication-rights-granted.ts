import type { Json } from "../engine/state.ts";
import { DAY, HOUR, defineDetection } from "../engine/detection.ts";
import { isDcAccount } from "../engine/context.ts";
import { normSid } from "../engine/names.ts";
import { actorText, changeCandidate, daclAces, isAttribute, whereText, type Ace } from "./directory-helpers.ts";
import { listed } from "./entities.ts";

const ID = "replication-rights-granted";
const TITLE = "Replication rights granted on the domain";
const GET_CHANGES = "1131f6aa-9c07-11d1-f79f-00c04fc2dcd2";
const GET_CHANGES_ALL = "1131f6ad-9c07-11d1-f79f-00c04fc2dcd2";
const GET_CHANGES_FILTERED = "89e95b76-444d-4c62-991a-0facbeda640c";
const RIGHT_NAMES: Record<string, string> = {
  [GET_CHANGES]: "DS-Replication-Get-Changes",
  [GET_CHANGES_ALL]: "DS-Replication-Get-Changes-All",
  [GET_CHANGES_FILTERED]: "DS-Replication-Get-Changes-In-Filtered-Set",
  all: "full control / all extended rights",
};
// Trustees that hold replication rights in every default domain: SDDL aliases for Builtin
// Administrators, Domain / Enterprise Admins, (Enterprise) Domain Controllers, Enterprise RODCs, SYSTEM.
const DEFAULT_ALIASES = new Set(["BA", "DA", "EA", "DD", "ED", "RO", "SY"]);
const DEFAULT_SIDS = new Set(["S-1-5-32-544", "S-1-5-9", "S-1-5-18"]);
// Domain-relative RIDs of the same groups: 498 Enterprise RODCs, 512 DA, 516 DCs, 519 EA, 521 RODCs.
const DEFAULT_RIDS = new Set([498, 512, 516, 519, 521]);
// How long a burst of delete/add pairs for one object may last and still count as one change.
const BURST_MS = 2_000;
const OBJECT_TTL_MS = 90 * DAY;

/** `trustee|right` for each replication right an entry grants on the object itself. */
function grants(aces: Ace[]): string[] {
  const out = new Set<string>();
  for (const a of aces) {
    // Inherit-only entries apply to children; replication rights are checked on the NC head itself.
    if (a.flags.includes("IO")) continue;
    if (a.type === "OA" && a.rights.includes("CR") && RIGHT_NAMES[a.objectGuid]) out.add(`${a.trustee}|${a.objectGuid}`);
    // Without an object GUID, CR is every extended right, and GA full control: replication included.
    if (a.type === "A" && (a.rights.includes("GA") || a.rights.includes("CR"))) out.add(`${a.trustee}|all`);
  }
  return [...out];
}

function isDefaultTrustee(trustee: string): boolean {
  if (DEFAULT_ALIASES.has(trustee) || DEFAULT_SIDS.has(trustee)) return true;
  const rid = /^S-1-5-21-\d+-\d+-\d+-(\d+)$/.exec(trustee)?.[1];
  return rid !== undefined && DEFAULT_RIDS.has(Number(rid));
}

interface Burst {
  [k: string]: Json;
  t: number;
  known: string[];
  deleted: string[];
  added: string[];
  alerted: string[];
}

/**
 * DCSync persistence (T1098, T1222.001; no MDI alert, which fires only when the right is used).
 * Whoever can write the domain object's DACL (WRITE_DAC, e.g. via Exchange's PrivExchange rights,
 * a hijacked admin, PowerView `Add-DomainObjectAcl -Rights DCSync`) grants an account
 * DS-Replication-Get-Changes(-All): that account can DCSync later, from anywhere, with no group change.
 *
 * Signal: `directory.change` of `nTSecurityDescriptor` on a `domainDNS` object (5136). A replace logs
 * the old descriptor as a delete and the new one as an add, with the same time. The detection keeps,
 * per object, the grants seen before the current burst (`known`) and the deleted / added values of the
 * burst (events within 2 s), and alerts on grants — replication rights (`1131f6aa-`, `1131f6ad-`,
 * `89e95b76-`), all extended rights or full control on the object itself — that an added value holds
 * and neither the old value nor earlier ones did. No threshold: one new grant is the persistence.
 * Exports sort equal times in any order, so an add seen before its delete waits for the delete
 * unless earlier values of the object are already known.
 *
 * Known benign causes and how they are handled:
 * - any other edit of the domain DACL re-logs every existing grant: only grants absent from the old
 *   value are new, so existing ones (Entra Connect's MSOL_ account, earlier grants) stay quiet.
 * - the default holders (Administrators, Domain / Enterprise Admins, (Enterprise) Domain Controllers,
 *   (Enterprise) RODCs, SYSTEM) and known DC accounts are skipped.
 * - Entra Connect setup grants its MSOL_ account Get-Changes(-All): exclude that SID for this detection.
 * - inherit-only entries never grant replication on the domain, so they are ignored.
 * Limit: the first descriptor change ever seen for an object, logged without its delete half, is
 * taken as the baseline.
 */
export const replicationRightsGranted = defineDetection({
  id: ID,
  title: TITLE,
  severity: "high",
  mitre: ["T1098", "T1222.001", "T1003.006"],
  sources: ["E", "N"],
  kinds: ["directory.change"],
  learningPeriodDays: 0,
  windowMs: HOUR,
  description: "The domain object's DACL gained replication rights (DCSync) for a principal that is not a DC or a default admin group.",
  recommendedActions: [
    "Remove the new access-control entries from the domain object and reset the trustee's password.",
    "Find how the actor got WRITE_DAC on the domain (Exchange permissions, a delegated admin) and take it away.",
    "Check the DCs for replication requests by the trustee: if it already replicated, treat every hash as exposed.",
  ],
  evaluate(event, state, ctx) {
    if (!isAttribute(event, "nTSecurityDescriptor") || !/^domainDNS$/i.test(event.objectClass ?? "") || event.success === false) return [];
    const dn = (event.objectDn ?? event.target?.dn ?? "").toLowerCase();
    const now = Date.parse(event.time);
    let burst = state.get<Burst>("sd:", dn) ?? { t: now, known: [], deleted: [], added: [], alerted: [] };
    if (Math.abs(now - burst.t) > BURST_MS) {
      const known = [...new Set([...burst.known, ...burst.deleted, ...burst.added])];
      burst = { t: now, known, deleted: [], added: [], alerted: [] };
    }
    const values = grants(daclAces(event.value));
    if (event.operation === "delete") burst.deleted = [...new Set([...burst.deleted, ...values])];
    else burst.added = [...new Set([...burst.added, ...values])];
    const baseline = burst.deleted.length > 0 || burst.known.length > 0;
    const old = new Set([...burst.known, ...burst.deleted, ...burst.alerted]);
    const fresh = baseline
      ? burst.added.filter((g) => !old.has(g) && !isDefaultTrustee(g.split("|")[0]!) && !isDcAccount(ctx, { sid: g.split("|")[0]! }))
      : [];
    burst.alerted = [...burst.alerted, ...fresh];
    state.set("sd:", dn, burst, OBJECT_TTL_MS);
    if (fresh.length === 0) return [];

    const byTrustee = new Map<string, string[]>();
    for (const g of fresh) {
      const [trustee, right] = g.split("|") as [string, string];
      byTrustee.set(trustee, [...(byTrustee.get(trustee) ?? []), RIGHT_NAMES[right]!]);
    }
    return [...byTrustee].map(([trustee, rights]) => {
      const sid = normSid(trustee);
      const dcsyncReady = rights.includes(RIGHT_NAMES.all!) || rights.includes(RIGHT_NAMES[GET_CHANGES_ALL]!);
      const candidate = changeCandidate(ID, event, {
        severity: "high",
        title: TITLE,
        description: `${actorText(event.actor)} granted ${trustee} ${listed(rights, 4)} on ${event.objectDn ?? "the domain object"}${whereText(event)}.${dcsyncReady ? " With these rights the trustee can DCSync: copy every password hash, krbtgt's included." : ""}`,
        primaryEntity: `account:${sid ?? trustee.toLowerCase()}`,
      });
      candidate.entities.push({ role: "member", kind: "user", id: sid ?? trustee });
      return candidate;
    });
  },
});
