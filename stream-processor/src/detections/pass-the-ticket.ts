import { isEntityExcluded } from "../engine/context.ts";
import { DAY, HOUR, defineDetection } from "../engine/detection.ts";
import { normHost } from "../engine/names.ts";
import type { WindowEntry } from "../engine/state.ts";
import { accountEntity, accountKey, isMachineAccount, label, present, remoteAddress } from "./entities.ts";

const ID = "pass-the-ticket";
const TITLE = "Suspected identity theft (pass-the-ticket)";
/** Default maximum TGT lifetime (domain Kerberos policy): a TGT is usable this long after it was issued. */
export const TGT_LIFETIME_MS = 10 * HOUR;
/** How long a machine's Kerberos address is trusted to be that machine's. */
const ADDRESS_MEMORY_MS = 7 * DAY;
const WINDOW = { windowMs: TGT_LIFETIME_MS, latenessMs: 10 * 60_000, maxEntries: 16 };
// KDC option bits (RFC 4120, MSB first): forwarded = bit 2, cname-in-addl-tkt (S4U2Proxy) = bit 14.
const FORWARDED = 0x20000000;
const CNAME_IN_ADDL_TKT = 0x00020000;

interface Issued extends WindowEntry {
  ip: string;
}

// Nearly always the TGT was issued to this very address and is live: the stored window itself is
// handed back then, with no new list (the caller only checks it).
function liveIssues(stored: Issued[], now: number): Issued[] {
  let allLive = true;
  for (const e of stored) if (e.t > now || e.t < now - TGT_LIFETIME_MS) allLive = false;
  return allLive ? stored : stored.filter((e) => e.t <= now && e.t >= now - TGT_LIFETIME_MS);
}

/**
 * Pass-the-ticket (MDI 2018; T1550.003). A TGT stolen from one computer's memory (mimikatz
 * `sekurlsa::tickets /export`, Rubeus `dump`) is injected on the attacker's computer (`kerberos::ptt`,
 * Rubeus `ptt`) and used there to ask for service tickets: the KDC sees TGS requests for the account
 * from a computer that never obtained a TGT for it.
 *
 * Signal: a successful `kerberos.tgs` (4769) for user account U from address X, while the TGTs issued
 * to U (`kerberos.as` 4768) in the last 10 hours (TGT_LIFETIME_MS) all went to other addresses, and X
 * and the TGT's address are known to be two different computers: each address is resolved to a
 * computer by that computer's own machine-account TGT (the role MDI's network name resolution plays).
 * No count threshold: one reuse is the attack. It needs 10 hours of observation before it judges
 * (a TGT issued before the sensor started is not in the state).
 *
 * Known benign causes and how they are handled:
 * - A laptop that changes address (Wi-Fi / wired / VPN) keeps its TGT: both addresses resolve to the
 *   same computer, or one does not resolve at all → quiet (MDI's false positive is exactly a bad
 *   resolution; we prefer silence over guessing).
 * - Unconstrained delegation: the client forwards its TGT to a server, which then asks tickets for the
 *   user from its own address. The forwarding shows as a TGS for `krbtgt` with the forwarded option:
 *   the account is then exempt for the TGT lifetime.
 * - Constrained delegation (S4U2Proxy, cname-in-addl-tkt option): the service asks in the user's
 *   name; skipped.
 * - NAT / shared addresses: exclude the address or CIDR in ctx.
 * Machine accounts are not judged (their tickets are used by services on the same machine; stolen
 * machine TGTs are left to `ntlm-relay` / `golden-ticket`).
 */
export const passTheTicket = defineDetection({
  id: ID,
  title: TITLE,
  severity: "high",
  mitre: ["T1550.003"],
  sources: ["E", "N"],
  kinds: ["kerberos.as", "kerberos.tgs"],
  learningPeriodDays: 0,
  windowMs: HOUR,
  description: "A Kerberos ticket issued to one computer was used from another computer to request service tickets.",
  recommendedActions: [
    "Isolate both computers: the one the ticket was stolen from and the one using it.",
    "Reset the account's password (twice for privileged accounts) and purge its tickets (klist purge) on the original computer.",
    "Review the services the account accessed from the second computer.",
  ],
  evaluate(event, state, ctx) {
    const ip = remoteAddress(event);
    const key = accountKey(event.actor, "name");
    if (!ip || !key || event.result !== 0) return [];
    if (isMachineAccount(event.actor)) {
      if (event.kind === "kerberos.as") state.set("owner:", ip, normHost(event.actor?.name)!, ADDRESS_MEMORY_MS);
      return [];
    }
    if (event.kind === "kerberos.as") {
      state.appendWindow<Issued>("tgt:", key, { t: state.now, id: event.id, ip }, WINDOW);
      return [];
    }
    const options = event.ticketOptions ? Number.parseInt(event.ticketOptions, 16) : 0;
    if (/^krbtgt/i.test(event.service) && (options & FORWARDED) !== 0) {
      state.set("delegated:", key, 1, TGT_LIFETIME_MS);
      return [];
    }
    if ((options & CNAME_IN_ADDL_TKT) !== 0 || (state.holds("delegated:") && state.get<number>("delegated:", key) !== undefined)) return [];
    if (state.since === undefined || state.now - state.since < TGT_LIFETIME_MS) return [];
    const stored = state.get<Issued[]>("tgt:", key);
    if (!stored) return [];
    const issued = liveIssues(stored, state.now);
    if (issued.length === 0 || issued.some((e) => e.ip === ip)) return [];
    const user = state.get<string>("owner:", ip);
    const origin = issued[issued.length - 1]!;
    const owner = state.get<string>("owner:", origin.ip);
    if (!user || !owner || user === owner) return [];
    const actor = accountEntity("actor", event.actor);
    const source = { role: "source" as const, kind: "ip" as const, id: ip, name: user.toUpperCase() };
    if (isEntityExcluded(ctx, ID, actor) || isEntityExcluded(ctx, ID, source)) return [];
    return [
      {
        detectionId: ID,
        severity: "high",
        title: TITLE,
        description: `${label(event.actor)} requested a service ticket for ${event.service} from ${user.toUpperCase()} (${ip}), but its TGT was issued to ${owner.toUpperCase()} (${origin.ip}) and ${user.toUpperCase()} never obtained one: the ticket was most likely stolen from ${owner.toUpperCase()} and passed.`,
        primaryEntity: key,
        entities: present(actor, source, { role: "target", kind: "computer", id: owner, name: owner.toUpperCase() }),
        evidenceEventIds: [origin.id, event.id],
        time: event.time,
        firstTime: new Date(origin.t).toISOString(),
      },
    ];
  },
});
