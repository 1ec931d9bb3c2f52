import type { Principal } from "../contract/index.ts";
import { all, first, toNum, type Packet } from "./fields.ts";
import { principalOf, type WireContext } from "./map.ts";

const SMB2_TREE_CONNECT = 3;
const SMB2_CREATE = 5;
const SMB1_TREE_CONNECT_ANDX = 0x75;
const SMB1_NT_CREATE_ANDX = 0xa2;
// Opens worth an event: named pipes (IPC$) and the administrative shares remote execution writes to.
const WATCHED_SHARE = /^(ipc|admin|[a-z])\$$/i;

/** `\\server\share` → `share` (upper case as Windows prints it). */
function shareOf(tree: string | undefined): string | undefined {
  const share = tree?.split("\\").filter(Boolean).pop();
  return share ? share.toUpperCase() : undefined;
}

/** The SMB session's user: tshark's own session tracking (NTLMSSP), else what the connection authenticated as. */
function sessionUser(p: Packet, ctx: WireContext): Principal | undefined {
  const acct = first(p, "smb2.acct");
  if (acct) return principalOf(acct, first(p, "smb2.domain"));
  return p.stream !== undefined ? ctx.state.connections.get(p.stream) : undefined;
}

/**
 * SMB tree connects and opens become `share.access` (what a DC's 5140 / 5145 would say): every tree
 * connect, and opens of named pipes on IPC$ (`samr`, `lsarpc`, `srvsvc`, `svcctl`…) and of files on
 * administrative shares. Requests, not responses: the attempt is the signal, and SMB3-encrypted
 * sessions show neither. Other file opens (SYSVOL reads, user shares) are not events.
 */
export function mapSmb(p: Packet, ctx: WireContext): void {
  const cmds2 = all(p, "smb2.cmd").map(toNum);
  const response = /^(1|true)$/i.test(first(p, "smb2.flags.response") ?? "");
  let share: string | undefined;
  let target: string | undefined;
  if (cmds2.length && !response) {
    if (cmds2.includes(SMB2_TREE_CONNECT)) share = shareOf(first(p, "smb2.tree"));
    else if (cmds2.includes(SMB2_CREATE)) {
      share = shareOf(first(p, "smb2.tree"));
      target = first(p, "smb2.filename");
      if (!share || !target || !WATCHED_SHARE.test(share)) return;
    }
  } else if (p.dstPort === 445 || p.dstPort === 139) {
    const cmds1 = all(p, "smb.cmd").map(toNum);
    if (cmds1.includes(SMB1_TREE_CONNECT_ANDX)) share = shareOf(first(p, "smb.path"));
    else if (cmds1.includes(SMB1_NT_CREATE_ANDX)) {
      share = shareOf(first(p, "smb.path")) ?? "IPC$";
      target = first(p, "smb.file");
      if (!target || !WATCHED_SHARE.test(share)) return;
    }
  }
  if (!share) return;
  const relativeTarget = target?.replace(/^\\+/, "");
  // Every `net view` / Explorer share listing opens srvsvc (NetShareEnum); the wire can tell the
  // session enumeration apart, so rpc.ts reports the pipe when NetrSessionEnum is called on it.
  if (relativeTarget && /^srvsvc$/i.test(relativeTarget)) return;
  const actor = sessionUser(p, ctx);
  ctx.emit({
    ...ctx.base(p, p.src, p.dst),
    kind: "share.access",
    ...(actor ? { actor } : {}),
    src: ctx.source(p.src, p.srcPort, p.timeMs, first(p, "smb2.host")),
    share,
    ...(relativeTarget ? { relativeTarget } : {}),
  });
}
