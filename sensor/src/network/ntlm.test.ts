import { describe, expect, it } from "vitest";
import { CLIENT, KDC, tcp, tsharkLine } from "./fixtures/lines.ts";
import { mapAll } from "./fixtures/run.ts";

const T = (ms: number) => `1700000000.${String(ms).padStart(3, "0")}`;

/** An NTLMSSP AUTHENTICATE in an SMB2 session setup, then the server's status. */
const exchange = (stream: number, hostname: string | undefined, domain = "CORP") => [
  tsharkLine(10 + stream, T(10 + stream), {
    ...tcp(CLIENT, 50000 + stream, KDC, 445, stream),
    "ntlmssp.messagetype": "3",
    "ntlmssp.auth.username": "Administrator",
    "ntlmssp.auth.domain": domain,
    ...(hostname !== undefined ? { "ntlmssp.auth.hostname": hostname } : {}),
    "ntlmssp.ntlmv2_response.ntproofstr": "00ff",
    "smb2.cmd": "1",
    "smb2.flags.response": "0",
  }),
  tsharkLine(20 + stream, T(20 + stream), {
    ...tcp(KDC, 445, CLIENT, 50000 + stream, stream),
    "smb2.cmd": "1",
    "smb2.flags.response": "1",
    "smb2.nt_status": "0x00000000",
  }),
];

describe("NTLMSSP workstation name", () => {
  it("keeps an empty workstation (impacket sends none; tshark prints NULL) as empty, naming no computer", () => {
    const { drafts } = mapAll(exchange(1, "NULL", "corp.lab"));
    expect(drafts).toHaveLength(1);
    expect(drafts[0]).toMatchObject({ kind: "ntlm", result: 0, workstation: "", actor: { name: "Administrator", domain: "corp.lab" } });
    expect(drafts[0]!.src).toEqual({ ip: CLIENT, port: 50001 });
  });

  it("names the computer from a real workstation name, and leaves it out when the field is absent", () => {
    const named = mapAll(exchange(2, "ATK01")).drafts[0]!;
    expect(named).toMatchObject({ workstation: "ATK01", src: { host: "atk01" } });
    const absent = mapAll(exchange(3, undefined)).drafts[0]!;
    expect(absent).not.toHaveProperty("workstation");
  });
});
