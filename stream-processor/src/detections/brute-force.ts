import type { EventOf } from "@vigil/sensor/contract";
import { MINUTE, defineDetection, type AlertCandidate, type AlertEntity } from "../engine/detection.ts";
import { isEntityExcluded } from "../engine/context.ts";
import type { WindowEntry } from "../engine/state.ts";
import {
  accountEntity,
  accountKey,
  isActorExcluded,
  isMachineAccount,
  label,
  listed,
  present,
  sourceFromKey,
  sourceOf,
  type Source,
} from "./entities.ts";

/** Aggregation and counting window. */
export const WINDOW_MS = 10 * MINUTE;
/** Failures against one account, or from one source, within the window. */
export const FAILURE_THRESHOLD = 10;
/** Below this average per account, a source's failures are a spray, not brute force. */
export const MIN_FAILURES_PER_ACCOUNT = 3;

// Entries older than the window plus this much disorder are dropped; matches the engine default.
const LATENESS_MS = 10 * MINUTE;
const MAX_ENTRIES = 256;
const WINDOW = { windowMs: WINDOW_MS, latenessMs: LATENESS_MS, maxEntries: MAX_ENTRIES };

const ID = "brute-force";
const TITLE = "Suspected brute force attack";
const BAD_CREDENTIALS = new Set([0xc000006a, 0xc0000064, 0xc000006d]);
const KDC_ERR_PREAUTH_FAILED = 0x18;
const LDAP_INVALID_CREDENTIALS = 49;

type AuthEvent = EventOf<"logon" | "kerberos.preauth-failure" | "kerberos.as" | "ntlm" | "ldap.bind">;
type Outcome = "failure" | "success" | undefined;

interface AccountEntry extends WindowEntry {
  s: string;
}
interface SourceEntry extends WindowEntry {
  a: string;
  n: string;
}

function outcome(e: AuthEvent): Outcome {
  switch (e.kind) {
    case "logon": {
      if (e.success) return "success";
      const code = e.subStatus ?? e.status;
      return code === undefined || BAD_CREDENTIALS.has(code) ? "failure" : undefined;
    }
    case "kerberos.preauth-failure":
      return e.result === KDC_ERR_PREAUTH_FAILED ? "failure" : undefined;
    case "kerberos.as":
      return e.result === 0 ? "success" : e.result === KDC_ERR_PREAUTH_FAILED ? "failure" : undefined;
    case "ntlm":
      // 8004 NTLM audits report that an authentication happened, not its outcome: result is unset.
      if (e.result === undefined) return undefined;
      if (e.result === 0) return "success";
      // On the wire the server answers STATUS_LOGON_FAILURE for a wrong password or an unknown user alike.
      if (e.result === 0xc000006d && e.origin.format === "pcap") return "failure";
      return e.result === 0xc000006a || e.result === 0xc0000064 ? "failure" : undefined;
    case "ldap.bind":
      if (e.bindType === "anonymous") return undefined;
      return e.result === 0 ? "success" : e.result === LDAP_INVALID_CREDENTIALS ? "failure" : undefined;
  }
}

const distinct = (xs: string[]) => [...new Set(xs)];
const sourceHit = (entries: SourceEntry[]) =>
  entries.length >= FAILURE_THRESHOLD && entries.length >= MIN_FAILURES_PER_ACCOUNT * distinct(entries.map((e) => e.a)).length;
const within = <E extends WindowEntry>(entries: E[] | undefined, t: number) =>
  (entries ?? []).filter((e) => e.t >= t - WINDOW_MS && e.t <= t);

/**
 * Brute force (MDI 2023 Kerberos/NTLM, 2004 LDAP, 2033 SMB; T1110.001). An attacker guesses passwords
 * for one or a few accounts: many failed authentications against one account, or from one source.
 *
 * Signal: failed authentications in a 10-minute window of event time. A failure is a 4625 `logon`
 * with status/sub-status 0xC000006A (bad password), 0xC0000064 (no such user) or 0xC000006D (generic,
 * no sub-status), or no status at all; a `kerberos.preauth-failure` (4771) or wire `kerberos.as` with
 * 0x18 KDC_ERR_PREAUTH_FAILED; an `ntlm` validation (4776/8004) with 0xC000006A / 0xC0000064; a
 * non-anonymous `ldap.bind` with 49 invalidCredentials. The attacked account is the event's actor.
 *
 * Thresholds, each failure going to at most one alert:
 * - from one source: ≥ 10 failures from it AND ≥ 3 failures per distinct account on average → alert
 *   on the source. The average is what separates guessing (many passwords per account) from password
 *   spraying (one or two per account across many accounts), which is `password-spray`'s, so the two
 *   never fire on the same failures.
 * - else against one account: ≥ 10 failures against it from any sources → alert on the account
 *   (distributed guessing, or sources we cannot name).
 * 10 per 10 minutes sits at the common lockout threshold (Microsoft's baseline locks out at 10): a
 * user mistyping stays far below it, a tool running a wordlist reaches it in seconds.
 * - a success (4624, 4768/AS-REP, NTLM 0x0, LDAP bind 0) for that account from a source that failed
 *   against it in the window, while either threshold holds → the same alert goes high: the password
 *   was probably guessed.
 *
 * Known benign causes and how they are handled:
 * - a device or service retrying a stale password after a change (phones, mapped drives, scheduled
 *   tasks): looks exactly like vertical guessing, since events do not show whether the passwords
 *   differ. Exclude the account or the source for `brute-force` (ctx exclusions); their failures are
 *   then not counted at all.
 * - servers that authenticate on behalf of many users (AD FS, Exchange, VPN/RADIUS, Citrix) appear
 *   as one source; normal typos stay under 3 per account on average, and a noisy one can be excluded.
 * - machine accounts (`NAME$`) are skipped: their passwords are random, repeated failures there are a
 *   broken secure channel (a health matter), not guessing.
 * - account lockouts (0xC0000234), disabled/expired accounts and logon-restriction statuses are not
 *   password guesses and are not counted; nor are Kerberos 0x19 PREAUTH_REQUIRED round trips.
 * Limits: events are counted, not attempts; when member servers' 4625s are collected as well as the
 * DC's 4776/4771, one attempt counts twice. A source seen by IP in some events and by workstation
 * name in others (4776) is two sources until name resolution joins them.
 */
export const bruteForce = defineDetection({
  id: ID,
  title: TITLE,
  severity: "medium",
  mitre: ["T1110.001", "T1110"],
  sources: ["E", "N"],
  kinds: ["logon", "kerberos.preauth-failure", "kerberos.as", "ntlm", "ldap.bind"],
  learningPeriodDays: 0,
  windowMs: WINDOW_MS,
  description: "Many failed authentications against one account, or from one source, within 10 minutes; high when a success follows.",
  recommendedActions: [
    "Find the process on the source computer that sends the authentications and stop it.",
    "If a success followed the failures, reset the account's password and review what it did afterwards.",
    "Check whether the account is locked out and whether the source is expected to authenticate at all.",
  ],
  evaluate(event, state, ctx) {
    const result = outcome(event);
    // A success matters only after failures against its account: most events stop here.
    if (result === "success" && !state.holds("a:")) return [];
    const account = accountKey(event.actor, "name");
    if (!result || !account || isMachineAccount(event.actor)) return [];
    const source = sourceOf(event);
    // Excluded accounts and sources are not even counted, so they cannot push others over a threshold.
    if (isEntityExcluded(ctx, ID, source?.entity) || isActorExcluded(ctx, ID, event.actor)) return [];
    const t = state.now;
    if (result === "failure") {
      const who = label(event.actor);
      const perAccount = state.pushWindow<AccountEntry>("a:", account, { t, id: event.id, s: source?.key ?? "" }, WINDOW);
      const perSource = source ? state.pushWindow<SourceEntry>("s:", source.key, { t, id: event.id, a: account, n: who }, WINDOW) : [];
      if (source && sourceHit(perSource)) return [fromSource(event, source, perSource, undefined)];
      if (perAccount.length >= FAILURE_THRESHOLD) return [againstAccount(event, account, perAccount, undefined)];
      return [];
    }
    if (!source) return [];
    const perAccount = within(state.get<AccountEntry[]>("a:", account), t);
    if (!perAccount.some((e) => e.s === source.key)) return [];
    const perSource = within(state.get<SourceEntry[]>("s:", source.key), t);
    const success = `then ${label(event.actor)} authenticated successfully from ${source.entity.id}: the password was probably guessed`;
    if (sourceHit(perSource)) return [fromSource(event, source, perSource, success)];
    if (perAccount.length >= FAILURE_THRESHOLD) return [againstAccount(event, account, perAccount, success)];
    return [];
  },
});

function candidate(
  event: AuthEvent,
  primaryEntity: string,
  description: string,
  entities: AlertEntity[],
  evidence: WindowEntry[],
  success: boolean,
): AlertCandidate {
  // Evidence times, not this event's, bound the alert: a late failure may be older than the window it completes.
  const times = [...evidence.map((e) => e.t), ...(success ? [Date.parse(event.time)] : [])];
  return {
    detectionId: ID,
    severity: success ? "high" : "medium",
    title: success ? "Brute force attack with a successful authentication" : TITLE,
    description,
    primaryEntity,
    entities,
    evidenceEventIds: success ? [...evidence.map((e) => e.id), event.id] : evidence.map((e) => e.id),
    time: new Date(Math.max(...times)).toISOString(),
    firstTime: new Date(Math.min(...times)).toISOString(),
  };
}

function fromSource(event: AuthEvent, source: Source, entries: SourceEntry[], success: string | undefined): AlertCandidate {
  const names = distinct(entries.map((e) => e.n));
  const text = `${entries.length} failed authentications from ${source.entity.id} against ${names.length === 1 ? names[0] : `${names.length} accounts (${listed(names)})`} within 10 minutes`;
  const targets = distinct(entries.map((e) => e.a)).slice(0, 20);
  const accounts = targets.map((a): AlertEntity => ({
    role: "target",
    kind: "user",
    id: a.slice("account:".length),
    name: entries.find((e) => e.a === a)?.n,
  }));
  return candidate(event, source.key, success ? `${text}, ${success}.` : `${text}.`, [source.entity, ...accounts], entries, !!success);
}

function againstAccount(event: AuthEvent, account: string, entries: AccountEntry[], success: string | undefined): AlertCandidate {
  const sources = distinct(entries.map((e) => e.s).filter((s) => s !== "")).map((s) => s.slice("host:".length));
  const from =
    sources.length === 0
      ? "from unknown sources"
      : `from ${sources.length === 1 ? sources[0] : `${sources.length} sources (${listed(sources)})`}`;
  const text = `${entries.length} failed authentications against ${label(event.actor)} ${from} within 10 minutes`;
  const entities = present(accountEntity("target", event.actor), ...sources.slice(0, 20).map((s) => sourceFromKey(`host:${s}`)));
  return candidate(event, account, success ? `${text}, ${success}.` : `${text}.`, entities, entries, !!success);
}
