import type { EventDraft, Principal } from "../contract/index.ts";
import { all, first, toNum, type Packet } from "./fields.ts";
import { principalOf, type WireContext } from "./map.ts";

const NTLMSSP_AUTH = 3;
const SMB2_SESSION_SETUP = 1;
const SMB1_SESSION_SETUP_ANDX = 0x73;
const STATUS_MORE_PROCESSING_REQUIRED = 0xc0000016;
const LDAP_BIND_RESPONSE = 1;
const LDAP_SASL_BIND_IN_PROGRESS = 14;
const LDAP_INVALID_CREDENTIALS = 49;
const STATUS_LOGON_FAILURE = 0xc000006d;

interface NtlmAuth {
  at: number;
  packet: Packet;
  actor: Principal;
  workstation?: string;
  version: "v2" | "unknown";
  onTimeout: () => EventDraft | undefined;
}

const connectionKey = (p: Packet, client: boolean) =>
  p.stream !== undefined ? `tcp${p.stream}` : client ? `${p.src}:${p.srcPort}` : `${p.dst}:${p.dstPort}`;

/**
 * NTLMSSP AUTHENTICATE messages (inside SMB session setup, LDAP binds, DCE/RPC binds and HTTP) become
 * `ntlm` events with user, domain and workstation; the result comes from the same connection's next
 * SMB session-setup status or LDAP bind result. DCE/RPC AUTH3 has no response: those are emitted when
 * the wait times out, without a result. The user also becomes the connection's identity, which names
 * the LDAP searches, pipes and RPC calls that follow on it.
 */
export function mapNtlm(p: Packet, ctx: WireContext): void {
  const queue = ctx.pending<NtlmAuth>("ntlm");
  const types = all(p, "ntlmssp.messagetype").map(toNum);
  if (types.includes(NTLMSSP_AUTH)) {
    const actor = principalOf(first(p, "ntlmssp.auth.username"), first(p, "ntlmssp.auth.domain"));
    if (!actor) return; // anonymous NTLM (null session): nobody to name
    // tshark prints an empty Workstation field as "NULL" (impacket sends none): keep it empty, so it
    // names no computer, and keep the emptiness itself (a pass-the-hash tool's trait) on the event.
    const named = first(p, "ntlmssp.auth.hostname");
    const workstation = named === "NULL" ? "" : named;
    if (p.stream !== undefined) ctx.state.connections.set(p.stream, actor);
    if (workstation) ctx.state.noteClientName(p.src, workstation, "ntlm-workstation", p.timeMs);
    const auth: NtlmAuth = {
      at: p.timeMs,
      packet: p,
      actor,
      ...(workstation !== undefined ? { workstation } : {}),
      version: p.values.has("ntlmssp.ntlmv2_response.ntproofstr") ? "v2" : "unknown",
      onTimeout: () => draft(auth, undefined, ctx),
    };
    queue.put(connectionKey(p, true), auth);
    return;
  }
  const result = resultOf(p);
  if (result === undefined) return;
  const auth = queue.take(connectionKey(p, false));
  if (auth) ctx.emit(draft(auth, result === null ? undefined : result, ctx));
}

/** The authentication result a response carries; null for a final answer with no usable code. */
function resultOf(p: Packet): number | null | undefined {
  const smb2 = toNum(first(p, "smb2.cmd"));
  if (smb2 === SMB2_SESSION_SETUP && first(p, "smb2.flags.response") && /^(1|true)$/i.test(first(p, "smb2.flags.response")!)) {
    const status = toNum(first(p, "smb2.nt_status"));
    return status === STATUS_MORE_PROCESSING_REQUIRED ? undefined : (status ?? null);
  }
  if (toNum(first(p, "smb.cmd")) === SMB1_SESSION_SETUP_ANDX && p.srcPort === 445) {
    const status = toNum(first(p, "smb.nt_status"));
    return status === STATUS_MORE_PROCESSING_REQUIRED ? undefined : (status ?? null);
  }
  if (toNum(first(p, "ldap.protocolOp")) === LDAP_BIND_RESPONSE) {
    const code = toNum(first(p, "ldap.resultCode"));
    if (code === LDAP_SASL_BIND_IN_PROGRESS) return undefined;
    // LDAP says only "invalid credentials"; SMB servers say STATUS_LOGON_FAILURE for the same thing.
    return code === 0 ? 0 : code === LDAP_INVALID_CREDENTIALS ? STATUS_LOGON_FAILURE : null;
  }
  return undefined;
}

function draft(auth: NtlmAuth, result: number | undefined, ctx: WireContext): EventDraft {
  const p = auth.packet;
  return {
    ...ctx.base(p, p.src, p.dst),
    kind: "ntlm",
    actor: auth.actor,
    src: ctx.source(p.src, p.srcPort, p.timeMs, auth.workstation),
    ...(result !== undefined ? { result } : {}),
    ...(auth.workstation !== undefined ? { workstation: auth.workstation } : {}),
    version: auth.version,
  };
}
