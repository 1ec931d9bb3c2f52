import type { EventOf } from "@vigil/sensor/contract";
import { isDcAccount, isDcEndpoint, isEntityExcluded } from "../engine/context.ts";
import { DAY, HOUR, defineDetection } from "../engine/detection.ts";
import { normName } from "../engine/names.ts";
import { accountEntity, hostEntity, isMachineAccount, label, present, remoteAddress } from "./entities.ts";

const ID = "ntlm-relay";
const TITLE = "Suspected NTLM relay attack (machine account)";
/** How long a machine's Kerberos address is trusted (DHCP leases are usually a day or a week). */
export const ADDRESS_MEMORY_MS = 7 * DAY;
/** Addresses kept per machine (multi-homed servers, a lease change). */
const MAX_ADDRESSES = 4;

type Auth = EventOf<"kerberos.as" | "logon" | "ntlm">;

/** True for an authentication that proves where a machine is: its own Kerberos TGT or Kerberos logon. */
function kerberosProof(e: Auth): boolean {
  if (e.kind === "kerberos.as") return e.result === 0;
  return e.kind === "logon" && e.success && e.package?.toLowerCase() === "kerberos";
}

/** True for a successful NTLM authentication that names its client address. */
function ntlmUse(e: Auth): boolean {
  if (e.kind === "ntlm") return e.result === 0 || e.result === undefined;
  return e.kind === "logon" && e.success && e.logonType === 3 && /ntlm/i.test(e.package ?? "");
}

/**
 * NTLM relay of a machine account (MDI 2037, and the relay half of 2039; T1557.001). An attacker
 * makes a server authenticate to them (PrivExchange's push subscription, PetitPotam, PrinterBug) and
 * forwards that NTLM exchange to a DC's LDAP or to AD CS, acting as the machine: Exchange's machine
 * account could grant DCSync rights, a DC's could enrol a DC certificate. The relayed logon arrives
 * from the attacker's address, not the machine's.
 *
 * Signal: a successful NTLM authentication (`logon` 4624 type 3 with an NTLM package, or an `ntlm`
 * event with a client IP from the wire) by a machine account `NAME$` from an IP that is not NAME's.
 * NAME's addresses are learned from its own successful Kerberos TGTs (4768) and Kerberos logons:
 * Windows machines use Kerberos in a domain, so those show where the machine really is. It fires when
 * (a) NAME has learned addresses and this is not one of them, or (b) the IP is learned as another
 * machine's, or (c) NAME is a DC and the IP is not a known DC. With nothing learned about NAME or the
 * IP, it stays quiet (the PrivExchange sample has no Kerberos from EXCHANGE: not provable from it).
 * No count threshold: one relayed logon is the attack.
 *
 * Known benign causes and how they are handled:
 * - DHCP lease changes: addresses expire after 7 days and each new Kerberos TGT re-learns; a machine
 *   normally gets a TGT at boot / every 10 h, before it uses NTLM from a new address.
 * - Multi-homed servers and clusters (a cluster name object used from each node): up to 4 addresses
 *   per machine are kept; clusters beyond that are excluded by account in ctx.
 * - NAT / proxies that hide many machines behind one address: exclude the address (or CIDR) in ctx.
 * - Loopback (a machine authenticating to itself): never a relay, skipped.
 */
export const ntlmRelay = defineDetection({
  id: ID,
  title: TITLE,
  severity: "medium",
  mitre: ["T1557.001", "T1187"],
  sources: ["E", "N"],
  kinds: ["kerberos.as", "logon", "ntlm"],
  learningPeriodDays: 0,
  windowMs: HOUR,
  description:
    "A computer account authenticated over NTLM from an address that belongs to another machine: its authentication was coerced and relayed.",
  recommendedActions: [
    "Isolate the relaying address; check what the relayed session did right after (5136 ACL or RBCD changes, certificate requests, DCSync).",
    "Revert changes made by the machine account and reset its password.",
    "Require LDAP signing and channel binding, SMB signing, and EPA on AD CS web enrolment; disable the coercion vectors.",
  ],
  evaluate(event, state, ctx) {
    if (!isMachineAccount(event.actor)) return [];
    const name = normName(event.actor?.name);
    const ip = remoteAddress(event);
    if (!name || !ip) return [];
    if (kerberosProof(event)) {
      const known = (state.get<string[]>("ips:", name) ?? []).filter((a) => a !== ip);
      state.set("ips:", name, [...known, ip].slice(-MAX_ADDRESSES), ADDRESS_MEMORY_MS);
      state.set("owner:", ip, name, ADDRESS_MEMORY_MS);
      return [];
    }
    if (!ntlmUse(event)) return [];
    const known = state.get<string[]>("ips:", name) ?? [];
    const owner = state.get<string>("owner:", ip);
    const isDc = isDcAccount(ctx, event.actor);
    let why: string | undefined;
    if (known.length > 0 && !known.includes(ip)) why = `its own Kerberos traffic comes from ${known.join(", ")}`;
    else if (owner && owner !== name) why = `that address belongs to ${owner.toUpperCase()} (its Kerberos traffic)`;
    else if (isDc && ctx.dcIps.length > 0 && !isDcEndpoint(ctx, { ip })) why = "it is a domain controller and the address is not a DC's";
    if (!why) return [];
    const actor = accountEntity("actor", event.actor);
    const source = { role: "source" as const, kind: "ip" as const, id: ip };
    if (isEntityExcluded(ctx, ID, actor) || isEntityExcluded(ctx, ID, source)) return [];
    const server = event.target?.host ?? event.dc;
    return [
      {
        detectionId: ID,
        severity: isDc ? "high" : "medium",
        title: TITLE,
        description: `${label(event.actor)} authenticated over NTLM to ${server ?? "a server"} from ${ip}, but ${why}: the machine's authentication was most likely coerced and relayed from ${ip}.`,
        primaryEntity: `host:${ip}`,
        entities: present(actor, source, hostEntity("target", server)),
        evidenceEventIds: [event.id],
        time: event.time,
      },
    ];
  },
});
