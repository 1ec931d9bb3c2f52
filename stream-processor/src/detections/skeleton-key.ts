import type { EventOf } from "@vigil/sensor/contract";
import { isEntityExcluded } from "../engine/context.ts";
import { DAY, HOUR, defineDetection, type AlertCandidate } from "../engine/detection.ts";
import { normHost } from "../engine/names.ts";
import type { DetectionState, WindowEntry } from "../engine/state.ts";
import { accountEntity, accountKey, hostEntity, isActorExcluded, label, listed, present } from "./entities.ts";
import { distinctOf, timeBounds } from "./recon-helpers.ts";

const ID = "skeleton-key";
const TITLE = "Suspected skeleton key attack (encryption downgrade)";
/** Distinct AES-capable accounts downgraded on one DC, with no AES reply from it meanwhile, that make an alert. */
export const MIN_ACCOUNTS = 5;
/** Window the downgraded accounts must fall in. */
export const WINDOW_MS = HOUR;
/** How long an account that received an AES reply is remembered as AES-capable. */
export const AES_MEMORY_MS = 30 * DAY;
const WINDOW = { windowMs: WINDOW_MS, latenessMs: 10 * 60_000, maxEntries: 512 };
const AES = new Set([0x11, 0x12]);
// RC4-HMAC (and its export variant) and single DES: what a patched KDC falls back to.
const WEAK = new Set([0x17, 0x18, 0x1, 0x3]);
// DCs listed as having answered with AES; more DCs than this is not a real forest.
const MAX_DCS = 200;

type As = EventOf<"kerberos.as">;

interface Downgrade extends WindowEntry {
  /** Account key. */
  a: string;
  /** Account label, for the description. */
  n: string;
  /** Etype the DC answered with. */
  e: number;
}

/**
 * Skeleton Key (MDI 2010 "Suspected skeleton key attack (encryption downgrade)"; T1556.001). With
 * domain admin rights, mimikatz `misc::skeleton` (or the original malware) patches LSASS on a DC so
 * that a master password opens every account, while the real passwords keep working. The patch hooks
 * the RC4-HMAC path of the KDC and drops AES from what it supports, so from then on that DC answers
 * every account's logon with RC4, including accounts and clients that used AES until then. Other DCs
 * are untouched and keep answering with AES; a reboot of the DC removes the patch.
 *
 * Signal (network: Kerberos AS exchanges answered by the DC): an AS-REP whose reply etype (`etype`,
 * the key the client's password derives, i.e. what the KDC chose) is RC4 or DES although the client
 * offered AES (`requestedEtypes`), for an account that received an AES reply from a DC before (within
 * AES_MEMORY_MS). It fires when MIN_ACCOUNTS (5) distinct such accounts are downgraded by one DC
 * within WINDOW_MS (1 h) and that DC gave no AES reply to any client since the first of them: the
 * downgrade is for every account, not a few. The description says which other DCs kept answering
 * with AES meanwhile (the comparison MDI makes; a single-DC domain has none to compare with). One
 * alert per DC and hour. MDI reads the ETYPE-INFO2 of the pre-authentication-required error; Vigil's
 * wire mapper drops that first-round error, and the reply that follows shows the same choice.
 * TGS exchanges are not counted: a service ticket's etype follows the service account's keys
 * (Kerberoasting asks for RC4 ones), not the KDC's own support.
 *
 * Known benign causes and how they are handled:
 * - Accounts without AES keys (password unchanged since the domain reached 2008 functional level,
 *   keys set through SAM-R with an NT hash only): they never received an AES reply, so they are not
 *   downgrades.
 * - Legacy clients and tools that offer only RC4 (old Samba/Java/MIT configurations, Rubeus /rc4,
 *   which is overpass-the-hash's business): the client did not offer AES, not counted.
 * - A DC deliberately restricted to RC4 ("Network security: Configure encryption types allowed for
 *   Kerberos" without AES, applied to one DC by mistake) looks exactly like this and deserves the same
 *   look; once accepted, exclude the DC for this detection in ctx.
 * - Single accounts whose AES keys were just lost (a password set with an NT hash): below MIN_ACCOUNTS,
 *   and the DC keeps answering others with AES, which resets the count.
 * - Excluded accounts are not counted.
 */
export const skeletonKey = defineDetection({
  id: ID,
  title: TITLE,
  severity: "high",
  mitre: ["T1556.001"],
  sources: ["N"],
  kinds: ["kerberos.as"],
  learningPeriodDays: 0,
  windowMs: WINDOW_MS,
  description:
    "A domain controller started answering Kerberos logons of many accounts that use AES with RC4 only, the footprint of a Skeleton Key patch in its LSASS.",
  recommendedActions: [
    "Check the DC for a patched LSASS (mimikatz misc::skeleton, loaded drivers such as mimidrv, LSASS protection disabled) and isolate it.",
    "Reboot the DC (the patch lives in memory only), then find how domain admin rights were obtained and reset the accounts involved.",
    "Enable LSA protection (RunAsPPL) on DCs so LSASS cannot be patched.",
  ],
  evaluate(event, state, ctx) {
    const dc = normHost(event.dc);
    const account = accountKey(event.actor, "name");
    if (event.result !== 0 || event.etype === undefined || !dc || !account) return [];
    const offered = event.requestedEtypes ?? [];
    if (AES.has(event.etype)) {
      // Refreshed once a day: every AS exchange of the tenant passes here.
      const known = state.get<number>("aes:", account);
      if (known === undefined || state.now - known > DAY) state.set("aes:", account, state.now, AES_MEMORY_MS);
      if (offered.some((e) => AES.has(e))) noteAesReply(state, dc);
      return [];
    }
    if (!WEAK.has(event.etype) || !offered.some((e) => AES.has(e))) return [];
    if (state.get<number>("aes:", account) === undefined) return [];
    const dcEntity = hostEntity("dc", event.dc);
    if (isActorExcluded(ctx, ID, event.actor) || isEntityExcluded(ctx, ID, dcEntity)) return [];
    const entry: Downgrade = { t: state.now, id: event.id, a: account, n: label(event.actor), e: event.etype };
    const lastAes = state.get<number>("aesdc:", dc);
    // An AES reply by this DC after a downgrade means it still supports AES: only later downgrades count.
    const entries = state.pushWindow<Downgrade>("dg:", dc, entry, WINDOW).filter((e) => lastAes === undefined || e.t > lastAes);
    if (distinctOf(entries, "a").length < MIN_ACCOUNTS) return [];
    return [candidate(event, dc, entries, state)];
  },
});

// The time of each DC's last AES reply has its own key (one write per AES reply); the list of DCs that
// ever answered with AES changes only when a new DC appears.
function noteAesReply(state: DetectionState, dc: string): void {
  state.set("aesdc:", dc, state.now, AES_MEMORY_MS);
  const dcs = state.get<string[]>("dcs", "") ?? [];
  if (!dcs.includes(dc)) state.set("dcs", "", [...dcs, dc].slice(-MAX_DCS), AES_MEMORY_MS);
}

function candidate(event: As, dc: string, entries: Downgrade[], state: DetectionState): AlertCandidate {
  const names = distinctOf(entries, "n");
  const first = Math.min(...entries.map((e) => e.t));
  const others = (state.get<string[]>("dcs", "") ?? [])
    .filter((other) => other !== dc && (state.get<number>("aesdc:", other) ?? -Infinity) >= first - WINDOW_MS)
    .sort();
  const etypes = [...new Set(entries.map((e) => (e.e === 0x17 || e.e === 0x18 ? "RC4" : "DES")))].join("/");
  const comparison = others.length
    ? `, while ${listed(others)} kept answering with AES`
    : "; no other DC answered with AES meanwhile to compare with";
  return {
    detectionId: ID,
    severity: "high",
    title: TITLE,
    description: `Domain controller ${event.dc ?? dc} answered the Kerberos logons of ${names.length} accounts that offered AES and used AES before with ${etypes} only (${listed(names)}), and answered nobody with AES${comparison}: its LSASS may be patched with a Skeleton Key.`,
    primaryEntity: `host:${dc}`,
    entities: present(hostEntity("dc", event.dc), ...names.slice(0, 20).map((n) => accountEntity("target", { name: n }))),
    evidenceEventIds: entries.map((e) => e.id),
    ...timeBounds(entries),
  };
}
