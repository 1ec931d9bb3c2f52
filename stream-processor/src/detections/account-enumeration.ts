import type { EventOf } from "@vigil/sensor/contract";
import { isDcEndpoint, isEntityExcluded } from "../engine/context.ts";
import { MINUTE, defineDetection, type AlertCandidate } from "../engine/detection.ts";
import type { WindowEntry } from "../engine/state.ts";
import { accountEntity, accountKey, isMachineAccount, label, listed, present, sourceOf, type Source } from "./entities.ts";
import { distinctOf, timeBounds } from "./recon-helpers.ts";

/** Counting window per source. */
export const WINDOW_MS = 10 * MINUTE;
/** Distinct unknown account names tried from one source within the window. */
export const UNKNOWN_NAMES = 10;

const ID = "account-enumeration";
const TITLE = "Account enumeration reconnaissance";
const WINDOW = { windowMs: WINDOW_MS, latenessMs: 10 * MINUTE, maxEntries: 512 };
const KDC_ERR_C_PRINCIPAL_UNKNOWN = 0x6;
const NO_SUCH_USER = 0xc0000064;
// Answers that prove the name exists: Kerberos issued / pre-auth required / bad password / revoked;
// NTLM success, bad password, restrictions, expired, disabled, locked out.
const KERBEROS_EXISTS = new Set([0x0, 0x12, 0x17, 0x18, 0x19]);
const NTLM_EXISTS = new Set([
  0x0, 0xc000006a, 0xc000006e, 0xc000006f, 0xc0000070, 0xc0000071, 0xc0000072, 0xc0000193, 0xc0000224, 0xc0000234,
]);

type AuthEvent = EventOf<"logon" | "kerberos.as" | "kerberos.preauth-failure" | "ntlm">;
interface Guess extends WindowEntry {
  a: string;
  n: string;
  /** 1 when the answer showed the name exists, 0 when it was unknown. */
  v: number;
}

/** Whether the answer revealed the name as unknown, existing, or neither. */
function answer(e: AuthEvent): "unknown" | "exists" | undefined {
  switch (e.kind) {
    case "kerberos.as":
    case "kerberos.preauth-failure":
      return e.result === KDC_ERR_C_PRINCIPAL_UNKNOWN ? "unknown" : KERBEROS_EXISTS.has(e.result) ? "exists" : undefined;
    case "ntlm":
      if (e.result === undefined) return undefined;
      return e.result === NO_SUCH_USER ? "unknown" : NTLM_EXISTS.has(e.result) ? "exists" : undefined;
    case "logon": {
      if (e.success) return "exists";
      const code = e.subStatus ?? e.status;
      return code === NO_SUCH_USER ? "unknown" : code !== undefined && NTLM_EXISTS.has(code) ? "exists" : undefined;
    }
  }
}

/**
 * Account enumeration (MDI 2003; T1087.002). Tools such as kerbrute `userenum` or a NTLM user-probe
 * try a dictionary of user names against a DC; the error tells which exist (Kerberos
 * KDC_ERR_C_PRINCIPAL_UNKNOWN vs PREAUTH_REQUIRED; NTLM 0xC0000064 vs 0xC000006A), giving the
 * attacker a list of valid accounts to spray.
 *
 * Signal: per source, in a 10-minute window, authentication answers that reveal whether a name exists:
 * unknown = 4768 / AS-REP 0x6, 4776 or 4625 0xC0000064; exists = tickets issued, 0x18/0x19/0x12,
 * NTLM success, bad password, disabled, expired, locked out. Threshold: ≥ 10 distinct UNKNOWN names
 * from the source. The alert reports how many names were tried and how many turned out valid (MDI
 * records the same); valid hits are not required, since a DC logs no event for the PREAUTH_REQUIRED
 * answer kerbrute uses, so from Windows events the valid half is often invisible. A person mistyping
 * their own name produces one or two unknown names, never ten different ones.
 * Repeated failures on ONE unknown name are brute-force's (it counts 0xC0000064 per account); here
 * only distinct names count, and password-spray counts only existing accounts' wrong passwords.
 *
 * Known benign causes and how they are handled:
 * - Exchange, HR or provisioning systems checking whether accounts exist, and misconfigured
 *   Exchange / Skype / AD FS forwarding users of other domains (MDI's B-TPs): exclude the source for
 *   this detection (ctx exclusions); excluded activity is not counted.
 * - machine-account names (`NAME$`) are skipped: stale computer objects, not user probes; DC sources too.
 * Limit: 4776 names the source by workstation only, which the client chooses (MDI's caveat).
 */
export const accountEnumeration = defineDetection({
  id: ID,
  title: TITLE,
  severity: "medium",
  mitre: ["T1087.002"],
  sources: ["E", "N"],
  kinds: ["kerberos.as", "kerberos.preauth-failure", "ntlm", "logon"],
  learningPeriodDays: 0,
  windowMs: WINDOW_MS,
  description: "One source tried many account names that do not exist (Kerberos principal unknown, NTLM no such user) within 10 minutes.",
  recommendedActions: [
    "Find the process on the source computer that sent the authentications (kerbrute, a user-enumeration script).",
    "Treat the valid names found as targeted: watch them for password spraying and enforce strong passwords and MFA.",
  ],
  evaluate(event, state, ctx) {
    const result = answer(event);
    // An existing name counts only for a source already probing unknown ones: while no source is, the
    // many ordinary logons are done here.
    if (result === "exists" && !state.holds("s:")) return [];
    const account = accountKey(event.actor, "name");
    const source = sourceOf(event);
    if (!result || !account || !source || isMachineAccount(event.actor) || isDcEndpoint(ctx, event.src)) return [];
    if (isEntityExcluded(ctx, ID, source.entity)) return [];
    if (result === "exists") {
      // Only remembered once the source probes unknown names; every source's normal logons are not kept.
      if (state.get<Guess[]>("s:", source.key) === undefined) return [];
    }
    const v = result === "exists" ? 1 : 0;
    const entries = state.pushWindow<Guess>("s:", source.key, { t: state.now, id: event.id, a: account, n: label(event.actor), v }, WINDOW);
    // A valid name found after the alert updates it, so the alert tells which names the attacker now knows.
    if (
      distinctOf(
        entries.filter((e) => e.v === 0),
        "a",
      ).length < UNKNOWN_NAMES
    )
      return [];
    return [enumeration(source, entries)];
  },
});

function enumeration(source: Source, entries: Guess[]): AlertCandidate {
  const unknown = distinctOf(
    entries.filter((e) => e.v === 0),
    "a",
  );
  const valid = entries.filter((e) => e.v === 1 && !unknown.includes(e.a));
  const validNames = distinctOf(valid, "n");
  const found = validNames.length > 0 ? `; ${validNames.length} name(s) exist (${listed(validNames)})` : "";
  return {
    detectionId: ID,
    severity: "medium",
    title: TITLE,
    description: `${source.entity.id} tried ${unknown.length + validNames.length} account names within 10 minutes: ${unknown.length} do not exist${found}.`,
    primaryEntity: source.key,
    entities: present(source.entity, ...validNames.slice(0, 20).map((n) => accountEntity("target", { name: n }))),
    evidenceEventIds: entries.map((e) => e.id),
    ...timeBounds(entries),
  };
}
