import { isDcEndpoint, isEntityExcluded } from "../engine/context.ts";
import { DAY, HOUR, defineDetection, type AlertCandidate, type AlertEntity } from "../engine/detection.ts";
import type { WindowEntry } from "../engine/state.ts";
import { accountKey, isActorExcluded, isMachineAccount, label, listed, present, sourceOf } from "./entities.ts";
import { distinctOf, timeBounds } from "./recon-helpers.ts";

/** Window in which one source's no-pre-auth tickets for distinct accounts are counted. */
export const WINDOW_MS = HOUR;
/** Distinct accounts one source got a TGT for without pre-authentication within the window. */
export const ACCOUNTS_THRESHOLD = 2;

const ID = "asrep-roasting";
const TITLE = "Suspected AS-REP roasting attack";
const WINDOW = { windowMs: WINDOW_MS, latenessMs: HOUR, maxEntries: 128 };
// An account seen authenticating with pre-authentication is remembered this long.
const PREAUTH_MEMORY_MS = 30 * DAY;
const NO_PREAUTH = 0;
const KDC_ERR_C_PRINCIPAL_UNKNOWN = 0x6;
const KDC_ERR_PREAUTH_REQUIRED = 0x19;
// RC4-HMAC, RC4-HMAC-EXP, DES.
const WEAK_ETYPES = new Set([0x17, 0x18, 0x1, 0x3]);
/** Other names probed without pre-auth (0x6 / 0x19 answers) from the source around a roastable TGT. */
export const PROBED_NAMES = 2;
const PROBE_WINDOW = { windowMs: 10 * 60_000, latenessMs: 10 * 60_000, maxEntries: 256 };

interface Roast extends WindowEntry {
  a: string;
  n: string;
}

/**
 * AS-REP roasting (MDI 2412; T1558.004). For an account with DONT_REQ_PREAUTH, the KDC answers an
 * AS-REQ with no encrypted timestamp: anyone can get an AS-REP whose encrypted part is keyed with the
 * account's password and crack it offline (Rubeus asreproast, impacket GetNPUsers). An attacker with
 * GenericWrite on an account can also set the flag, roast, and clear it ("targeted" AS-REP roasting).
 *
 * Signal: a successful `kerberos.as` (4768 Status 0, AS-REP on the wire) with pre-auth type 0.
 * - ≥ 2 distinct accounts from one source within 1 hour: a tool sweeping every roastable account
 *   (real users of such legacy accounts log on as one account each, from their own machine).
 * - one account that this detection saw authenticate WITH pre-authentication (type 2 or PKINIT) in
 *   the last 30 days, now getting a TGT without it: its flag was just turned off (targeted roasting).
 * - one no-pre-auth TGT whose AS-REQ offered only RC4/DES etypes (wire `requestedEtypes`): GetNPUsers
 *   and Rubeus ask for RC4 to get a fast-to-crack AS-REP; current Windows clients always offer AES.
 * - one no-pre-auth TGT while the same source, within 10 minutes, got 0x6 (unknown) or 0x19
 *   (pre-auth required) answers for ≥ 2 other names: a user list walked for roastable accounts
 *   (GetNPUsers -usersfile). A domain with one roastable account is still caught.
 * A single no-pre-auth logon of an account that never used pre-auth is what the legacy application
 * holding that account does every day, and is not alerted.
 *
 * Known benign causes and how they are handled:
 * - legacy applications / Unix Kerberos clients using accounts with pre-auth disabled: one account
 *   per source, never seen with pre-auth: no alert (the catalog's "esp. several").
 * - an admin deliberately disabling pre-auth for a migration: the downgrade rule fires once; exclude
 *   the account for this detection (ctx exclusions) and fix the setting.
 * - machine accounts and DC sources are skipped.
 * - a workstation whose users' first AS-REQ gets 0x19 (every Windows logon starts that way) is only
 *   counted as probing next to a no-pre-auth TGT from the same source, which normal clients never get.
 * Limit: the alert fires only once a ticket was issued; probing alone (0x6 names) is account-enumeration's.
 */
export const asrepRoasting = defineDetection({
  id: ID,
  title: TITLE,
  severity: "high",
  mitre: ["T1558.004"],
  sources: ["E", "N"],
  kinds: ["kerberos.as"],
  learningPeriodDays: 0,
  windowMs: WINDOW_MS,
  description:
    "TGTs issued without Kerberos pre-authentication for several accounts from one source, or for an account that normally pre-authenticates.",
  recommendedActions: [
    "Find the process on the source computer that requested the tickets (Rubeus asreproast, GetNPUsers).",
    "Re-enable Kerberos pre-authentication on the accounts and rotate their passwords.",
    "Review who can write userAccountControl on the accounts (targeted AS-REP roasting needs GenericWrite).",
  ],
  evaluate(event, state, ctx) {
    const account = accountKey(event.actor, "name");
    if (!account || isMachineAccount(event.actor)) return [];
    if (event.result === KDC_ERR_C_PRINCIPAL_UNKNOWN || event.result === KDC_ERR_PREAUTH_REQUIRED) {
      const source = sourceOf(event);
      // Names a source asked about without pre-authentication: the user list a roasting tool walks.
      if (source) state.pushWindow<Roast>("p:", source.key, { t: state.now, id: event.id, a: account, n: "" }, PROBE_WINDOW);
      return [];
    }
    if (event.result !== 0) return [];
    if (event.preAuthType !== NO_PREAUTH) {
      if (event.preAuthType !== undefined) state.set("pre:", account, state.now, PREAUTH_MEMORY_MS);
      return [];
    }
    const source = sourceOf(event);
    if (!source || isDcEndpoint(ctx, event.src)) return [];
    if (isEntityExcluded(ctx, ID, source.entity) || isActorExcluded(ctx, ID, event.actor)) return [];
    const entries = state.pushWindow<Roast>("s:", source.key, { t: state.now, id: event.id, a: account, n: label(event.actor) }, WINDOW);
    const names = distinctOf(entries, "n");
    if (distinctOf(entries, "a").length >= ACCOUNTS_THRESHOLD) {
      return [
        roast(
          source.key,
          source.entity,
          entries,
          `got TGTs without pre-authentication for ${names.length} accounts (${listed(names)}) within 1 hour`,
        ),
      ];
    }
    const mine = entries.filter((e) => e.id === event.id);
    const offered = event.requestedEtypes ?? [];
    if (offered.length > 0 && offered.every((e) => WEAK_ETYPES.has(e))) {
      const what = `got a TGT without pre-authentication for ${label(event.actor)} offering only RC4/DES (${offered.join(", ")}): roasting tools ask for a crackable AS-REP; Windows clients offer AES`;
      return [roast(source.key, source.entity, mine, what)];
    }
    const probed = (state.get<Roast[]>("p:", source.key) ?? []).filter(
      (e) => e.a !== account && Math.abs(e.t - state.now) <= PROBE_WINDOW.windowMs,
    );
    if (distinctOf(probed, "a").length >= PROBED_NAMES) {
      const what = `got a TGT without pre-authentication for ${label(event.actor)} while probing ${distinctOf(probed, "a").length} other names without pre-authentication: a user list being roasted`;
      return [roast(source.key, source.entity, [...probed, ...mine], what)];
    }
    if (state.get<number>("pre:", account) !== undefined) {
      return [
        roast(
          source.key,
          source.entity,
          mine,
          `got a TGT without pre-authentication for ${label(event.actor)}, which used pre-authentication before: the flag was probably just disabled to roast it`,
        ),
      ];
    }
    return [];
  },
});

function roast(key: string, source: AlertEntity, entries: Roast[], what: string): AlertCandidate {
  return {
    detectionId: ID,
    severity: "high",
    title: TITLE,
    description: `${source.id} ${what}. Each AS-REP can be cracked offline for the account's password.`,
    primaryEntity: key,
    entities: present(
      source,
      ...distinctOf(entries, "a")
        .slice(0, 20)
        .map((a) => ({
          role: "target" as const,
          kind: "user" as const,
          id: a.slice("account:".length),
          name: entries.find((e) => e.a === a)?.n,
        })),
    ),
    evidenceEventIds: entries.map((e) => e.id),
    ...timeBounds(entries),
  };
}
