import type { Principal } from "../contract/index.ts";

/**
 * What the network mapper remembers between packets: which IPs are domain controllers, the names
 * the wire gives for IPs, who holds which Kerberos ticket, who authenticated each TCP connection,
 * and requests waiting for their response. Everything is bounded (oldest entries go first) and
 * expires on capture time, so a long live capture does not grow memory.
 */

/** How an IP's name was learned, strongest first; the event carries the strongest seen. */
export type NameEvidence = "kerberos-machine" | "kerberos-address" | "ntlm-workstation" | "dns";
const STRENGTH: Record<NameEvidence, number> = { "kerberos-machine": 4, "kerberos-address": 3, "ntlm-workstation": 2, dns: 1 };

interface Named {
  name: string;
  how: NameEvidence;
  at: number;
}

/** A Map that forgets its oldest insertion beyond `max` entries. */
export class BoundedMap<K, V> extends Map<K, V> {
  constructor(private readonly max: number) {
    super();
  }
  override set(key: K, value: V): this {
    if (this.has(key)) this.delete(key);
    super.set(key, value);
    if (this.size > this.max) {
      const oldest = this.keys().next();
      if (!oldest.done) this.delete(oldest.value);
    }
    return this;
  }
}

const NAME_TTL_MS = 24 * 3600_000;
const TICKET_TTL_MS = 10 * 3600_000;

/** Per-capture memory of the network mapper. */
export class WireState {
  /** IPs seen answering Kerberos (a KDC is a DC), with the DC's name when known. */
  readonly dcs = new BoundedMap<string, string | undefined>(1024);
  /** Names of servers, from the host part of the service tickets clients present to them. */
  readonly serverNames = new BoundedMap<string, string>(65536);
  private readonly clientNames = new BoundedMap<string, Named>(65536);
  /** `clientIp|service` → the client the KDC issued that ticket to (TGS-REP / AS-REP cname). */
  private readonly tickets = new BoundedMap<string, { who: Principal; at: number }>(65536);
  /** TCP connection → who authenticated on it (NTLMSSP AUTHENTICATE, or a Kerberos AP-REQ's ticket). */
  readonly connections = new BoundedMap<number, Principal>(65536);
  /** `stream|fid|context id` → interface UUID bound on it (for interfaces tshark does not dissect). */
  readonly rpcBinds = new BoundedMap<string, string>(65536);
  /** TCP connection → domain SID the SAMR client opened last (to name the RIDs it opens next). */
  readonly samrDomains = new BoundedMap<number, string>(4096);

  noteDc(ip: string | undefined, name?: string): void {
    if (!ip) return;
    const known = this.dcs.get(ip);
    this.dcs.set(ip, name ?? known);
  }

  isDc(ip: string | undefined): boolean {
    return !!ip && this.dcs.has(ip);
  }

  /** The DC's name when known, else its IP (the `dc` of events it answered). */
  dcLabel(ip: string): string {
    return this.dcs.get(ip) ?? this.serverNames.get(ip) ?? ip;
  }

  noteServerName(ip: string | undefined, service: string | undefined): void {
    const host = service?.split("/")[1]?.split(":")[0];
    if (!ip || !host || /^krbtgt$/i.test(service?.split("/")[0] ?? "") || !/[a-z]/i.test(host)) return;
    this.serverNames.set(ip, host.toLowerCase());
    if (this.dcs.has(ip) && !this.dcs.get(ip)) this.dcs.set(ip, host.toLowerCase());
  }

  noteClientName(ip: string | undefined, name: string | undefined, how: NameEvidence, at: number): void {
    const n = name?.trim().replace(/\$$/, "").toLowerCase();
    if (!ip || !n) return;
    const known = this.clientNames.get(ip);
    if (known && at - known.at < NAME_TTL_MS && STRENGTH[known.how] > STRENGTH[how]) return;
    this.clientNames.set(ip, { name: n, how, at });
  }

  /** The computer name the wire gave for an IP (strongest evidence, not older than a day). */
  clientName(ip: string | undefined, at: number): Named | undefined {
    const known = ip ? this.clientNames.get(ip) : undefined;
    return known && at - known.at < NAME_TTL_MS ? known : undefined;
  }

  noteTicket(clientIp: string | undefined, service: string | undefined, who: Principal, at: number): void {
    if (!clientIp || !service || !who.name) return;
    this.tickets.set(`${clientIp}|${service.toLowerCase()}`, { who, at });
  }

  /** Who the KDC issued a ticket for `service` to, at this client IP (within a ticket's lifetime). */
  ticketHolder(clientIp: string | undefined, service: string | undefined, at: number): Principal | undefined {
    if (!clientIp || !service) return undefined;
    const hit = this.tickets.get(`${clientIp}|${service.toLowerCase()}`);
    return hit && at - hit.at < TICKET_TTL_MS ? hit.who : undefined;
  }
}

/** A request waiting for its response, keyed by connection (and message id); expires on capture time. */
export class Pending<V extends { at: number }> {
  private readonly map = new BoundedMap<string, V>(65536);
  constructor(readonly ttlMs: number) {}
  put(key: string, value: V): V | undefined {
    const before = this.map.get(key);
    this.map.set(key, value);
    return before;
  }
  take(key: string): V | undefined {
    const v = this.map.get(key);
    if (v !== undefined) this.map.delete(key);
    return v;
  }
  peek(key: string): V | undefined {
    return this.map.get(key);
  }
  /** Removes and returns entries older than the TTL at `now` (all of them when `now` is undefined). */
  expire(now: number | undefined): V[] {
    const out: V[] = [];
    for (const [k, v] of this.map) {
      if (now !== undefined && now - v.at < this.ttlMs) break;
      out.push(v);
      this.map.delete(k);
    }
    return out;
  }
}
