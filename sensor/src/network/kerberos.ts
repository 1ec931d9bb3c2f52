import type { EventDraft, Principal } from "../contract/index.ts";
import { all, first, nums, principalNames, toNum, type Packet } from "./fields.ts";
import { principalOf, type WireContext } from "./map.ts";

const AS_REQ = 10;
const AS_REP = 11;
const TGS_REQ = 12;
const TGS_REP = 13;
const AP_REQ = 14;
const KRB_ERROR = 30;
const PA_ENC_TIMESTAMP = 2;
const PA_PK_AS_REQ = new Set([14, 15, 16, 17]);
const PA_FX_FAST = 136;
const KDC_ERR_PREAUTH_FAILED = 24;
const KDC_ERR_PREAUTH_REQUIRED = 25;

/** A KDC request waiting for its reply, keyed by the client's address and port. */
interface KdcRequest {
  at: number;
  packet: Packet;
  type: number;
  client?: Principal;
  service?: string;
  requestedEtypes: number[];
  padata: number[];
  till?: string;
  tgtEtype?: number;
  tgtEndTime?: string;
  tgtPacTypes?: number[];
  tgtRealm?: string;
  workstation?: string;
}

const MONTHS: Record<string, string> = {
  Jan: "01",
  Feb: "02",
  Mar: "03",
  Apr: "04",
  May: "05",
  Jun: "06",
  Jul: "07",
  Aug: "08",
  Sep: "09",
  Oct: "10",
  Nov: "11",
  Dec: "12",
};

/** tshark's absolute time (`Sep 12, 2037 22:48:05.000000000 UTC`) as ISO UTC; undefined for the 1970 placeholder. */
export function kerberosTime(value: string | undefined): string | undefined {
  const m = /^([A-Z][a-z]{2})\s+(\d{1,2}), (\d{4}) (\d{2}):(\d{2}):(\d{2})(?:\.\d+)? UTC$/.exec(value?.trim() ?? "");
  if (!m || !MONTHS[m[1]!] || m[3] === "1970") return undefined;
  return `${m[3]}-${MONTHS[m[1]!]}-${m[2]!.padStart(2, "0")}T${m[4]}:${m[5]}:${m[6]}Z`;
}

const names = (p: Packet, kind: "c" | "s") =>
  kind === "c"
    ? principalNames(all(p, "kerberos.CNameString"), nums(p, "kerberos.cname_string"))
    : principalNames(all(p, "kerberos.SNameString"), nums(p, "kerberos.sname_string"));

/** The etypes of the KDC-REQ-BODY: the last `count` ENCTYPE values (padata tickets come before it). */
function requestedEtypes(p: Packet): number[] {
  const list = nums(p, "kerberos.ENCTYPE");
  const count = toNum(first(p, "kerberos.kdc-req-body.etype"));
  return count && count <= list.length ? list.slice(list.length - count) : list;
}

/**
 * Kerberos on port 88: AS and TGS exchanges become `kerberos.as` / `kerberos.tgs` (or
 * `kerberos.preauth-failure` for KDC_ERR_PREAUTH_FAILED, as 4771) when the reply or error arrives.
 * Elsewhere (SMB, LDAP, DCE/RPC) an AP-REQ names the connection's user from the ticket the KDC
 * issued to that client for that service, and the server's name from the ticket's service.
 *
 * Which occurrence is which: tshark lists fields in wire order, so in an AS-REP the ticket's etype is
 * the second-to-last `kerberos.etype` and the reply's enc-part the last (PA-ETYPE-INFO2 may come
 * first); in a TGS-REP the ticket's is the first. With a keytab, decrypted parts add occurrences
 * after the ones used here.
 */
export function mapKerberos(p: Packet, ctx: WireContext): void {
  const type = toNum(first(p, "kerberos.msg_type"));
  if (type === undefined) return;
  const queue = ctx.pending<KdcRequest>("kdc");
  if (type === AS_REQ || type === TGS_REQ) {
    const key = `${p.src}:${p.srcPort}`;
    const client = names(p, "c")[0];
    const realm = first(p, "kerberos.realm");
    const snames = names(p, "s");
    const etypes = nums(p, "kerberos.etype");
    const request: KdcRequest = {
      at: p.timeMs,
      packet: p,
      type,
      requestedEtypes: requestedEtypes(p),
      padata: nums(p, "kerberos.padata_type"),
      ...(type === AS_REQ && client ? { client: principalOf(client, realm) } : {}),
      ...(type === TGS_REQ && client ? { client: principalOf(client, first(p, "kerberos.crealm") ?? realm) } : {}),
      // The request body's sname is the last name (a TGS-REQ's TGT names krbtgt before it).
      ...(snames.length ? { service: snames[snames.length - 1] } : {}),
    };
    const till = kerberosTime(first(p, "kerberos.till"));
    if (till) request.till = till;
    const workstation = first(p, "kerberos.addr_nb");
    if (workstation) request.workstation = workstation.trim();
    if (type === TGS_REQ) {
      if (etypes[0] !== undefined) request.tgtEtype = etypes[0];
      // The presented ticket's realm comes first (req-body's realm after it): the realm that issued it.
      if (realm) request.tgtRealm = realm;
      const end = kerberosTime(first(p, "kerberos.endtime"));
      if (end) request.tgtEndTime = end;
      const pac = nums(p, "kerberos.pac.type");
      if (pac.length) request.tgtPacTypes = pac;
    }
    if (workstation) ctx.state.noteClientName(p.src, workstation, "kerberos-address", p.timeMs);
    queue.put(key, request);
    return;
  }
  if (type === AP_REQ) {
    // Outside the KDC: a service ticket presented on an SMB / LDAP / RPC connection.
    const service = names(p, "s")[0];
    ctx.state.noteServerName(p.dst, service);
    const who = ctx.state.ticketHolder(p.src, service, p.timeMs);
    if (who && p.stream !== undefined) ctx.state.connections.set(p.stream, who);
    return;
  }
  if (type !== AS_REP && type !== TGS_REP && type !== KRB_ERROR) return;
  ctx.state.noteDc(p.src);
  const request = queue.take(`${p.dst}:${p.dstPort}`);
  if (!request) return;
  const draft = type === KRB_ERROR ? fromError(p, request, ctx) : fromReply(p, request, ctx, type);
  if (draft) ctx.emit(draft);
}

function common(p: Packet, request: KdcRequest, ctx: WireContext, actor: Principal | undefined) {
  const req = request.packet;
  // The KDC is the `dc`; a Kerberos event's target is the service, not the KDC host.
  const { target: _kdc, ...base } = ctx.base(req, req.src, req.dst);
  void _kdc;
  return {
    ...base,
    ...(actor ? { actor } : {}),
    src: ctx.source(req.src, req.srcPort, req.timeMs, request.workstation),
    dc: ctx.state.dcLabel(p.src!),
  };
}

function fromReply(p: Packet, request: KdcRequest, ctx: WireContext, type: number): EventDraft | undefined {
  const cname = names(p, "c")[0];
  const actor = (cname ? principalOf(cname, first(p, "kerberos.crealm")) : undefined) ?? request.client;
  const etypes = nums(p, "kerberos.etype");
  if (type === AS_REP && request.type === AS_REQ) {
    const service = names(p, "s")[0] ?? request.service;
    const preAuthType = request.padata.includes(PA_ENC_TIMESTAMP) ? PA_ENC_TIMESTAMP : request.padata.find((t) => PA_PK_AS_REQ.has(t));
    // FAST (RFC 6113) hides the pre-authentication inside the armor: present, but of unknown type.
    const fast = request.padata.includes(PA_FX_FAST);
    if (actor?.name?.endsWith("$")) ctx.state.noteClientName(request.packet.src, actor.name, "kerberos-machine", p.timeMs);
    if (actor) ctx.state.noteTicket(request.packet.src, service, actor, p.timeMs);
    const end = kerberosTime(first(p, "kerberos.endtime"));
    return {
      ...common(p, request, ctx, actor),
      kind: "kerberos.as",
      result: 0,
      ...(etypes.length ? { etype: etypes[etypes.length - 1]! } : {}),
      ...(etypes.length >= 2 ? { ticketEtype: etypes[etypes.length - 2]! } : {}),
      ...(request.requestedEtypes.length ? { requestedEtypes: request.requestedEtypes } : {}),
      ...(preAuthType !== undefined ? { preAuthType } : fast ? {} : { preAuthType: 0 }),
      ...(service ? { service } : {}),
      ...(request.till ? { requestedEndTime: request.till } : {}),
      ...(end ? { ticketEndTime: end } : {}),
    };
  }
  if (type === TGS_REP && request.type === TGS_REQ) {
    const service = names(p, "s")[0] ?? request.service;
    if (!service) return undefined;
    if (actor) ctx.state.noteTicket(request.packet.src, service, actor, p.timeMs);
    if (actor?.name?.endsWith("$")) ctx.state.noteClientName(request.packet.src, actor.name, "kerberos-machine", p.timeMs);
    return {
      ...common(p, request, ctx, actor),
      kind: "kerberos.tgs",
      result: 0,
      ...(etypes.length ? { etype: etypes[0]! } : {}),
      ...(request.requestedEtypes.length ? { requestedEtypes: request.requestedEtypes } : {}),
      service,
      ...(request.tgtEtype !== undefined ? { tgtEtype: request.tgtEtype } : {}),
      ...(request.tgtEndTime ? { tgtEndTime: request.tgtEndTime } : {}),
      ...(request.tgtPacTypes ? { tgtPacTypes: request.tgtPacTypes } : {}),
      ...(request.tgtRealm ? { tgtRealm: request.tgtRealm } : {}),
    };
  }
  return undefined;
}

function fromError(p: Packet, request: KdcRequest, ctx: WireContext): EventDraft | undefined {
  const code = toNum(first(p, "kerberos.error_code"));
  if (code === undefined) return undefined;
  const cname = names(p, "c")[0];
  const actor = request.client ?? (cname ? principalOf(cname, first(p, "kerberos.crealm") ?? first(p, "kerberos.realm")) : undefined);
  if (request.type === AS_REQ) {
    // The first round of every pre-authenticated logon: the KDC asks for pre-authentication.
    if (code === KDC_ERR_PREAUTH_REQUIRED) return undefined;
    if (code === KDC_ERR_PREAUTH_FAILED) {
      return {
        ...common(p, request, ctx, actor),
        kind: "kerberos.preauth-failure",
        result: code,
        ...(request.padata.includes(PA_ENC_TIMESTAMP) ? { preAuthType: PA_ENC_TIMESTAMP } : {}),
      };
    }
    return {
      ...common(p, request, ctx, actor),
      kind: "kerberos.as",
      result: code,
      ...(request.requestedEtypes.length ? { requestedEtypes: request.requestedEtypes } : {}),
      ...(request.service ? { service: request.service } : {}),
    };
  }
  const service = request.service ?? names(p, "s")[0];
  if (!service) return undefined;
  return {
    ...common(p, request, ctx, actor),
    kind: "kerberos.tgs",
    result: code,
    ...(request.requestedEtypes.length ? { requestedEtypes: request.requestedEtypes } : {}),
    service,
    ...(request.tgtEtype !== undefined ? { tgtEtype: request.tgtEtype } : {}),
    ...(request.tgtEndTime ? { tgtEndTime: request.tgtEndTime } : {}),
    ...(request.tgtPacTypes ? { tgtPacTypes: request.tgtPacTypes } : {}),
    ...(request.tgtRealm ? { tgtRealm: request.tgtRealm } : {}),
  };
}
