import type { VigilEvent } from "@vigil/sensor/contract";
import { DAY, HOUR, defineDetection } from "../engine/detection.ts";
import { isIp, normHost, normName, normSid } from "../engine/names.ts";
import { accountEntity, hostEntity, label, present, sourceOf } from "./entities.ts";
import { baselineDays, learnSensitivity, sensitiveReason } from "./dominance-helpers.ts";

const ID = "abnormal-sensitive-logon";
const TITLE = "Sensitive account authenticated from a new computer";
// ATA's abnormal-behaviour model learned over a sliding 3 weeks; before that the alert says so.
const LEARNING_DAYS = 21;
// Below this the account has no usable profile yet: its first computers are learned, not alerted.
const MIN_SAMPLES = 10;
const MIN_PROFILE_DAYS = 1;
// An account already seen on this many computers roams (helpdesk, deployment account): a new one
// is its normal, and the profile stops growing so it stays bounded.
const ROAMING_HOSTS = 25;
const PROFILE_TTL_MS = 60 * DAY;
const GENERIC_WORKSTATIONS = new Set(["workstation", "mstsc"]);

// A type alias, not an interface, so it is assignable to state's Json.
type Profile = {
  first: number;
  n: number;
  /** Computer (host name or IP) → last seen (ms). */
  hosts: Record<string, number>;
};

/**
 * Abnormal sensitive-account logon (behavioural; beyond MDI's fixed alerts, after ATA's "abnormal
 * behaviour"; T1078.002). A stolen admin credential is used from the attacker's foothold, a computer
 * that admin never works from: the one thing that differs from the account's routine.
 *
 * Signal: a successful authentication — `logon` (4624), `kerberos.as` (4768 result 0) or `ntlm`
 * (4776 / 8004 without a failure) — by a sensitive account, from a computer (host name, else IP)
 * not in that account's profile. Sensitive: tagged in ctx, the built-in Administrator, or learned
 * here from sensitive-group membership events and LDAP snapshots (adminCount / memberOf).
 * Baseline: per account, the computers it authenticated from over a sliding 60 days. Quiet until
 * the account has ≥ 10 authentications over ≥ 1 day (nothing to compare with); then medium, and the
 * alert states the baseline's days and samples, and says when the 21-day learning period is not
 * over, instead of staying silent for three weeks. Each new computer alerts once, then is learned.
 *
 * Known benign causes and how they are handled:
 * - a new or re-imaged admin workstation, a jump server added: one alert per computer, then learned;
 *   exclude planned hosts or acknowledge.
 * - roaming accounts (deployment, helpdesk) seen on ≥ 25 computers: new computers are their normal.
 * - machine accounts (DCs are sensitive as Domain Controllers members) are skipped.
 * - DHCP: an IP-only source (4768 gives only the IP) may look new after a lease change; sources are
 *   compared by host name when the event has one. Resolving IPs to hosts needs the graph (report).
 * - adminCount stays 1 after someone leaves a protected group: the account stays sensitive; that
 *   errs on the side of watching it.
 */
export const abnormalSensitiveLogon = defineDetection({
  id: ID,
  title: TITLE,
  severity: "medium",
  mitre: ["T1078.002"],
  sources: ["E", "N"],
  kinds: ["logon", "kerberos.as", "ntlm", "group.membership", "entity.snapshot"],
  learningPeriodDays: LEARNING_DAYS,
  windowMs: HOUR,
  description: "A sensitive account authenticated from a computer it has not used before; the alert says how much baseline that rests on.",
  recommendedActions: [
    "Ask the account's owner whether they used that computer; if not, reset the password and revoke its sessions.",
    "Review what the account did from the new computer and who else logged on there.",
  ],
  evaluate(event, state, ctx) {
    if (learnSensitivity(event, state, ctx)) return [];
    if (!succeeded(event)) return [];
    const why = sensitiveReason(state, ctx, event.actor);
    if (!why) return [];
    const computer = computerOf(event);
    if (!computer) return [];
    // By name first: 4768 and 4776 name the account without a SID.
    const account = normName(event.actor?.name) ?? normSid(event.actor?.sid);
    if (!account) return [];
    const profile = state.get<Profile>("profile:", account) ?? { first: state.now, n: 0, hosts: {} };
    const known = computer in profile.hosts;
    const hostCount = Object.keys(profile.hosts).length;
    const profileDays = Math.floor((state.now - profile.first) / DAY);
    const ready = profile.n >= MIN_SAMPLES && profileDays >= MIN_PROFILE_DAYS;
    const roaming = hostCount >= ROAMING_HOSTS;
    const next: Profile = { first: profile.first, n: profile.n + 1, hosts: profile.hosts };
    if (known || !roaming) next.hosts = { ...profile.hosts, [computer]: state.now };
    state.set("profile:", account, next, PROFILE_TTL_MS);
    if (known || !ready || roaming) return [];

    const tenantDays = baselineDays(state);
    const learning = tenantDays < LEARNING_DAYS ? ` Still learning: ${tenantDays} of ${LEARNING_DAYS} days observed.` : "";
    const baseline = `Baseline: ${profileDays} days, ${profile.n} authentications from ${hostCount} computer${hostCount === 1 ? "" : "s"}.${learning}`;
    const source = sourceOf(event);
    return [
      {
        detectionId: ID,
        severity: "medium",
        title: TITLE,
        description: `${label(event.actor)} (sensitive: ${why}) authenticated from ${computer}${event.dc ? ` against ${event.dc}` : ""}, a computer it has not used before. ${baseline}`,
        primaryEntity: `account:${account}`,
        entities: present(accountEntity("actor", event.actor), source?.entity, hostEntity("dc", event.dc)),
        evidenceEventIds: [event.id],
        time: event.time,
      },
    ];
  },
});

function succeeded(event: VigilEvent): boolean {
  if (event.kind === "logon") return event.success;
  if (event.kind === "kerberos.as") return event.result === 0;
  if (event.kind === "ntlm") return event.result === undefined || event.result === 0;
  return false;
}

/** The computer the account worked from: its host name when the event has one, else its IP. */
function computerOf(event: VigilEvent): string | undefined {
  const host = normHost(event.src?.host ?? (event.kind === "ntlm" ? event.workstation : undefined));
  // Some NTLM clients send a generic workstation name (catalog §0.1): no better than no name.
  if (host && !isIp(host) && !GENERIC_WORKSTATIONS.has(host)) return host;
  const source = sourceOf(event)?.entity;
  return source && !(source.kind === "computer" && GENERIC_WORKSTATIONS.has(source.id)) ? source.id : undefined;
}
