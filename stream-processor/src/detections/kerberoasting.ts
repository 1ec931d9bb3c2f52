import type { EventOf } from "@vigil/sensor/contract";
import { isDcAccount, isDcEndpoint, isEntityExcluded } from "../engine/context.ts";
import { DAY, MINUTE, defineDetection, type AlertCandidate } from "../engine/detection.ts";
import type { WindowEntry } from "../engine/state.ts";
import { normName } from "../engine/names.ts";
import { accountEntity, isActorExcluded, isMachineAccount, label, listed, present, sourceOf, type Source } from "./entities.ts";
import { distinctOf, timeBounds } from "./recon-helpers.ts";

/** Counting window for one source's service-ticket requests. */
export const WINDOW_MS = 10 * MINUTE;
/** Distinct user-account services with an RC4/DES ticket from one source within the window. */
export const WEAK_SERVICES = 5;
/** Distinct user-account services with any ticket from one source within the window. */
export const ANY_SERVICES = 10;

const ID = "kerberoasting";
const TITLE = "Suspected Kerberos SPN exposure (Kerberoasting)";
const WINDOW = { windowMs: WINDOW_MS, latenessMs: 10 * MINUTE, maxEntries: 256 };
// RC4-HMAC, RC4-HMAC-EXP, DES-CBC-CRC, DES-CBC-MD5: tickets fast enough to crack offline.
const WEAK_ETYPES = new Set([0x17, 0x18, 0x1, 0x3]);
const AES_ETYPES = new Set([0x11, 0x12]);
// msDS-SupportedEncryptionTypes AES bits.
const AES_SUPPORTED = 0x18;
// Service classes every computer account registers (host/ covers many aliases): on the wire, where
// the SPN and not the account is known, these are computer services with random passwords.
const COMPUTER_CLASSES = /^(host|cifs|ldap|gc|dns|rpcss|wsman|termsrv|restrictedkrbhost|e3514235-4b06-11d1-ab04-00c04fc2dcd2)\//i;
const AES_MEMORY_MS = 30 * DAY;

type TgsEvent = EventOf<"kerberos.tgs">;
interface Request extends WindowEntry {
  s: string;
  w: boolean;
}

/** The service account's key when the service is a user account (crackable password), else undefined. */
function userService(e: TgsEvent): string | undefined {
  const name = e.target?.name ?? e.service;
  if (name.includes("/")) return COMPUTER_CLASSES.test(name) ? undefined : name.toLowerCase();
  const n = normName(name);
  if (!n || n.endsWith("$") || n === "krbtgt" || n.startsWith("krbtgt/")) return undefined;
  return n;
}

/**
 * Kerberoasting (MDI 2410; T1558.003). Any domain user may ask for a service ticket to any SPN; the
 * ticket is encrypted with the service account's key, so a user-account service's password can be
 * cracked offline. Rubeus / impacket GetUserSPNs request tickets for every such SPN, preferably RC4.
 *
 * Signal: successful `kerberos.tgs` (4769, wire TGS-REP) for services that are user accounts: the
 * 4769 ServiceName without `$`, not krbtgt; on the wire an SPN whose class is not one computers
 * register (host/, cifs/, ldap/…). Per requesting source in a 10-minute window:
 * - ≥ 5 distinct user-account services with RC4 or DES tickets, or ≥ 10 with any etype (AES roasting
 *   is slower but still roasting). A user's daily work touches one or two service accounts; a
 *   roasting tool requests every one within seconds (the PurpleSharp sample: 5 RC4 tickets in 1 s).
 * - one RC4/DES ticket for a service known to support AES (an AES ticket was issued for it in the last
 *   30 days, or its LDAP snapshot's msDS-SupportedEncryptionTypes has AES bits): the client offered
 *   only RC4 to get a crackable ticket (Rubeus /rc4opsec, /tgtdeleg). Single request, no threshold.
 *
 * Known benign causes and how they are handled:
 * - computer accounts and krbtgt: random 120-character passwords, not crackable; never counted.
 * - accounts without msDS-SupportedEncryptionTypes get RC4 tickets by default; that alone is not
 *   alerted, only many of them from one source or a downgrade against an AES-capable service.
 * - DCs and machine accounts requesting tickets (S4U, delegation, service health checks) are skipped.
 * - vulnerability scanners / SPN inventory tools: exclude the source or account (ctx exclusions).
 * - failed requests (result ≠ 0) give no ticket and are ignored.
 */
export const kerberoasting = defineDetection({
  id: ID,
  title: TITLE,
  severity: "high",
  mitre: ["T1558.003"],
  sources: ["E", "N"],
  kinds: ["kerberos.tgs", "entity.snapshot"],
  learningPeriodDays: 0,
  windowMs: WINDOW_MS,
  description:
    "Service tickets requested for many user-account SPNs, or an RC4 ticket for an AES-capable service account, from one source.",
  recommendedActions: [
    "Find the process on the source computer that requested the tickets (Rubeus, GetUserSPNs, PowerView).",
    "Rotate the passwords of the service accounts whose tickets were requested, to long random ones (or use gMSAs).",
    "Set msDS-SupportedEncryptionTypes to AES only on service accounts so RC4 tickets cannot be requested.",
  ],
  evaluate(event, state, ctx) {
    if (event.kind === "entity.snapshot") {
      const types = Number(event.entity.attributes["msDS-SupportedEncryptionTypes"] ?? 0);
      const sam = event.entity.attributes["sAMAccountName"];
      const account = typeof sam === "string" ? normName(sam) : undefined;
      if (account && (types & AES_SUPPORTED) !== 0) state.set("aes:", account, 1, AES_MEMORY_MS);
      return [];
    }
    if (event.result !== 0) return [];
    const service = userService(event);
    if (!service) return [];
    const etype = event.etype;
    if (etype !== undefined && AES_ETYPES.has(etype)) state.set("aes:", service, 1, AES_MEMORY_MS);
    const source = sourceOf(event);
    if (!source || isMachineAccount(event.actor) || isDcAccount(ctx, event.actor) || isDcEndpoint(ctx, event.src)) return [];
    if (isEntityExcluded(ctx, ID, source.entity) || isActorExcluded(ctx, ID, event.actor)) return [];
    const weak = etype !== undefined && WEAK_ETYPES.has(etype);
    const entries = state.pushWindow<Request>("s:", source.key, { t: state.now, id: event.id, s: service, w: weak }, WINDOW);
    const weakServices = distinctOf(
      entries.filter((e) => e.w),
      "s",
    );
    const allServices = distinctOf(entries, "s");
    if (weakServices.length >= WEAK_SERVICES || allServices.length >= ANY_SERVICES) {
      const why =
        weakServices.length >= WEAK_SERVICES
          ? `RC4/DES service tickets for ${weakServices.length}`
          : `service tickets for ${allServices.length}`;
      return [roast(event, source, entries, `requested ${why} user-account services (${listed(allServices, 5)}) within 10 minutes`)];
    }
    if (weak && state.get<number>("aes:", service) !== undefined) {
      return [
        roast(
          event,
          source,
          [entries[entries.length - 1]!],
          `requested an RC4/DES ticket for ${service}, which supports AES: an encryption downgrade to get a crackable ticket`,
        ),
      ];
    }
    return [];
  },
});

function roast(event: TgsEvent, source: Source, entries: Request[], what: string): AlertCandidate {
  const current = entries.some((e) => e.id === event.id)
    ? entries
    : [...entries, { t: Date.parse(event.time), id: event.id, s: "", w: false }];
  return {
    detectionId: ID,
    severity: "high",
    title: TITLE,
    description: `${label(event.actor)} on ${source.entity.id} ${what}.`,
    primaryEntity: source.key,
    entities: present(
      source.entity,
      accountEntity("actor", event.actor),
      ...distinctOf(entries, "s")
        .filter((s) => s !== "")
        .slice(0, 20)
        .map((s) => ({ role: "target" as const, kind: "user" as const, id: s })),
    ),
    evidenceEventIds: current.map((e) => e.id),
    ...timeBounds(current),
  };
}
