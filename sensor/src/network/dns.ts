import type { EventDraft } from "../contract/index.ts";
import { all, first, toNum, type Packet } from "./fields.ts";
import type { WireContext } from "./map.ts";

/** Query types by number, as analysts and detections name them. */
const QTYPES: Record<number, string> = {
  1: "A",
  2: "NS",
  5: "CNAME",
  6: "SOA",
  12: "PTR",
  15: "MX",
  16: "TXT",
  28: "AAAA",
  33: "SRV",
  251: "IXFR",
  252: "AXFR",
  255: "ANY",
};

interface Query {
  at: number;
  packet: Packet;
  qname: string;
  qtype: string;
  onTimeout: () => EventDraft | undefined;
}

/**
 * DNS (to the DC's DNS server): one `dns.query` per query, with the response code once the answer
 * comes (zone transfers, AXFR / IXFR over TCP, included). Answers also name hosts for the rest of the
 * capture: A records and PTR answers bind an IP to a name (weakest evidence: whoever controls DNS
 * says it).
 */
export function mapDns(p: Packet, ctx: WireContext): void {
  const id = first(p, "dns.id");
  const qname = first(p, "dns.qry.name");
  const type = toNum(first(p, "dns.qry.type"));
  if (!id || !qname || type === undefined) return;
  const queue = ctx.pending<Query>("dns");
  const response = /^(1|true)$/i.test(first(p, "dns.flags.response") ?? "");
  if (!response) {
    const query: Query = {
      at: p.timeMs,
      packet: p,
      qname,
      qtype: QTYPES[type] ?? String(type),
      onTimeout: () => draft(query, undefined, ctx),
    };
    queue.put(`${p.src}:${p.srcPort}#${id}`, query);
    return;
  }
  learnNames(p, ctx);
  const query = queue.take(`${p.dst}:${p.dstPort}#${id}`);
  if (query) ctx.emit(draft(query, toNum(first(p, "dns.flags.rcode")) ?? 0, ctx));
}

function learnNames(p: Packet, ctx: WireContext): void {
  const addresses = all(p, "dns.a");
  const owners = all(p, "dns.resp.name");
  // A-record answers: owner names and addresses line up only when every answer is an A record.
  if (addresses.length && addresses.length === owners.length) {
    addresses.forEach((ip, i) => ctx.state.noteClientName(ip, owners[i]!.split(".")[0], "dns", p.timeMs));
  }
  const ptr = first(p, "dns.ptr.domain_name");
  const reversed = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\.in-addr\.arpa$/i.exec(first(p, "dns.qry.name") ?? "");
  if (ptr && reversed)
    ctx.state.noteClientName(`${reversed[4]}.${reversed[3]}.${reversed[2]}.${reversed[1]}`, ptr.split(".")[0], "dns", p.timeMs);
}

function draft(query: Query, rcode: number | undefined, ctx: WireContext): EventDraft {
  const q = query.packet;
  return {
    ...ctx.base(q, q.src, q.dst),
    kind: "dns.query",
    src: ctx.source(q.src, q.srcPort, q.timeMs),
    qname: query.qname,
    qtype: query.qtype,
    ...(rcode !== undefined ? { rcode } : {}),
  };
}
