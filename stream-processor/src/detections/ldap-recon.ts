import type { EventOf } from "@vigil/sensor/contract";
import { isDcAccount, isDcEndpoint, isEntityExcluded, isSensitiveGroup, type EntityContext } from "../engine/context.ts";
import { DAY, HOUR, defineDetection } from "../engine/detection.ts";
import type { Json } from "../engine/state.ts";
import { accountEntity, hostEntity, isActorExcluded, isMachineAccount, label, listed, present } from "./entities.ts";
import { recordingHost, remoteSource } from "./recon-helpers.ts";

/** A source is profiled for LDAP recon once seen on this many distinct days… */
export const PROFILE_DAYS = 5;
/** …spanning at least this long. */
export const PROFILE_SPAN_MS = 14 * DAY;

const ID = "ldap-recon";
const TITLE = "Security principal reconnaissance (LDAP)";
const PROFILE_TTL = 35 * DAY;
// userAccountControl bits attack tools filter on, as decimal assertion values.
const DONT_REQ_PREAUTH = "4194304";
const TRUSTED_FOR_DELEGATION = "524288";
const TRUSTED_TO_AUTH_FOR_DELEGATION = "16777216";
// What names user objects in a filter: sAMAccountType USER_OBJECT, or the person / user classes.
const USER_OBJECTS = new Set(["805306368", "person", "user"]);

interface Profile {
  first: number;
  days: number[];
  [k: string]: Json;
}

/**
 * What an LDAP search looks for, when it is the reconnaissance attack tools do. The wire gives the
 * filter's attribute names and values without its boolean structure (`terms`); other sources may give
 * the filter text. Both are read as lower-case words.
 */
export function reconTargets(e: EventOf<"ldap.search">, ctx: EntityContext): string[] {
  const words = [...(e.terms ?? []), ...(e.filter ? e.filter.split(/[()&|!=:*]+/) : [])].map((w) => w.trim()).filter(Boolean);
  const lower = new Set(words.map((w) => w.toLowerCase()));
  const found: string[] = [];
  const groups = words.filter((w) => /[a-z]/i.test(w) && isSensitiveGroup(ctx, { name: w.toLowerCase() }));
  if (groups.length) found.push(`sensitive group ${listed([...new Set(groups)], 3)}`);
  if (lower.has("admincount")) found.push("accounts protected by AdminSDHolder (adminCount)");
  if (lower.has("serviceprincipalname") && [...USER_OBJECTS].some((u) => lower.has(u)))
    found.push("user accounts with SPNs (Kerberoasting targets)");
  if (lower.has(DONT_REQ_PREAUTH)) found.push("accounts without Kerberos pre-authentication (AS-REP roasting targets)");
  if (
    lower.has(TRUSTED_FOR_DELEGATION) ||
    lower.has(TRUSTED_TO_AUTH_FOR_DELEGATION) ||
    lower.has("msds-allowedtodelegateto") ||
    lower.has("msds-allowedtoactonbehalfofotheridentity")
  )
    found.push("delegation settings");
  return found;
}

/**
 * Security principal reconnaissance over LDAP (MDI 2038 / 2210; T1087.002, T1069.002). BloodHound,
 * PowerView, ADRecon, impacket GetUserSPNs / GetNPUsers and ldapsearch one-liners ask a DC over LDAP
 * for what an attacker needs next: members of privileged groups, accounts with SPNs to Kerberoast,
 * accounts without pre-authentication to AS-REP roast, delegation settings.
 *
 * Signal (network sources only: no Windows event records LDAP filters by default): an `ldap.search`
 * whose filter names a sensitive group (ctx or the default list: Domain Admins, Enterprise Admins…),
 * adminCount, servicePrincipalName together with user objects, the DONT_REQ_PREAUTH bit, or delegation
 * (TRUSTED_FOR_DELEGATION, TRUSTED_TO_AUTH_FOR_DELEGATION, msDS-AllowedToDelegateTo / -ActOnBehalfOf…).
 * No count threshold: one such query is what the tools send. One alert per source and hour (updated).
 *
 * Profiling ("from a source not profiled for it"): as samr-recon, a source seen on ≥ 5 distinct days
 * spanning ≥ 14 days is profiled (an IAM or inventory server) and stops alerting; before that the
 * alert says how much history the source has.
 *
 * Known benign causes and how they are handled:
 * - DCs, machine accounts (group policy, Exchange / ADFS service machines) and DC sources: skipped.
 * - identity management, PAM and audit tools querying admin groups daily: profiled after recurring
 *   use, or excluded by source or account (ctx exclusions).
 * - user lookups by name, `objectClass=*` root DSE reads, schema reads: not recon, never counted.
 * Limit: sealed LDAP (Kerberos / NTLM with signing and sealing, LDAPS) hides the filter from the wire
 * unless the operator gives the sensor the keys.
 */
export const ldapRecon = defineDetection({
  id: ID,
  title: TITLE,
  severity: "medium",
  mitre: ["T1087.002", "T1069.002"],
  sources: ["N"],
  kinds: ["ldap.search"],
  learningPeriodDays: 14,
  windowMs: HOUR,
  description:
    "LDAP queries for privileged groups, SPNs, accounts without pre-authentication or delegation settings, from a source not profiled for them.",
  recommendedActions: [
    "Find the process on the source computer that sent the queries (BloodHound/SharpHound, PowerView, impacket, ldapsearch) and who ran it.",
    "If the account is not expected to enumerate the directory, treat it and the source as compromised.",
    "Review the accounts the queries reveal (SPN accounts, accounts without pre-authentication, delegation) and harden them.",
  ],
  evaluate(event, state, ctx) {
    if (isMachineAccount(event.actor) || isDcAccount(ctx, event.actor)) return [];
    const source = remoteSource(event);
    if (!source || isDcEndpoint(ctx, event.src)) return [];
    if (isEntityExcluded(ctx, ID, source.entity) || isActorExcluded(ctx, ID, event.actor)) return [];
    const targets = reconTargets(event, ctx);
    if (targets.length === 0) return [];
    const day = Math.floor(state.now / DAY);
    const profile = state.get<Profile>("prof:", source.key) ?? { first: state.now, days: [] };
    const earlier = profile.days.filter((d) => d !== day);
    const profiled = earlier.length >= PROFILE_DAYS && state.now - profile.first >= PROFILE_SPAN_MS;
    state.set("prof:", source.key, { first: Math.min(profile.first, state.now), days: [...earlier, day].slice(-30) }, PROFILE_TTL);
    if (profiled) return [];
    const dc = recordingHost(event);
    const baseline =
      earlier.length === 0
        ? "This source has no LDAP reconnaissance in the baseline."
        : `This source ran such queries on ${earlier.length} earlier day(s); it is profiled after ${PROFILE_DAYS} days over 2 weeks.`;
    return [
      {
        detectionId: ID,
        severity: "medium",
        title: TITLE,
        description: `${label(event.actor)} on ${source.entity.id} searched ${dc ?? "a domain controller"} over LDAP for ${targets.join("; ")}${event.resultCount !== undefined ? ` (${event.resultCount} entries returned)` : ""}. ${baseline}`,
        primaryEntity: source.key,
        entities: present(source.entity, accountEntity("actor", event.actor), hostEntity("dc", dc)),
        evidenceEventIds: [event.id],
        time: event.time,
      },
    ];
  },
});
