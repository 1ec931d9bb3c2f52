/**
 * The tshark fields the network source asks for, and the parser of one `-T fields` output line.
 *
 * tshark prints one line per packet, fields separated by TAB; a field that occurs several times in a
 * packet (Kerberos name components, etype lists, several LDAP messages in one segment) is joined with
 * AGGREGATOR. A record à la "field name → values" keeps every occurrence in wire order; mappers pick
 * the occurrence they need (see kerberos.ts for why the first or the last).
 */

/** Joins a field's occurrences within one packet; a control character no dissected string carries. */
export const AGGREGATOR = "\u001e";

/** Every field requested, in output column order. Adding one here is all a mapper needs. */
export const FIELDS = [
  "frame.number",
  "frame.time_epoch",
  "ip.src",
  "ip.dst",
  "ipv6.src",
  "ipv6.dst",
  "tcp.srcport",
  "tcp.dstport",
  "udp.srcport",
  "udp.dstport",
  "tcp.stream",
  "_ws.malformed",
  // Kerberos
  "kerberos.msg_type",
  "kerberos.CNameString",
  "kerberos.cname_string",
  "kerberos.SNameString",
  "kerberos.sname_string",
  "kerberos.crealm",
  "kerberos.realm",
  "kerberos.ENCTYPE",
  "kerberos.kdc-req-body.etype",
  "kerberos.etype",
  "kerberos.padata_type",
  "kerberos.error_code",
  "kerberos.addr_nb",
  "kerberos.till",
  "kerberos.endtime",
  "kerberos.pac.type",
  // NTLMSSP and SMB
  "ntlmssp.messagetype",
  "ntlmssp.auth.username",
  "ntlmssp.auth.domain",
  "ntlmssp.auth.hostname",
  "ntlmssp.ntlmv2_response.ntproofstr",
  "smb2.cmd",
  "smb2.flags.response",
  "smb2.nt_status",
  "smb2.sesid",
  "smb2.tree",
  "smb2.filename",
  "smb2.acct",
  "smb2.domain",
  "smb2.host",
  "smb.cmd",
  "smb.nt_status",
  "smb.path",
  "smb.file",
  // LDAP
  "ldap.protocolOp",
  "ldap.messageID",
  "ldap.name",
  "ldap.simple",
  "ldap.mechanism",
  "ldap.resultCode",
  "ldap.baseObject",
  "ldap.scope",
  "ldap.attributeDesc",
  "ldap.present",
  "ldap.assertionValue",
  // DCE/RPC
  "dcerpc.pkt_type",
  "dcerpc.cn_call_id",
  "dcerpc.opnum",
  "dcerpc.cn_bind_to_uuid",
  "drsuapi.opnum",
  "samr.opnum",
  "samr.rid",
  "samr.samr_LookupDomain.domain_name",
  "dcerpc.nt.domain_sid",
  "dcerpc.cn_ctx_id",
  "smb2.fid",
  // Raw stubs of interfaces tshark is told not to dissect (LSARPC, see tshark.ts): the secret names are in here.
  "dcerpc.stub_data",
  "srvsvc.opnum",
  "svcctl.opnum",
  "svcctl.servicename",
  "svcctl.binarypathname",
  "svcctl.service_type",
  "svcctl.service_start_type",
  "svcctl.service_start_name",
  "netlogon.opnum",
  "netlogon.rc",
  "netlogon.acct_name",
  "netlogon.computer_name",
  "spoolss.opnum",
  "atsvc.opnum",
  // DNS
  "dns.flags.response",
  "dns.id",
  "dns.qry.name",
  "dns.qry.type",
  "dns.flags.rcode",
  "dns.a",
  "dns.resp.name",
  "dns.ptr.domain_name",
] as const;

export type FieldName = (typeof FIELDS)[number];

/** One dissected packet: every requested field that occurred, with all its occurrences in wire order. */
export interface Packet {
  frame: number;
  /** Capture time, ms since the epoch (sub-millisecond digits kept as a fraction). */
  timeMs: number;
  /** Capture time as ISO 8601 UTC with microseconds, for the event. */
  time: string;
  src?: string;
  dst?: string;
  srcPort?: number;
  dstPort?: number;
  /** tshark's TCP conversation index; UDP packets have none. */
  stream?: number;
  values: Map<FieldName, string[]>;
}

/** Why a line is not a packet; the caller reports it with the line number and carries on. */
export type LineResult = Packet | string;

/**
 * Parses one output line. A line with the wrong number of columns, no frame number or no usable
 * time is rejected with a reason (a cut line at the end of a killed tshark, or a value that carried
 * a TAB); nothing else about the packet is judged here.
 */
export function parseLine(line: string): LineResult {
  // One pass over the TABs: most of the ~100 columns are empty, and only the filled ones cost anything.
  const values = new Map<FieldName, string[]>();
  const t0 = line.indexOf("\t");
  const t1 = t0 < 0 ? -1 : line.indexOf("\t", t0 + 1);
  if (t1 < 0) return `expected ${FIELDS.length} tab-separated fields, got ${line.split("\t").length}`;
  let start = t1 + 1;
  let col = 2;
  for (;;) {
    const tab = line.indexOf("\t", start);
    const end = tab < 0 ? line.length : tab;
    if (col >= FIELDS.length) return `expected ${FIELDS.length} tab-separated fields, got ${line.split("\t").length}`;
    if (end > start) {
      const cell = line.slice(start, end);
      values.set(FIELDS[col]!, cell.includes(AGGREGATOR) ? cell.split(AGGREGATOR) : [cell]);
    }
    col++;
    if (tab < 0) break;
    start = tab + 1;
  }
  if (col !== FIELDS.length) return `expected ${FIELDS.length} tab-separated fields, got ${col}`;
  const frameText = line.slice(0, t0);
  const frame = Number(frameText);
  if (!Number.isInteger(frame) || frame <= 0) return `bad frame number ${JSON.stringify(frameText.slice(0, 20))}`;
  const epoch = line.slice(t0 + 1, t1);
  const m = /^(\d{1,12})(?:\.(\d{1,9}))?$/.exec(epoch);
  if (!m) return `frame ${frame}: bad capture time ${JSON.stringify(epoch.slice(0, 30))}`;
  const seconds = Number(m[1]);
  const micros = (m[2] ?? "").padEnd(6, "0").slice(0, 6);
  const prefix = secondPrefix(seconds);
  if (prefix === undefined) return `frame ${frame}: capture time out of range`;
  const time = `${prefix}.${micros}Z`;
  const first = (f: FieldName) => values.get(f)?.[0];
  const port = (v: string | undefined) => (v !== undefined && /^\d{1,5}$/.test(v) ? Number(v) : undefined);
  const stream = first("tcp.stream");
  const packet: Packet = { frame, timeMs: seconds * 1000 + Number(`0.${micros}`) * 1000, time, values };
  const src = first("ip.src") ?? first("ipv6.src");
  const dst = first("ip.dst") ?? first("ipv6.dst");
  if (src) packet.src = src;
  if (dst) packet.dst = dst;
  const sp = port(first("tcp.srcport") ?? first("udp.srcport"));
  const dp = port(first("tcp.dstport") ?? first("udp.dstport"));
  if (sp !== undefined) packet.srcPort = sp;
  if (dp !== undefined) packet.dstPort = dp;
  if (stream !== undefined && /^\d+$/.test(stream)) packet.stream = Number(stream);
  return packet;
}

// Packets come many per second: the ISO text of the last second is reused.
let cachedSecond = NaN;
let cachedPrefix = "";
function secondPrefix(seconds: number): string | undefined {
  if (seconds !== cachedSecond) {
    const date = new Date(seconds * 1000);
    if (Number.isNaN(date.getTime())) return undefined;
    cachedSecond = seconds;
    cachedPrefix = date.toISOString().slice(0, 19);
  }
  return cachedPrefix;
}

/** All occurrences of a field (empty when absent). */
export function all(p: Packet, field: FieldName): string[] {
  return p.values.get(field) ?? [];
}

/** The first occurrence of a field, trimmed; undefined when absent or empty. */
export function first(p: Packet, field: FieldName): string | undefined {
  const v = p.values.get(field)?.[0]?.trim();
  return v ? v : undefined;
}

/** The last occurrence of a field. */
export function last(p: Packet, field: FieldName): string | undefined {
  const list = p.values.get(field);
  const v = list?.[list.length - 1]?.trim();
  return v ? v : undefined;
}

/** Parses a decimal or 0x-hex number; undefined when it is neither. */
export function toNum(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  const n = /^0x[0-9a-f]+$/i.test(v) ? Number.parseInt(v.slice(2), 16) : /^-?\d+$/.test(v) ? Number(v) : NaN;
  return Number.isSafeInteger(n) ? n : undefined;
}

/** All occurrences as numbers, skipping any that are not. */
export function nums(p: Packet, field: FieldName): number[] {
  return all(p, field)
    .map(toNum)
    .filter((n): n is number => n !== undefined);
}

/**
 * Rebuilds Kerberos principal names from their components: tshark lists every `*NameString`
 * component flat and, separately, how many components each name has (`*name_string`).
 */
export function principalNames(components: string[], counts: number[]): string[] {
  if (counts.length === 0) return components.length ? [components.join("/")] : [];
  const names: string[] = [];
  let at = 0;
  for (const n of counts) {
    if (n <= 0 || at + n > components.length) break;
    names.push(components.slice(at, at + n).join("/"));
    at += n;
  }
  return names;
}
