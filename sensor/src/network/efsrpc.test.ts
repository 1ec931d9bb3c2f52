import { describe, expect, it } from "vitest";
import { CLIENT, KDC, tcp, tsharkLine } from "./fixtures/lines.ts";
import { mapAll } from "./fixtures/run.ts";

const DC = KDC;
const T = (ms: number) => `1700000000.${String(ms).padStart(3, "0")}`;
const EFSRPC_ON_LSARPC = "c681d488-d850-11d0-8c52-00c04fd90f7e";
const LSA = "12345778-1234-abcd-ef00-0123456789ab";

/** An SMB2 packet on stream 8 to the DC carrying DCE/RPC, on the pipe handle `fid`. */
const smbRpc = (frame: number, fid: string, fields: Record<string, string | string[]>) =>
  tsharkLine(frame, T(frame), {
    ...tcp(CLIENT, 50123, DC, 445, 8),
    "smb2.cmd": "9",
    "smb2.flags.response": "0",
    "smb2.fid": fid,
    ...fields,
  });
const bind = (frame: number, fid: string, uuid: string) =>
  smbRpc(frame, fid, { "dcerpc.pkt_type": "11", "dcerpc.cn_ctx_id": "0", "dcerpc.cn_bind_to_uuid": uuid });
const request = (frame: number, fid: string, opnum: number) =>
  smbRpc(frame, fid, { "dcerpc.pkt_type": "0", "dcerpc.cn_ctx_id": "0", "dcerpc.opnum": String(opnum) });

describe("EFSRPC on the wire (PetitPotam)", () => {
  it("maps EfsRpc calls on the lsarpc pipe to the efsrpc pipe access coercion reads; plain LSA calls stay quiet", () => {
    const { drafts } = mapAll([
      tsharkLine(1, T(1), {
        ...tcp(CLIENT, 50123, DC, 445, 8),
        "smb2.cmd": "5",
        "smb2.flags.response": "0",
        "smb2.tree": "\\\\dc01\\IPC$",
        "smb2.filename": "lsarpc",
      }),
      bind(2, "f-efs", EFSRPC_ON_LSARPC),
      // EfsRpcOpenFileRaw, then EfsRpcEncryptFileSrv (the fallback of PetitPotam's newer versions).
      request(3, "f-efs", 0),
      request(4, "f-efs", 4),
      // The same pipe name bound to LSA on another handle: ordinary LSA traffic every client makes.
      bind(5, "f-lsa", LSA),
      request(6, "f-lsa", 0),
    ]);
    expect(drafts.map((d) => [d.kind, (d as { relativeTarget?: string }).relativeTarget, d.src?.ip, d.target?.host])).toEqual([
      ["share.access", "lsarpc", CLIENT, DC],
      ["share.access", "efsrpc", CLIENT, DC],
      ["share.access", "efsrpc", CLIENT, DC],
    ]);
  });

  it("maps the efsrpc pipe's own interface too, and leaves EFSRPC over TCP (no pipe) unmapped", () => {
    const { drafts } = mapAll([
      bind(10, "f-2", "DF1941C5-FE89-4E79-BF10-463657ACF44D"),
      request(11, "f-2", 0),
      tsharkLine(12, T(12), {
        ...tcp(CLIENT, 50200, DC, 49667, 9),
        "dcerpc.pkt_type": "11",
        "dcerpc.cn_ctx_id": "0",
        "dcerpc.cn_bind_to_uuid": "df1941c5-fe89-4e79-bf10-463657acf44d",
      }),
      tsharkLine(13, T(13), { ...tcp(CLIENT, 50200, DC, 49667, 9), "dcerpc.pkt_type": "0", "dcerpc.cn_ctx_id": "0", "dcerpc.opnum": "0" }),
    ]);
    expect(drafts).toMatchObject([{ kind: "share.access", share: "IPC$", relativeTarget: "efsrpc", origin: { recordId: "11" } }]);
    expect(drafts).toHaveLength(1);
  });

  it("ignores a request whose bind was never seen (capture started mid-connection)", () => {
    expect(mapAll([request(20, "f-unknown", 0)]).drafts).toEqual([]);
  });
});
