import type { EventOf } from "@vigil/sensor/contract";
import { isDcEndpoint, isDcHost, isEntityExcluded, type EntityContext } from "../engine/context.ts";
import { DAY, HOUR, defineDetection, type AlertCandidate } from "../engine/detection.ts";
import { isLoopback, normHost, normIp } from "../engine/names.ts";
import type { DetectionState, WindowEntry } from "../engine/state.ts";
import { hostEntity, listed, present, sourceOf, type Source } from "./entities.ts";
import { distinctOf, timeBounds } from "./recon-helpers.ts";

const ID = "dns-zone-transfer";
const TITLE = "Network-mapping reconnaissance (DNS zone transfer)";
/** One alert per source and hour; later transfers in the hour update it. */
export const WINDOW_MS = HOUR;
const WINDOW = { windowMs: WINDOW_MS, latenessMs: 10 * 60_000, maxEntries: 256 };
/** How long a server that handed a zone to a DC (or an excluded host) is remembered as a DNS server. */
export const DNS_SERVER_MEMORY_MS = 30 * DAY;
const TRANSFERS = new Set(["AXFR", "IXFR"]);
// What secondaries and DCs hosting secondary zones ask a primary: its SOA serial, then the transfer.
const SERVER_QUERIES = new Set(["AXFR", "IXFR", "SOA"]);
// Response codes (RFC 1035 / 2136) by their names. NOERROR alone does not prove the zone was handed
// over: Samba answers a refused AXFR with NOERROR and just the SOA record.
const RCODES: Record<number, string> = { 0: "NOERROR", 1: "FORMERR", 2: "SERVFAIL", 3: "NXDOMAIN", 5: "REFUSED", 9: "NOTAUTH" };

type Dns = EventOf<"dns.query">;

interface Transfer extends WindowEntry {
  /** Zone asked for. */
  z: string;
  /** AXFR or IXFR. */
  q: string;
  /** Response code, -1 when no answer was seen. */
  r: number;
  /** The DNS server asked. */
  s: string;
}

/**
 * DNS zone transfer from a host that is not a DNS server (MDI 2007 "Network-mapping reconnaissance
 * (DNS)"; T1018, T1046, T1087). An AD-integrated zone lists every domain computer, DC, service
 * (SRV records) and often the subnets and naming of the whole network. `dig axfr`, `nslookup ls -d`,
 * dnsrecon and adidnsdump-style tools ask the DC's DNS server for the whole zone (AXFR, or IXFR with
 * an old serial, which gets the whole zone too) to map targets without touching them.
 *
 * Signal: a `dns.query` of type AXFR or IXFR (the network mapper names `dns.qry.type` 252 / 251) from
 * a source that is not a domain controller, not excluded and not a learned DNS server. No threshold:
 * clients never transfer zones, so one request is the reconnaissance; a refused transfer alerts too
 * (the attempt is the signal; Windows DNS refuses by default), and the description gives the
 * response codes the server sent. One alert per source and hour (WINDOW_MS), listing zones and servers.
 *
 * Known benign causes and how they are handled:
 * - DCs pulling secondary zones or replicating non-AD-integrated zones: a source the context knows as
 *   a DC (learned from KDC events, LDAP snapshots or an admin `dc` role tag), by IP, by name, or by
 *   the name of the DC machine account that proved itself on the IP with Kerberos, is skipped.
 * - Secondary DNS servers that are not DCs (BIND, Infoblox, a DNS appliance) transferring the zones
 *   they serve at every SOA refresh. Learned: a server that answered (rcode 0) an SOA, AXFR or IXFR
 *   query of a DC or of an excluded host is a DNS server taking part in zone replication, and its own
 *   transfers stay quiet for DNS_SERVER_MEMORY_MS (30 days since it last answered). Secondaries the
 *   sensor never sees answering are excluded by the admin: an exclusion of their IP, CIDR or name for
 *   this detection (or `*`) silences them and makes the servers they pull from learned as above.
 * - Monitoring and IPAM tools that check zone consistency by transfer: exclude their hosts in ctx.
 * - The server itself (loopback, or a query to its own address): skipped.
 */
export const dnsZoneTransfer = defineDetection({
  id: ID,
  title: TITLE,
  severity: "medium",
  mitre: ["T1018", "T1046", "T1087"],
  sources: ["N"],
  kinds: ["dns.query"],
  learningPeriodDays: 0,
  windowMs: WINDOW_MS,
  description:
    "A computer that is not a DNS server asked a DNS server for a full copy of a zone (AXFR / IXFR), which maps every host of the domain.",
  recommendedActions: [
    "Find the process on the source computer that asked for the zone (dig, nslookup ls, dnsrecon, a scanner) and who ran it.",
    "Allow zone transfers only to the listed secondary servers (Windows DNS: zone properties → Zone Transfers; Samba/BIND: allow-transfer).",
    "If the source is a legitimate secondary DNS server or IPAM tool, exclude it for this detection.",
  ],
  evaluate(event, state, ctx) {
    const qtype = event.qtype.toUpperCase();
    if (!SERVER_QUERIES.has(qtype)) return [];
    const source = sourceOf(event, ctx);
    const server = normHost(event.target?.host ?? event.dc);
    if (!source || isLocal(event, server)) return [];
    if (trusted(event, source, ctx)) {
      if (server && event.rcode === 0) state.set("ns:", server, 1, DNS_SERVER_MEMORY_MS);
      return [];
    }
    if (!TRANSFERS.has(qtype) || isLearnedServer(event, state)) return [];
    const entry: Transfer = {
      t: state.now,
      id: event.id,
      z: event.qname.replace(/\.$/, "").toLowerCase(),
      q: qtype,
      r: event.rcode ?? -1,
      s: server ?? "unknown",
    };
    const entries = state.pushWindow<Transfer>("s:", source.key, entry, WINDOW);
    return [candidate(source, entries)];
  },
});

function isLocal(event: Dns, server: string | undefined): boolean {
  const ip = normIp(event.src?.ip);
  return (ip !== undefined && (isLoopback(ip) || ip === server)) || (server !== undefined && normHost(event.src?.host) === server);
}

function trusted(event: Dns, source: Source, ctx: EntityContext): boolean {
  // The source entity is named after the computer that proved itself on the IP (host-resolution.ts).
  return isDcEndpoint(ctx, event.src) || isDcHost(ctx, source.entity.name) || isEntityExcluded(ctx, ID, source.entity);
}

function isLearnedServer(event: Dns, state: DetectionState): boolean {
  return [normIp(event.src?.ip), normHost(event.src?.host)].some((h) => h !== undefined && state.get<number>("ns:", h) !== undefined);
}

function candidate(source: Source, entries: Transfer[]): AlertCandidate {
  const zones = distinctOf(entries, "z");
  const servers = distinctOf(entries, "s");
  const answers = [...new Set(entries.map((e) => (e.r < 0 ? "no answer seen" : (RCODES[e.r] ?? `rcode ${e.r}`))))];
  const types = distinctOf(entries, "q").join("/");
  const who =
    source.entity.name && source.entity.name !== source.entity.id ? `${source.entity.id} (${source.entity.name})` : source.entity.id;
  return {
    detectionId: ID,
    severity: "medium",
    title: TITLE,
    description: `${who} asked ${listed(servers)} for ${entries.length} zone transfer(s) (${types}) of ${listed(zones)} (${answers.join(", ")}), but is not a known DNS server or domain controller: a full zone lists every host of the domain.`,
    primaryEntity: source.key,
    entities: present(source.entity, ...servers.slice(0, 5).map((s) => hostEntity("target", s === "unknown" ? undefined : s))),
    evidenceEventIds: entries.map((e) => e.id),
    ...timeBounds(entries),
  };
}
