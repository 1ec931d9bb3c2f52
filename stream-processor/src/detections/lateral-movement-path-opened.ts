import type { VigilEvent } from "@vigil/sensor/contract";
import { isDcHost } from "../engine/context.ts";
import { DAY, defineDetection, type AlertCandidate } from "../engine/detection.ts";
import { normHost, normSid } from "../engine/names.ts";
import type { DetectionState } from "../engine/state.ts";
import { accountEntity, label, present } from "./entities.ts";
import { accountRefs, baselineDays, learnSensitivity, sensitiveReason } from "./dominance-helpers.ts";

const ID = "lateral-movement-path-opened";
const TITLE = "Lateral movement path to a sensitive account opened";
// Logon types that leave reusable credentials in LSASS on the computer: interactive, batch,
// service, unlock, new credentials (runas /netonly), remote interactive, cached interactive.
// Network logons (3, 8) do not (short of unconstrained delegation, which is the graph's).
const CACHING_LOGON_TYPES = new Set([2, 4, 5, 7, 9, 10, 11]);
// MDI keeps a discovered path 48 hours; credentials of a session last until logoff / reboot.
const SESSION_TTL_MS = 2 * DAY;
// Local admin rights persist until removed; remembered long, bounded by the state's LRU.
const ADMIN_TTL_MS = 180 * DAY;
const LOCAL_ADMINISTRATORS = "S-1-5-32-544";
const MAX_PER_HOST = 50;

// Type aliases (not interfaces) so they are assignable to state's Json.
/** Account ref → { name, t } per computer. */
type Seen = Record<string, { name: string; t: number }>;

/**
 * Lateral movement path opened (behavioural; MDI's lateral movement paths, mdi-catalog §4; T1550,
 * T1003.001). A path is: a non-sensitive account is local admin on a computer where a sensitive
 * account's credentials sit in memory; whoever takes the first account dumps LSASS there and
 * becomes the second. This detection raises the moment such a path appears in events:
 * - a sensitive account has a credential-caching session (`logon` success, type 2/4/5/7/9/10/11,
 *   recorded by the computer itself) on a computer where a non-sensitive account was made local
 *   admin (`group.membership` add to the builtin Administrators S-1-5-32-544 recorded on that
 *   computer, not a DC) — or the admin grant comes after the session (within 48 hours).
 * Sensitive accounts come from ctx tags, RID 500 and sensitive-group events / LDAP snapshots
 * learned in state (dominance-helpers). Medium, no threshold: every new (admin, computer, sensitive
 * account) triple alerts once per 48 hours. The alert states what the knowledge rests on: days
 * observed, sessions and admin grants known — a path through an admin right granted before
 * observation started cannot be seen here.
 *
 * What remains for the identity-graph work (not possible from events alone):
 * - local admins that exist already: SAM-R enumeration of each computer's Administrators (MDI's
 *   DSA probing), GPO restricted groups / LAPS, and domain groups nested in local Administrators —
 *   here a group added to Administrators is named, its members are not expanded;
 * - multi-hop paths (admin on A → session of B on A → B admin on C → sensitive session on C) and
 *   transitive sensitivity through nested groups;
 * - sessions from NetSessionEnum / the wire when the computer does not forward its 4624s, and logoff
 *   (4634) to close sessions early; "3 or more accounts expose one sensitive account" risk scoring.
 * The graph should raise this same id when it computes a new path, with this one's evidence shape.
 *
 * Known benign causes and how they are handled:
 * - admins logging on to their own admin workstations / jump servers where only admins are local
 *   admins: no non-sensitive admin, no path.
 * - a sensitive account's network logons (file shares, 3): do not cache credentials, ignored.
 * - DCs: only sensitive accounts administer them, and their Administrators group is the domain's
 *   (sensitive-group-addition's); grants recorded on a DC are skipped.
 * - machine accounts and the local SYSTEM / service identities are never the sensitive end.
 * - a planned helpdesk admin grant on a shared server: exclude the helpdesk account or the host.
 */
export const lateralMovementPathOpened = defineDetection({
  id: ID,
  title: TITLE,
  severity: "medium",
  mitre: ["T1550", "T1003.001"],
  sources: ["E", "L"],
  kinds: ["logon", "group.membership", "entity.snapshot"],
  learningPeriodDays: 0,
  windowMs: 2 * DAY,
  description:
    "A non-sensitive account became local admin on a computer where a sensitive account's credentials are cached, or the reverse.",
  recommendedActions: [
    "Remove the non-sensitive account's local admin rights on the computer, or keep the sensitive account off it (tiering).",
    "Sign the sensitive account out of the computer (reboot clears cached credentials) and check for LSASS access there.",
  ],
  evaluate(event, state, ctx) {
    if (event.kind === "group.membership") {
      learnSensitivity(event, state, ctx);
      if (normSid(event.group.sid) !== LOCAL_ADMINISTRATORS) return [];
      const host = normHost(event.origin.computer);
      if (!host || isDcHost(ctx, host)) return [];
      const admins = { ...(state.get<Seen>("admins:", host) ?? {}) };
      const refs = accountRefs(event.member);
      if (event.action === "remove") {
        for (const r of refs) delete admins[r];
        state.set("admins:", host, admins, ADMIN_TTL_MS);
        return [];
      }
      if (refs.length === 0 || sensitiveReason(state, ctx, event.member)) return [];
      const admin = label(event.member);
      admins[refs[0]!] = { name: admin, t: state.now };
      state.set("admins:", host, cap(admins), ADMIN_TTL_MS);
      count(state, "grants");
      const sessions = state.get<Seen>("sessions:", host) ?? {};
      return Object.entries(sessions)
        .filter(([, s]) => state.now - s.t <= SESSION_TTL_MS)
        .map(([ref, s]) =>
          candidate(
            event,
            state,
            ref,
            s.name,
            admin,
            host,
            `${admin} was made local admin of ${host}, where ${s.name}'s credentials are cached from a logon`,
          ),
        );
    }
    if (event.kind === "entity.snapshot") {
      learnSensitivity(event, state, ctx);
      return [];
    }
    if (!event.success || !CACHING_LOGON_TYPES.has(event.logonType)) return [];
    const why = sensitiveReason(state, ctx, event.actor);
    const host = normHost(event.target?.host ?? event.origin.computer);
    const refs = accountRefs(event.actor);
    if (!why || !host || refs.length === 0) return [];
    const ref = refs[refs.length - 1]!;
    const sessions = state.get<Seen>("sessions:", host) ?? {};
    const fresh = !sessions[ref] || state.now - sessions[ref].t > SESSION_TTL_MS;
    state.set("sessions:", host, cap({ ...sessions, [ref]: { name: label(event.actor), t: state.now } }), SESSION_TTL_MS);
    count(state, "sessions");
    if (!fresh) return [];
    const admins = state.get<Seen>("admins:", host) ?? {};
    return Object.values(admins).map((a) =>
      candidate(
        event,
        state,
        ref,
        label(event.actor),
        a.name,
        host,
        `${label(event.actor)} (sensitive: ${why}) logged on to ${host} (type ${event.logonType}), leaving credentials where ${a.name} is local admin`,
      ),
    );
  },
});

function cap(seen: Seen): Seen {
  const entries = Object.entries(seen).sort((a, b) => b[1].t - a[1].t);
  return Object.fromEntries(entries.slice(0, MAX_PER_HOST));
}

function count(state: DetectionState, what: string): void {
  state.set("count:", what, (state.get<number>("count:", what) ?? 0) + 1, ADMIN_TTL_MS);
}

function candidate(
  event: VigilEvent,
  state: DetectionState,
  sensitiveRef: string,
  sensitive: string,
  admin: string,
  host: string,
  what: string,
): AlertCandidate {
  const days = baselineDays(state);
  const sessions = state.get<number>("count:", "sessions") ?? 0;
  const grants = state.get<number>("count:", "grants") ?? 0;
  const basis = `Based on ${plural(days, "day")} of events: ${plural(sessions, "sensitive session")} and ${plural(grants, "local admin grant")} seen; rights granted before that, or through groups and GPOs, need the identity graph.`;
  return {
    detectionId: ID,
    severity: "medium",
    title: TITLE,
    description: `${what}: anyone controlling ${admin} can take over ${sensitive}. ${basis}`,
    primaryEntity: `account:${sensitiveRef}`,
    entities: present(
      accountEntity("target", { name: sensitive }),
      { role: "member", kind: "user", id: admin },
      { role: "source", kind: "computer", id: host },
      // Who logged on (the sensitive account) or who granted the admin right.
      accountEntity("actor", event.actor),
    ),
    evidenceEventIds: [event.id],
    time: event.time,
  };
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}
