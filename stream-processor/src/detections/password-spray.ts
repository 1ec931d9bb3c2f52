import type { EventOf } from "@vigil/sensor/contract";
import { isEntityExcluded } from "../engine/context.ts";
import { MINUTE, defineDetection } from "../engine/detection.ts";
import type { WindowEntry } from "../engine/state.ts";
import { FAILURE_THRESHOLD, MIN_FAILURES_PER_ACCOUNT, WINDOW_MS } from "./brute-force.ts";
import { accountKey, isActorExcluded, isMachineAccount, label, listed, sourceOf, type Source } from "./entities.ts";
import { distinctOf, timeBounds } from "./recon-helpers.ts";

/** Distinct accounts with a wrong password from one source within the window. */
export const SPRAY_ACCOUNTS = 6;

const ID = "password-spray";
const TITLE = "Suspected password spray attack";
const WINDOW = { windowMs: WINDOW_MS, latenessMs: 10 * MINUTE, maxEntries: 512 };
const WRONG_PASSWORD = 0xc000006a;
const KDC_ERR_PREAUTH_FAILED = 0x18;
const LDAP_INVALID_CREDENTIALS = 49;

type AuthEvent = EventOf<"logon" | "kerberos.preauth-failure" | "kerberos.as" | "ntlm" | "ldap.bind">;
interface Attempt extends WindowEntry {
  a: string;
  n: string;
}

// What brute-force counts as a failure (its BAD_CREDENTIALS, no-status 4625s), for its source rule.
const BRUTE_FORCE_NTSTATUS = new Set([0xc000006a, 0xc0000064, 0xc000006d]);
function bruteForceFailure(e: AuthEvent): boolean {
  if (e.kind === "logon")
    return !e.success && ((e.subStatus ?? e.status) === undefined || BRUTE_FORCE_NTSTATUS.has((e.subStatus ?? e.status)!));
  if (e.kind === "ntlm") return e.result === 0xc000006a || e.result === 0xc0000064;
  return outcome(e) === "failure";
}

/** "failure" only for a wrong password on an existing account; unknown names are account-enumeration's. */
function outcome(e: AuthEvent): "failure" | "success" | undefined {
  switch (e.kind) {
    case "logon":
      if (e.success) return "success";
      return (e.subStatus ?? e.status) === WRONG_PASSWORD ? "failure" : undefined;
    case "kerberos.preauth-failure":
      return e.result === KDC_ERR_PREAUTH_FAILED ? "failure" : undefined;
    case "kerberos.as":
      return e.result === 0 ? "success" : e.result === KDC_ERR_PREAUTH_FAILED ? "failure" : undefined;
    case "ntlm":
      return e.result === 0 ? "success" : e.result === WRONG_PASSWORD ? "failure" : undefined;
    case "ldap.bind":
      if (e.bindType === "anonymous") return undefined;
      return e.result === 0 ? "success" : e.result === LDAP_INVALID_CREDENTIALS ? "failure" : undefined;
  }
}

/**
 * Password spraying (MDI 2023 spray variant; T1110.003). To stay under lockout, the attacker tries one
 * or two common passwords (Season+Year, Company123!) against many accounts from one machine, and
 * waits between rounds.
 *
 * Signal: wrong-password failures for existing accounts — 4625 sub-status 0xC000006A, 4771 / wire
 * AS-REP 0x18, 4776 0xC000006A, LDAP bind 49 — grouped by source over brute-force's 10-minute window.
 * Threshold: ≥ 6 distinct accounts failed from the source, and the source does NOT meet
 * brute-force's source rule (≥ 10 failures and ≥ 3 per account on average). That complement is what
 * keeps the two apart: few attempts per account across many accounts is a spray (here); many per
 * account is guessing (`brute-force`), so a source's failures never raise both. A success for the
 * same account from the same source removes it from the count (a user who mistyped, then got it right)
 * unless it came after the spray was already alerted (then the alert goes high: a sprayed password worked).
 * Six accounts in 10 minutes is beyond several users on one machine mistyping at once, and a spray
 * round (seconds for a tool) crosses it at once; slower sprays that space attempts over many minutes
 * are still caught if six fall in one window.
 * Unknown user names (0xC0000064, 0x6) are not counted: those probe which names exist (`account-enumeration`).
 *
 * Known benign causes and how they are handled:
 * - servers that authenticate for many users (RDS/Citrix, AD FS, Exchange, VPN/RADIUS, web SSO)
 *   collect many users' typos: the success-after-failure rule clears real typos; a noisy server can
 *   be excluded for this detection (ctx exclusions), its failures then not counted.
 * - a password change not yet picked up by several devices of one user: one account, not many.
 * - machine accounts (`NAME$`) are skipped: random passwords, failures are secure-channel problems.
 * Limit: a source named by IP in some events and by workstation in others (4776) is two sources.
 */
export const passwordSpray = defineDetection({
  id: ID,
  title: TITLE,
  severity: "medium",
  mitre: ["T1110.003"],
  sources: ["E", "N"],
  kinds: ["logon", "kerberos.preauth-failure", "kerberos.as", "ntlm", "ldap.bind"],
  learningPeriodDays: 0,
  windowMs: WINDOW_MS,
  description: "One source failed to authenticate with a wrong password against many accounts, a few attempts each, within 10 minutes.",
  recommendedActions: [
    "Find the process on the source computer that sends the authentications and stop it.",
    "Reset the passwords of sprayed accounts that later authenticated successfully from the source, and review their activity.",
    "Enforce a banned-password list and MFA for the sprayed accounts.",
  ],
  evaluate(event, state, ctx) {
    const result = outcome(event);
    const account = accountKey(event.actor, "name");
    const source = sourceOf(event);
    if (!account || !source || isMachineAccount(event.actor)) return [];
    if (isEntityExcluded(ctx, ID, source.entity) || isActorExcluded(ctx, ID, event.actor)) return [];
    const t = state.now;
    // brute-force's view of this source (all its failure codes), to stay off failures it alerts on.
    const bf = bruteForceFailure(event) ? state.pushWindow<Attempt>("bf:", source.key, { t, id: event.id, a: account, n: "" }, WINDOW) : [];
    if (!result) return [];
    if (result === "success") {
      const alerted = state.holds("alerted:") ? state.get<number>("alerted:", source.key) : undefined;
      if (alerted !== undefined && t - alerted <= WINDOW_MS) {
        const failed = (state.get<Attempt[]>("s:", source.key) ?? []).filter((e) => e.t >= t - WINDOW_MS && e.t <= t);
        if (failed.some((e) => e.a === account)) return [spray(source, failed, [event], label(event.actor))];
      }
      state.set("ok:", `${source.key}:${account}`, t, WINDOW_MS);
      return [];
    }
    const entries = state.pushWindow<Attempt>("s:", source.key, { t, id: event.id, a: account, n: label(event.actor) }, WINDOW);
    const accounts = distinctOf(entries, "a");
    // brute-force's source rule: when it holds, these failures are guessing, not spraying.
    if (bf.length >= FAILURE_THRESHOLD && bf.length >= MIN_FAILURES_PER_ACCOUNT * distinctOf(bf, "a").length) return [];
    const typos = new Set(accounts.filter((a) => state.get<number>("ok:", `${source.key}:${a}`) !== undefined));
    const sprayed = entries.filter((e) => !typos.has(e.a));
    if (distinctOf(sprayed, "a").length < SPRAY_ACCOUNTS) return [];
    state.set("alerted:", source.key, t, WINDOW_MS);
    return [spray(source, sprayed, [], undefined)];
  },
});

function spray(source: Source, failures: Attempt[], successes: AuthEvent[], cracked: string | undefined) {
  const names = distinctOf(failures, "n");
  const text = `${failures.length} wrong-password failures from ${source.entity.id} against ${names.length} accounts (${listed(names, 5)}) within 10 minutes`;
  const bounds = timeBounds([...failures, ...successes.map((e) => ({ t: Date.parse(e.time), id: e.id }))]);
  return {
    detectionId: ID,
    severity: cracked ? ("high" as const) : ("medium" as const),
    title: cracked ? "Password spray attack with a successful authentication" : TITLE,
    description: cracked ? `${text}, then ${cracked} authenticated successfully from it: a sprayed password worked.` : `${text}.`,
    primaryEntity: source.key,
    entities: [
      source.entity,
      ...distinctOf(failures, "a")
        .slice(0, 20)
        .map((a) => ({
          role: "target" as const,
          kind: "user" as const,
          id: a.slice("account:".length),
          name: failures.find((e) => e.a === a)?.n,
        })),
    ],
    evidenceEventIds: [...failures.map((e) => e.id), ...successes.map((e) => e.id)],
    ...bounds,
  };
}
