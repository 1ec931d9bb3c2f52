import type { EventDraft, EventKind, EventOf, Principal } from "../contract/index.ts";
import type { FieldName, Packet } from "./fields.ts";
import { mapKerberos } from "./kerberos.ts";
import { mapLdap } from "./ldap.ts";
import { mapDns } from "./dns.ts";
import { mapRpc } from "./rpc.ts";
import { mapNtlm } from "./ntlm.ts";
import { mapSmb } from "./smb.ts";
import { Pending, WireState } from "./state.ts";

/** Identity of the capture the drafts come from. */
export interface NetworkMapOptions {
  tenantId: string;
  sensorId: string;
  /**
   * Names the capture in the event ids (`origin.channel`): frame numbers restart in every file and
   * every live capture, so the file name or `interface@start` keeps their ids apart.
   */
  capture: string;
  /** The capturing host (`origin.computer`), when known. */
  computer?: string;
  /** Requests unanswered this long (capture time) become events without a result (default 10 s). */
  responseTimeoutMs?: number;
  stats?: NetworkStats;
}

/** Counters of one network read: packets, drafts per kind, requests never answered, problems. */
export interface NetworkStats {
  packets: number;
  drafts: number;
  draftsByKind: Record<string, number>;
  /** Requests whose response never came (emitted without result, or dropped when a result is required). */
  unanswered: number;
  /** Lines tshark printed that were not packets, and tshark's own warnings. */
  problems: number;
  /** Packets tshark marked malformed (dissected as far as possible, still mapped). */
  malformed: number;
  /** Frames of the captures read through the prefilter (capture-stream.ts), and how many it dropped. */
  frames: number;
  dropped: number;
}

export function createNetworkStats(): NetworkStats {
  return { packets: 0, drafts: 0, draftsByKind: {}, unanswered: 0, problems: 0, malformed: 0, frames: 0, dropped: 0 };
}

/** A draft of one kind, as the protocol mappers build it. */
export type Draft<K extends EventKind> = Omit<EventOf<K>, "id" | "v">;

/** What a protocol mapper needs: memory, pending requests, and the helpers to build drafts. */
export interface WireContext {
  state: WireState;
  pending: <V extends { at: number }>(name: string) => Pending<V>;
  /** Fields every draft shares, for a packet; `client` is the requesting side's IP. */
  base(p: Packet, client: string | undefined, server: string | undefined, seq?: number): BaseFields;
  /** The wire's best name for a client IP, as `src`. */
  source(ip: string | undefined, port: number | undefined, at: number, claimed?: string): EventDraft["src"];
  emit(draft: EventDraft): void;
}

export type BaseFields = Pick<EventDraft, "tenantId" | "sensorId" | "time" | "origin"> & { dc?: string; target?: { host?: string } };

/** Turns `DOMAIN\user`, `user@realm` or a bare name into a principal; undefined for empty or anonymous. */
export function principalOf(name: string | undefined, domain?: string): Principal | undefined {
  let n = name?.trim();
  let d = domain?.trim();
  if (!n || n === "NULL") return undefined;
  if (n.includes("\\")) [d, n] = [n.split("\\")[0], n.split("\\").slice(1).join("\\")];
  else if (n.includes("@") && !/^(cn|ou|dc)=/i.test(n)) [n, d] = [n.split("@")[0], n.split("@").slice(1).join("@")];
  if (!n) return undefined;
  return /^(cn|ou|dc|o)=/i.test(n) ? { dn: n, name: /^cn=([^,]+)/i.exec(n)?.[1] ?? n } : { name: n, ...(d ? { domain: d } : {}) };
}

/**
 * Maps dissected packets to event drafts. Request/response pairs (Kerberos AS/TGS, NTLM
 * AUTHENTICATE and the session-setup status, LDAP bind and search with their results, Netlogon calls)
 * become one event when the response arrives; `flush()` emits what never got one.
 */
export class NetworkMapper {
  readonly state = new WireState();
  private readonly queues = new Map<string, Pending<{ at: number }>>();
  private out: EventDraft[] = [];
  private readonly stats: NetworkStats | undefined;
  private readonly ctx: WireContext;
  private lastExpiry = 0;

  constructor(private readonly options: NetworkMapOptions) {
    this.stats = options.stats;
    const timeout = options.responseTimeoutMs ?? 10_000;
    const o = options;
    const state = this.state;
    this.ctx = {
      state,
      pending: <V extends { at: number }>(name: string) => {
        let q = this.queues.get(name);
        if (!q) this.queues.set(name, (q = new Pending<{ at: number }>(timeout)));
        return q as unknown as Pending<V>;
      },
      base(p, client, server, seq) {
        const dcName = server && state.isDc(server) ? state.dcLabel(server) : undefined;
        const serverName = server ? (state.serverNames.get(server) ?? dcName ?? server) : undefined;
        void client;
        return {
          tenantId: o.tenantId,
          sensorId: o.sensorId,
          time: p.time,
          ...(dcName ? { dc: dcName } : {}),
          ...(serverName ? { target: { host: serverName } } : {}),
          origin: {
            format: "pcap",
            recordId: seq ? `${p.frame}.${seq}` : String(p.frame),
            channel: o.capture,
            ...(o.computer ? { computer: o.computer } : {}),
          },
        };
      },
      source(ip, port, at, claimed) {
        if (!ip) return undefined;
        const host = claimed?.trim().replace(/\$$/, "").toLowerCase() || state.clientName(ip, at)?.name;
        return { ip, ...(port !== undefined ? { port } : {}), ...(host ? { host } : {}) };
      },
      emit: (draft) => {
        this.out.push(draft);
        if (this.stats) {
          this.stats.drafts++;
          this.stats.draftsByKind[draft.kind] = (this.stats.draftsByKind[draft.kind] ?? 0) + 1;
        }
      },
    };
  }

  /** Maps one packet; returns the drafts it completed (possibly for earlier requests). Never throws. */
  map(p: Packet): EventDraft[] {
    if (this.stats) {
      this.stats.packets++;
      if (p.values.has("_ws.malformed")) this.stats.malformed++;
    }
    if (p.timeMs - this.lastExpiry > 1000) {
      this.lastExpiry = p.timeMs;
      this.expire(p.timeMs);
    }
    for (const [fields, mapper] of MAPPERS) {
      if (fields.some((f) => p.values.has(f))) mapper(p, this.ctx);
    }
    return this.take();
  }

  /** Emits every request still waiting (end of capture): those that need no result become events. */
  flush(): EventDraft[] {
    this.expire(undefined);
    return this.take();
  }

  private expire(now: number | undefined): void {
    for (const [name, queue] of this.queues) {
      for (const entry of queue.expire(now)) {
        const late = (entry as { onTimeout?: () => EventDraft | undefined }).onTimeout?.();
        if (this.stats) this.stats.unanswered++;
        if (late) this.ctx.emit(late);
        void name;
      }
    }
  }

  private take(): EventDraft[] {
    const out = this.out;
    this.out = [];
    return out;
  }

  /** Options it was built with (the capture name is part of every event id). */
  get capture(): string {
    return this.options.capture;
  }
}

/**
 * Which mapper looks at a packet, by fields only its protocol has. Order matters within a packet:
 * Kerberos and NTLM first, so the identity they establish on a connection names the LDAP / RPC / SMB
 * request carried in the same packet.
 */
const MAPPERS: [FieldName[], (p: Packet, ctx: WireContext) => void][] = [
  [["kerberos.msg_type"], mapKerberos],
  [["ntlmssp.messagetype", "smb2.cmd", "smb.cmd", "ldap.resultCode"], mapNtlm],
  [["smb2.cmd", "smb.cmd"], mapSmb],
  [["ldap.protocolOp"], mapLdap],
  [["dcerpc.pkt_type"], mapRpc],
  [["dns.id"], mapDns],
];
