import { describe, expect, it } from "vitest";
import { CLIENT, KDC, tcp, tsharkLine } from "./fixtures/lines.ts";
import { mapAll } from "./fixtures/run.ts";
import { createServiceAStub } from "./svcctl.ts";

const DC = KDC;
const T = (ms: number) => `1700000000.${String(ms).padStart(3, "0")}`;
const toDc = (stream: number, port: number) => tcp(CLIENT, 50000, DC, port, stream);

// SharpSC's RCreateServiceA as Covenant sent it (covenant_sharpsc_create_dcerpc_smb_svcctl, frame 190):
// tshark 4.0 leaves the A variant as raw stub data.
const SHARPSC_STUB =
  "000000008487401e38495a4e98c37bd4d7c8b95a0c000000000000000c000000437962337257617264306700000002000400000000000000040000004f545200" +
  "ff010f00100000000200000001000000230000000000000023000000433a5c57696e646f77735c53797374656d33325c4772756e7448545450322e657865" +
  "000000000000000000000000000000000000000000000000000000000000";

/** An SMB2 write carrying a DCE/RPC request on stream 5. */
const rpcRequest = (frame: number, fields: Record<string, string>) =>
  tsharkLine(frame, T(frame), { ...toDc(5, 445), "smb2.cmd": "9", "smb2.flags.response": "0", "dcerpc.pkt_type": "0", ...fields });

describe("SVCCTL on the wire", () => {
  it("maps psexec / smbexec: the svcctl pipe open and the CreateServiceW request with what it would run", () => {
    const { drafts } = mapAll([
      tsharkLine(10, T(10), {
        ...toDc(5, 445),
        "ntlmssp.messagetype": "3",
        "ntlmssp.auth.username": "Administrator",
        "ntlmssp.auth.domain": "CORP",
        "smb2.cmd": "1",
        "smb2.flags.response": "0",
      }),
      tsharkLine(11, T(11), {
        ...tcp(DC, 445, CLIENT, 50000, 5),
        "smb2.cmd": "1",
        "smb2.flags.response": "1",
        "smb2.nt_status": "0x00000000",
      }),
      tsharkLine(12, T(12), {
        ...toDc(5, 445),
        "smb2.cmd": "5",
        "smb2.flags.response": "0",
        "smb2.tree": "\\\\10.99.0.10\\IPC$",
        "smb2.filename": "svcctl",
      }),
      // impacket smbexec against the Samba lab DC (lab.pcapng frame 1529).
      rpcRequest(13, {
        "dcerpc.opnum": "12",
        "svcctl.opnum": "12",
        "svcctl.servicename": "BTOBTO",
        "svcctl.binarypathname": "%COMSPEC% /Q /c echo cd  ^> \\\\127.0.0.1\\C$\\__output 2^>^&1 > %TEMP%\\execute.bat",
        "svcctl.service_type": "0x00000010",
        "svcctl.service_start_type": "3",
      }),
      // OpenSCManagerW / OpenServiceW / StartServiceW are not installs.
      rpcRequest(14, { "dcerpc.opnum": "15", "svcctl.opnum": "15" }),
      rpcRequest(15, { "dcerpc.opnum": "16", "svcctl.opnum": "16", "svcctl.servicename": "BTOBTO" }),
    ]);
    expect(drafts.filter((d) => d.kind !== "ntlm")).toMatchObject([
      { kind: "share.access", share: "IPC$", relativeTarget: "svcctl", actor: { name: "Administrator" } },
      {
        kind: "service.install",
        actor: { name: "Administrator", domain: "CORP" },
        src: { ip: CLIENT },
        target: { host: DC },
        serviceName: "BTOBTO",
        imagePath: "%COMSPEC% /Q /c echo cd  ^> \\\\127.0.0.1\\C$\\__output 2^>^&1 > %TEMP%\\execute.bat",
        serviceType: "user mode service",
        startType: "demand start",
        origin: { format: "pcap", recordId: "13" },
      },
    ]);
    expect(drafts.filter((d) => d.kind === "service.install")).toHaveLength(1);
  });

  it("reads RCreateServiceA from the raw NDR stub (SharpSC, Empire psexec over TCP)", () => {
    const { drafts } = mapAll([
      tsharkLine(20, T(20), {
        ...toDc(6, 49726),
        "dcerpc.pkt_type": "0",
        "dcerpc.opnum": "24",
        "svcctl.opnum": "24",
        "dcerpc.stub_data": SHARPSC_STUB,
      }),
    ]);
    expect(drafts).toMatchObject([
      {
        kind: "service.install",
        serviceName: "Cyb3rWard0g",
        imagePath: "C:\\Windows\\System32\\GruntHTTP2.exe",
        serviceType: "user mode service",
        startType: "auto start",
      },
    ]);
    expect(drafts[0]).not.toHaveProperty("account");
  });

  it("reads the account of a service that runs as a user", () => {
    const str = (s: string) => {
      const b = Buffer.from(`${s}\0`, "latin1");
      const head = Buffer.alloc(12);
      head.writeUInt32LE(b.length, 0);
      head.writeUInt32LE(b.length, 8);
      return Buffer.concat([head, b, Buffer.alloc((4 - (b.length % 4)) % 4)]);
    };
    const u32 = (...v: number[]) => Buffer.concat(v.map((x) => Buffer.from(Uint32Array.of(x).buffer)));
    const stub = Buffer.concat([
      Buffer.alloc(20),
      str("updater"),
      u32(0),
      u32(0xf01ff, 0x10, 2, 1),
      str("C:\\ProgramData\\u.exe"),
      u32(0, 0, 0, 0, 0x20000),
      str("CORP\\svc_backup"),
      u32(0, 0),
    ]).toString("hex");
    expect(createServiceAStub(stub)).toEqual({
      serviceName: "updater",
      imagePath: "C:\\ProgramData\\u.exe",
      serviceType: "user mode service",
      startType: "auto start",
      account: "CORP\\svc_backup",
    });
  });

  it("gives no event for a sealed or unreadable CreateService, and keeps the packets around it", () => {
    const { drafts } = mapAll([
      // Packet privacy (Empire psexec over TCP, auth level 6): the opnum shows, the stub is ciphertext.
      rpcRequest(30, { "dcerpc.opnum": "24", "svcctl.opnum": "24", "dcerpc.stub_data": "9f3c21aa07" }),
      rpcRequest(31, { "dcerpc.opnum": "24", "svcctl.opnum": "24", "dcerpc.stub_data": "not hex" }),
      rpcRequest(32, { "dcerpc.opnum": "24", "svcctl.opnum": "24" }),
      rpcRequest(33, { "dcerpc.opnum": "12", "svcctl.opnum": "12" }),
      rpcRequest(34, { "dcerpc.opnum": "12", "svcctl.opnum": "12", "svcctl.servicename": "ok" }),
    ]);
    expect(drafts.map((d) => [d.kind, (d as { serviceName?: string }).serviceName])).toEqual([["service.install", "ok"]]);
    // A string that claims more bytes than the stub holds is refused, not read past the end.
    expect(createServiceAStub(`${"00".repeat(20)}ffff0000 00000000 ffff0000 41`.replace(/ /g, ""))).toBeUndefined();
  });
});
