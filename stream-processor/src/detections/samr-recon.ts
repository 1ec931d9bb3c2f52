import type { EventOf } from "@vigil/sensor/contract";
import { defaultSensitiveGroup, isDcAccount, isDcEndpoint, isEntityExcluded, isSensitiveGroup } from "../engine/context.ts";
import { DAY, HOUR, MINUTE, defineDetection, type AlertCandidate } from "../engine/detection.ts";
import type { DetectionState, Json, WindowEntry } from "../engine/state.ts";
import {
  accountEntity,
  accountKey,
  hostEntity,
  isActorExcluded,
  isMachineAccount,
  label,
  listed,
  present,
  sourceFromKey,
} from "./entities.ts";
import { onDc, recordingHost, remoteSource } from "./recon-helpers.ts";

/** A 4661 and the 5145 that names its network source are joined when this close in event time. */
export const JOIN_MS = 2 * MINUTE;
/** A source is profiled for SAM-R recon once seen on this many distinct days… */
export const PROFILE_DAYS = 5;
/** …spanning at least this long (MDI learns 4 weeks per DC; recurring tools show up well within). */
export const PROFILE_SPAN_MS = 14 * DAY;

const ID = "samr-recon";
const TITLE = "User and group membership reconnaissance (SAM-R)";
const SAMR_PIPE = /(^|\\)samr$/i;
const PROFILE_TTL = 35 * DAY;
const JOIN = { windowMs: JOIN_MS, latenessMs: JOIN_MS, maxEntries: 64 };

interface Pending extends WindowEntry {
  what: string;
  dc: string;
}
interface Profile {
  first: number;
  days: number[];
  [k: string]: Json;
}

/** What a SAM-R query reveals, when it is reconnaissance; undefined for routine lookups. */
function reconOf(e: EventOf<"samr.query">, ctx: Parameters<typeof isSensitiveGroup>[0]): string | undefined {
  const type = (e.objectType ?? "").toUpperCase();
  // MS-SAMR calls that list a whole domain, as a wire sensor would name them. (4798's
  // "enumerate-local-groups" is a workstation's own SAM and is not one of them.)
  if (/Enumerate(Users|Groups|Aliases)InDomain|QueryDisplayInformation/i.test(e.operation ?? "")) return `enumeration (${e.operation})`;
  // Opening the domain object itself is the first step of listing its users or groups (net user /domain);
  // the Builtin domain holds only local aliases and is opened by every local logon on a DC.
  if (type === "SAM_DOMAIN") return /^CN=Builtin,/i.test(e.objectName ?? "") ? undefined : "the domain's users and groups";
  const target = e.target ?? {};
  const recordedOn = e.dc ?? e.origin.computer;
  if (/SAM_GROUP|SAM_ALIAS|SAM_USER|^group$|^user$/i.test(type) && isSensitiveGroup(ctx, target, recordedOn)) {
    const known = defaultSensitiveGroup(ctx, target, recordedOn)?.names[0];
    return `sensitive ${type.startsWith("SAM_USER") || type === "USER" ? "account" : "group"} ${known ? `"${known}"` : (e.objectName ?? label(target))}`;
  }
  return undefined;
}

/**
 * SAM-R reconnaissance (MDI 2021; T1087.002, T1069.002). `net user /domain`, `net group "Domain
 * Admins" /domain`, BloodHound and impacket's samrdump list a domain's users, groups and the members
 * of privileged groups over SAM-R to a DC: the map of whom to attack next.
 *
 * Signal: a `samr.query` recorded on a DC (4661 with ObjectServer "Security Account Manager", 4799,
 * or a wire SAM-R call) that is reconnaissance: the domain object opened (SAM_DOMAIN named by DN, not
 * `CN=Builtin`: what every enumeration does first), a sensitive group / tagged account opened
 * (SAM_GROUP RID 512 Domain Admins…, ctx sensitive groups), or an enumeration operation on the wire.
 * 4661 names no client: the source comes from the `samr` pipe access (5145) by the same account
 * within 2 minutes either side; a query with no network source joined is the DC's own local activity
 * (an admin console, logon processing) and is not alerted. No count threshold: one `net group
 * "Domain Admins" /domain` is the reconnaissance.
 *
 * Profiling ("from a source not profiled for it"): each source's days of SAM-R recon are remembered
 * for 35 days. A source seen on ≥ 5 distinct days spanning ≥ 14 days is profiled (a recurring admin
 * tool, an inventory server) and stops alerting. Until then alerts say how much baseline there is,
 * instead of staying silent through MDI's 4-week learning.
 *
 * Known benign causes and how they are handled:
 * - machine accounts and DCs query SAM-R constantly (group policy, LSA lookups, replication
 *   partners): machine-account and DC actors, and DC sources, are skipped.
 * - helpdesk / IAM / audit tools enumerating users and groups: profiled after recurring use, or
 *   exclude the source or account for this detection (ctx exclusions).
 * - lookups of ordinary users and groups (SAM_USER, SAM_GROUP not sensitive) are not recon.
 * Limit: SAM-R over RPC/TCP (no 5145) is only seen through the wire sensor.
 */
export const samrRecon = defineDetection({
  id: ID,
  title: TITLE,
  severity: "medium",
  mitre: ["T1087.002", "T1069.002"],
  sources: ["E", "N"],
  kinds: ["samr.query", "share.access"],
  learningPeriodDays: 14,
  windowMs: HOUR,
  description:
    "SAM-R enumeration of the domain's users and groups, or a query of a sensitive group, against a domain controller from a source not profiled for it.",
  recommendedActions: [
    "Find the process on the source computer that queried SAM-R (net.exe, BloodHound/SharpHound, impacket) and who ran it.",
    "If the account is not expected to enumerate the directory, treat it and the source as compromised.",
    "Restrict remote SAM-R calls to administrators (policy 'Network access: Restrict clients allowed to make remote calls to SAM').",
  ],
  evaluate(event, state, ctx) {
    // A wire capture often cannot name the user (a Kerberos session whose TGS exchange it did not
    // see): the network source then stands in for the account, so pipe open and query still join.
    const wireSource = event.origin.format === "pcap" && !event.actor ? remoteSource(event)?.key : undefined;
    const actor = accountKey(event.actor, "name") ?? wireSource;
    if (!actor || isMachineAccount(event.actor) || isDcAccount(ctx, event.actor)) return [];
    if (isActorExcluded(ctx, ID, event.actor)) return [];
    const t = state.now;
    if (event.kind === "share.access") {
      if (!SAMR_PIPE.test(event.relativeTarget ?? "")) return [];
      const source = remoteSource(event);
      if (!source || isDcEndpoint(ctx, event.src) || isEntityExcluded(ctx, ID, source.entity)) return [];
      state.set("net:", actor, { k: source.key, t, id: event.id }, JOIN_MS);
      const pending = (state.get<Pending[]>("pend:", actor) ?? []).filter((p) => Math.abs(p.t - t) <= JOIN_MS);
      state.delete("pend:", actor);
      return pending.length > 0 ? alert(event, state, source.key, [...pending, { t, id: event.id, what: "", dc: "" }]) : [];
    }
    if (!onDc(event, state, ctx)) return [];
    const what = reconOf(event, ctx);
    if (!what) return [];
    const entry: Pending = { t, id: event.id, what, dc: recordingHost(event) ?? "" };
    const direct = remoteSource(event);
    if (direct && (isDcEndpoint(ctx, event.src) || isEntityExcluded(ctx, ID, direct.entity))) return [];
    const net = state.get<{ k: string; t: number; id: string }>("net:", actor);
    const joined = !direct && net && Math.abs(net.t - t) <= JOIN_MS ? net : undefined;
    const sourceKey = direct?.key ?? joined?.k;
    // The pipe access that named the source is evidence too.
    if (sourceKey) return alert(event, state, sourceKey, joined ? [{ t: joined.t, id: joined.id, what: "", dc: "" }, entry] : [entry]);
    state.pushWindow<Pending>("pend:", actor, entry, JOIN);
    return [];
  },
});

/** Updates the source's profile and alerts unless the source was already profiled for SAM-R recon. */
function alert(
  event: EventOf<"samr.query" | "share.access">,
  state: DetectionState,
  sourceKey: string,
  queries: Pending[],
): AlertCandidate[] {
  const day = Math.floor(state.now / DAY);
  const profile = state.get<Profile>("prof:", sourceKey) ?? { first: state.now, days: [] };
  const earlier = profile.days.filter((d) => d !== day);
  const profiled = earlier.length >= PROFILE_DAYS && state.now - profile.first >= PROFILE_SPAN_MS;
  state.set("prof:", sourceKey, { first: Math.min(profile.first, state.now), days: [...earlier, day].slice(-30) }, PROFILE_TTL);
  if (profiled) return [];
  const source = sourceFromKey(sourceKey);
  const whats = [...new Set(queries.map((q) => q.what).filter((w) => w !== ""))];
  const dc = queries.find((q) => q.dc !== "")?.dc;
  const baseline =
    earlier.length === 0
      ? "This source has no SAM-R history in the baseline."
      : `This source queried SAM-R on ${earlier.length} earlier day(s); it is profiled after ${PROFILE_DAYS} days over 2 weeks.`;
  const ts = queries.map((q) => q.t);
  return [
    {
      detectionId: ID,
      severity: "medium",
      title: TITLE,
      description: `${label(event.actor)} on ${source.id} queried ${listed(whats)} over SAM-R on domain controller ${dc ?? "(unknown)"}. ${baseline}`,
      primaryEntity: sourceKey,
      entities: present(source, accountEntity("actor", event.actor), hostEntity("dc", dc)),
      evidenceEventIds: [...new Set(queries.map((q) => q.id))],
      time: new Date(Math.max(...ts)).toISOString(),
      firstTime: new Date(Math.min(...ts)).toISOString(),
    },
  ];
}
