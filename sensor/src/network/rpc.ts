import type { EventDraft, Principal } from "../contract/index.ts";
import { all, first, toNum, type Packet } from "./fields.ts";
import { principalOf, type WireContext } from "./map.ts";
import { CREATE_SERVICE_A, CREATE_SERVICE_W, serviceRequest } from "./svcctl.ts";

const REQUEST = 0;
const RESPONSE = 2;
const BIND = 11;
const ALTER_CONTEXT = 14;
const NETR_SESSION_ENUM = 12;
const LSA_UUID = "12345778-1234-abcd-ef00-0123456789ab";
// MS-EFSR: the interface as bound on \pipe\lsarpc, \pipe\samr, \pipe\netlogon, \pipe\lsass (PetitPotam's
// default) and the one bound on \pipe\efsrpc.
const EFSRPC_UUIDS = new Set(["c681d488-d850-11d0-8c52-00c04fd90f7e", "df1941c5-fe89-4e79-bf10-463657acf44d"]);
const BUILTIN_DOMAIN = "S-1-5-32";

// MS-SAMR calls worth an event, by opnum, with the specification's names (not tshark's).
const SAMR_ENUMERATIONS: Record<number, string> = {
  11: "SamrEnumerateGroupsInDomain",
  13: "SamrEnumerateUsersInDomain",
  15: "SamrEnumerateAliasesInDomain",
  40: "SamrQueryDisplayInformation",
  48: "SamrQueryDisplayInformation2",
  51: "SamrQueryDisplayInformation3",
};
const SAMR_OPENS: Record<number, [string, string]> = {
  19: ["SamrOpenGroup", "SAM_GROUP"],
  27: ["SamrOpenAlias", "SAM_ALIAS"],
  34: ["SamrOpenUser", "SAM_USER"],
};
const SAMR_MEMBERS: Record<number, [string, string]> = {
  25: ["SamrGetMembersInGroup", "SAM_GROUP"],
  33: ["SamrGetMembersInAlias", "SAM_ALIAS"],
};
const NETLOGON: Record<number, string> = {
  4: "NetrServerReqChallenge",
  15: "NetrServerAuthenticate2",
  26: "NetrServerAuthenticate3",
  30: "NetrServerPasswordSet2",
};
const LSA_SECRET_CALLS: Record<number, string> = { 28: "LsarOpenSecret", 30: "LsarQuerySecret", 43: "LsarRetrievePrivateData" };

interface NetlogonCall {
  at: number;
  packet: Packet;
  operation: string;
  machineAccount?: string;
  onTimeout: () => EventDraft | undefined;
}

/**
 * DCE/RPC requests (over SMB pipes or TCP; the interface is the one tshark resolved from the bind):
 * DRSUAPI DsGetNCChanges → `replication`; SAM-R enumerations, domain / group / user opens →
 * `samr.query` (RIDs named with the domain SID the client opened); LSA secret calls → `directory.access`
 * on `Policy\Secrets\NAME`; Netlogon secure-channel setup → `netlogon` with the response's status.
 * SVCCTL RCreateServiceW / RCreateServiceA → `service.install` with the requested name, image path,
 * types and account (the request: creating the service is the attempt, whatever the SCM answers); a
 * sealed CreateService names nothing and gives no event. Any call on the EFSRPC interface over SMB,
 * whichever pipe it was bound on (PetitPotam binds it on `lsarpc`, which every client opens for
 * LSA), → `share.access` of `IPC$` `efsrpc`: the interface named as the pipe a 5145 would name,
 * as for NetrSessionEnum on srvsvc. EFSRPC over TCP is not mapped (no share to name).
 * Sealed stubs still show interface and opnum; SMB3-encrypted sessions show nothing.
 */
export function mapRpc(p: Packet, ctx: WireContext): void {
  const type = toNum(first(p, "dcerpc.pkt_type"));
  const calls = ctx.pending<NetlogonCall>("netlogon");
  const callKey = (q: Packet) => `${q.stream ?? `${q.src}-${q.dst}`}#${first(q, "dcerpc.cn_call_id") ?? ""}`;
  if (type === RESPONSE) {
    if (!p.values.has("netlogon.opnum")) return;
    const call = calls.take(callKey(p));
    if (call) ctx.emit(netlogon(call, toNum(first(p, "netlogon.rc")) ?? 0, ctx));
    return;
  }
  const bindKey = (ctxId: string | undefined) => `${p.stream ?? `${p.src}-${p.dst}`}|${first(p, "smb2.fid") ?? ""}|${ctxId ?? ""}`;
  if (type === BIND || type === ALTER_CONTEXT) {
    const ids = all(p, "dcerpc.cn_ctx_id");
    all(p, "dcerpc.cn_bind_to_uuid").forEach((uuid, i) => ctx.state.rpcBinds.set(bindKey(ids[i]), uuid.toLowerCase()));
    return;
  }
  if (type !== REQUEST) return;
  const actor = p.stream !== undefined ? ctx.state.connections.get(p.stream) : undefined;
  const common = () => ({ ...ctx.base(p, p.src, p.dst), ...(actor ? { actor } : {}), src: ctx.source(p.src, p.srcPort, p.timeMs) });
  const drs = toNum(first(p, "drsuapi.opnum"));
  if (drs === 3) {
    ctx.emit({ ...common(), kind: "replication", operation: "DsGetNCChanges", rights: [] });
    return;
  }
  if (toNum(first(p, "srvsvc.opnum")) === NETR_SESSION_ENUM && (p.dstPort === 445 || p.dstPort === 139)) {
    ctx.emit({ ...common(), kind: "share.access", share: "IPC$", relativeTarget: "srvsvc" });
    return;
  }
  const svc = toNum(first(p, "svcctl.opnum"));
  if (svc === CREATE_SERVICE_W || svc === CREATE_SERVICE_A) {
    const request = serviceRequest(p, svc);
    if (request) ctx.emit({ ...common(), kind: "service.install", ...request });
    return;
  }
  const samr = toNum(first(p, "samr.opnum"));
  if (samr !== undefined) return mapSamr(p, samr, ctx, common, actor);
  const bound = ctx.state.rpcBinds.get(bindKey(first(p, "dcerpc.cn_ctx_id")));
  if (bound !== undefined && EFSRPC_UUIDS.has(bound) && (p.dstPort === 445 || p.dstPort === 139)) {
    ctx.emit({ ...common(), kind: "share.access", share: "IPC$", relativeTarget: "efsrpc" });
    return;
  }
  const lsa = bound === LSA_UUID ? toNum(first(p, "dcerpc.opnum")) : undefined;
  if (lsa !== undefined && LSA_SECRET_CALLS[lsa]) {
    const name = secretNameIn(first(p, "dcerpc.stub_data"));
    if (!name) return;
    ctx.emit({
      ...common(),
      kind: "directory.access",
      objectDn: `Policy\\Secrets\\${name}`,
      objectClass: "SecretObject",
      properties: [LSA_SECRET_CALLS[lsa]],
    });
    return;
  }
  const nl = toNum(first(p, "netlogon.opnum"));
  if (nl !== undefined && NETLOGON[nl]) {
    const account =
      first(p, "netlogon.acct_name") ?? (first(p, "netlogon.computer_name") ? `${first(p, "netlogon.computer_name")}$` : undefined);
    const call: NetlogonCall = {
      at: p.timeMs,
      packet: p,
      operation: NETLOGON[nl],
      ...(account ? { machineAccount: account } : {}),
      onTimeout: () => undefined,
    };
    calls.put(callKey(p), call);
  }
}

function mapSamr(p: Packet, opnum: number, ctx: WireContext, common: () => object, actor: Principal | undefined): void {
  const stream = p.stream ?? -1;
  const emit = (fields: { operation: string; objectType: string; objectName?: string; target?: Principal }) => {
    const base = common() as ReturnType<WireContext["base"]>;
    const { target, ...rest } = fields;
    ctx.emit({
      ...base,
      kind: "samr.query",
      ...rest,
      ...(target ? { target: { ...target, ...(base.target?.host ? { host: base.target.host } : {}) } } : {}),
    } as EventDraft);
    void actor;
  };
  if (opnum === 5) {
    // A SAM server holds its own computer's domain and Builtin; one that answers for another domain
    // holds that domain's accounts: it is a domain controller (as the Windows mapper reasons for 47xx).
    const domain = first(p, "samr.samr_LookupDomain.domain_name")?.toLowerCase();
    const server = ctx.state.serverNames.get(p.dst ?? "")?.split(".")[0];
    if (domain && server && domain !== "builtin" && domain !== server) ctx.state.noteDc(p.dst);
    return;
  }
  if (opnum === 7) {
    const sid = first(p, "dcerpc.nt.domain_sid");
    if (sid) ctx.state.samrDomains.set(stream, sid);
    // Every logon on a DC opens the Builtin domain; only the account domain is about its users.
    if (sid === BUILTIN_DOMAIN) return;
    emit({ operation: "SamrOpenDomain", objectType: "SAM_DOMAIN", ...(sid ? { objectName: sid } : {}) });
    return;
  }
  const enumeration = SAMR_ENUMERATIONS[opnum];
  if (enumeration) return emit({ operation: enumeration, objectType: "SAM_DOMAIN" });
  const open = SAMR_OPENS[opnum] ?? SAMR_MEMBERS[opnum];
  if (!open) return;
  const rid = SAMR_OPENS[opnum] ? toNum(first(p, "samr.rid")) : undefined;
  const domain = ctx.state.samrDomains.get(stream);
  const sid = rid !== undefined && domain ? `${domain}-${rid}` : undefined;
  emit({ operation: open[0], objectType: open[1], ...(sid ? { objectName: sid, target: { sid } } : {}) });
}

function netlogon(call: NetlogonCall, result: number, ctx: WireContext): EventDraft {
  const q = call.packet;
  const account = call.machineAccount;
  return {
    ...ctx.base(q, q.src, q.dst),
    kind: "netlogon",
    ...(account ? { actor: principalOf(account) } : {}),
    src: ctx.source(q.src, q.srcPort, q.timeMs),
    operation: call.operation,
    result: result >>> 0,
    ...(account ? { machineAccount: account } : {}),
  };
}

/**
 * The secret name in an LSA call's raw stub: tshark 4.0 cannot decode NDR64 LSA requests, but the
 * name is a UTF-16LE string in them. Takes the longest run of printable UTF-16 characters (≥ 4).
 */
export function secretNameIn(stubHex: string | undefined): string | undefined {
  if (!stubHex) return undefined;
  const hex = stubHex.replace(/:/g, "");
  let best = "";
  let run = "";
  for (let i = 0; i + 3 < hex.length; i += 2) {
    const lo = Number.parseInt(hex.slice(i, i + 2), 16);
    const hi = Number.parseInt(hex.slice(i + 2, i + 4), 16);
    if (hi === 0 && lo >= 0x21 && lo < 0x7f) {
      run += String.fromCharCode(lo);
      i += 2;
    } else {
      if (run.length > best.length) best = run;
      run = "";
    }
  }
  if (run.length > best.length) best = run;
  return best.length >= 4 ? best : undefined;
}
