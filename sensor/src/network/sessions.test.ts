import { describe, expect, it } from "vitest";
import type { EventDraft } from "../contract/index.ts";
import { AGGREGATOR } from "./fields.ts";
import { createNetworkStats, NetworkMapper } from "./map.ts";
import { mapLines } from "./read.ts";
import { secretNameIn } from "./rpc.ts";
import { CLIENT, KDC, tcp, tsharkLine } from "./fixtures/lines.ts";
import { mapAll } from "./fixtures/run.ts";

const DC = KDC;
const T = (ms: number) => `1700000000.${String(ms).padStart(3, "0")}`;
const toDc = (stream: number, port: number, sport = 50000) => tcp(CLIENT, sport, DC, port, stream);
const fromDc = (stream: number, port: number, dport = 50000) => tcp(DC, port, CLIENT, dport, stream);
// A KDC answer marks the DC (as a live capture at the DC sees first thing).
const kdcSeen = [
  tsharkLine(1, T(0), {
    ...tcp(CLIENT, 40000, DC, 88, 0),
    "kerberos.msg_type": "10",
    "kerberos.CNameString": "WS01$",
    "kerberos.cname_string": "1",
    "kerberos.realm": "CORP.LAB",
    "kerberos.padata_type": "2",
  }),
  tsharkLine(2, T(1), {
    ...tcp(DC, 88, CLIENT, 40000, 0),
    "kerberos.msg_type": "11",
    "kerberos.CNameString": "WS01$",
    "kerberos.cname_string": "1",
    "kerberos.crealm": "CORP.LAB",
    "kerberos.etype": ["18", "18"],
  }),
];

describe("NTLM and SMB on the wire", () => {
  const auth = (frame: number, stream: number, user = "bob") =>
    tsharkLine(frame, T(frame), {
      ...toDc(stream, 445),
      "ntlmssp.messagetype": "3",
      "ntlmssp.auth.username": user,
      "ntlmssp.auth.domain": "CORP",
      "ntlmssp.auth.hostname": "ATK01",
      "ntlmssp.ntlmv2_response.ntproofstr": "00ff",
      "smb2.cmd": "1",
      "smb2.flags.response": "0",
    });
  const setupResponse = (frame: number, stream: number, status: string) =>
    tsharkLine(frame, T(frame), { ...fromDc(stream, 445), "smb2.cmd": "1", "smb2.flags.response": "1", "smb2.nt_status": status });

  it("joins AUTHENTICATE with the session-setup status; the challenge round is not a result", () => {
    const { drafts } = mapAll([...kdcSeen, auth(10, 5), setupResponse(11, 5, "0xc0000016"), setupResponse(12, 5, "0xc000006d")]);
    expect(drafts.filter((d) => d.kind === "ntlm")).toMatchObject([
      {
        kind: "ntlm",
        result: 0xc000006d,
        actor: { name: "bob", domain: "CORP" },
        workstation: "ATK01",
        version: "v2",
        src: { ip: CLIENT, host: "atk01" },
        dc: DC,
      },
    ]);
  });

  it("emits an AUTHENTICATE that never got an answer (DCE/RPC AUTH3) without a result", () => {
    const { drafts } = mapAll([auth(10, 5)]);
    expect(drafts).toHaveLength(1);
    expect(drafts[0]).not.toHaveProperty("result");
  });

  it("skips anonymous NTLM (null sessions name nobody)", () => {
    expect(mapAll([auth(10, 5, ""), setupResponse(11, 5, "0x00000000")]).drafts).toEqual([]);
  });

  it("names tree connects and pipe opens after the session's user; srvsvc only for NetrSessionEnum", () => {
    const { drafts } = mapAll([
      auth(10, 5),
      setupResponse(11, 5, "0x00000000"),
      tsharkLine(12, T(12), { ...toDc(5, 445), "smb2.cmd": "3", "smb2.flags.response": "0", "smb2.tree": "\\\\dc1.corp.lab\\IPC$" }),
      tsharkLine(13, T(13), {
        ...toDc(5, 445),
        "smb2.cmd": "5",
        "smb2.flags.response": "0",
        "smb2.tree": "\\\\dc1.corp.lab\\IPC$",
        "smb2.filename": "srvsvc",
      }),
      tsharkLine(14, T(14), {
        ...toDc(5, 445),
        "smb2.cmd": "5",
        "smb2.flags.response": "0",
        "smb2.tree": "\\\\dc1.corp.lab\\SYSVOL",
        "smb2.filename": "corp.lab\\Policies\\x",
      }),
      tsharkLine(15, T(15), { ...toDc(5, 445), "smb2.cmd": "9", "dcerpc.pkt_type": "0", "dcerpc.opnum": "15", "srvsvc.opnum": "15" }),
      tsharkLine(16, T(16), { ...toDc(5, 445), "smb2.cmd": "9", "dcerpc.pkt_type": "0", "dcerpc.opnum": "12", "srvsvc.opnum": "12" }),
    ]);
    expect(
      drafts.map((d) => [d.kind, (d as { share?: string }).share, (d as { relativeTarget?: string }).relativeTarget, d.actor?.name]),
    ).toEqual([
      ["ntlm", undefined, undefined, "bob"],
      ["share.access", "IPC$", undefined, "bob"],
      ["share.access", "IPC$", "srvsvc", "bob"],
    ]);
  });
});

describe("LDAP on the wire", () => {
  it("maps a simple bind with its result and never copies the clear-text password", () => {
    const { drafts } = mapAll([
      tsharkLine(20, T(20), {
        ...toDc(7, 389),
        "ldap.protocolOp": "0",
        "ldap.messageID": "1",
        "ldap.name": "eve@corp.lab",
        "ldap.simple": "Eve#Pass2024",
      }),
      tsharkLine(21, T(21), { ...fromDc(7, 389), "ldap.protocolOp": "1", "ldap.messageID": "1", "ldap.resultCode": "49" }),
    ]);
    expect(drafts).toMatchObject([{ kind: "ldap.bind", bindType: "simple", result: 49, actor: { name: "eve", domain: "corp.lab" } }]);
    expect(JSON.stringify(drafts)).not.toContain("Eve#Pass2024");
  });

  it("counts a search's entries until searchResDone, several messages per segment", () => {
    const { drafts } = mapAll([
      tsharkLine(30, T(30), {
        ...toDc(8, 389),
        "ldap.protocolOp": "3",
        "ldap.messageID": "4",
        "ldap.baseObject": "DC=corp,DC=lab",
        "ldap.scope": "2",
        "ldap.attributeDesc": ["objectCategory", "sAMAccountName"],
        "ldap.assertionValue": "Domain Admins",
      }),
      tsharkLine(31, T(31), {
        ...fromDc(8, 389),
        "ldap.protocolOp": ["4", "4", "5"],
        "ldap.messageID": ["4", "4", "4"],
        "ldap.resultCode": "0",
      }),
    ]);
    expect(drafts).toMatchObject([
      {
        kind: "ldap.search",
        baseDn: "DC=corp,DC=lab",
        scope: "sub",
        resultCount: 2,
        terms: ["objectCategory", "sAMAccountName", "Domain Admins"],
      },
    ]);
  });

  it("emits a search whose result never came, without a count", () => {
    const { drafts } = mapAll([
      tsharkLine(30, T(30), { ...toDc(8, 389), "ldap.protocolOp": "3", "ldap.messageID": "4", "ldap.scope": "0" }),
    ]);
    expect(drafts).toMatchObject([{ kind: "ldap.search", scope: "base" }]);
    expect(drafts[0]).not.toHaveProperty("resultCount");
  });
});

describe("DCE/RPC on the wire", () => {
  it("maps DsGetNCChanges to replication, SAM-R recon calls to samr.query with RIDs as SIDs", () => {
    const domain = "S-1-5-21-1-2-3";
    const samr = (frame: number, opnum: number, extra: Record<string, string> = {}) =>
      tsharkLine(frame, T(frame), {
        ...toDc(3, 445),
        "dcerpc.pkt_type": "0",
        "dcerpc.opnum": String(opnum),
        "samr.opnum": String(opnum),
        ...extra,
      });
    const { drafts } = mapAll([
      ...kdcSeen,
      tsharkLine(40, T(40), { ...toDc(4, 49153), "dcerpc.pkt_type": "0", "dcerpc.opnum": "3", "drsuapi.opnum": "3" }),
      samr(41, 7, { "dcerpc.nt.domain_sid": "S-1-5-32" }),
      samr(42, 7, { "dcerpc.nt.domain_sid": domain }),
      samr(43, 19, { "samr.rid": "512" }),
      samr(44, 13),
      samr(45, 1),
    ]);
    expect(drafts.slice(1)).toMatchObject([
      { kind: "replication", operation: "DsGetNCChanges", rights: [], dc: DC, src: { ip: CLIENT } },
      { kind: "samr.query", operation: "SamrOpenDomain", objectType: "SAM_DOMAIN", objectName: domain },
      { kind: "samr.query", operation: "SamrOpenGroup", objectType: "SAM_GROUP", target: { sid: `${domain}-512` } },
      { kind: "samr.query", operation: "SamrEnumerateUsersInDomain" },
    ]);
    expect(drafts).toHaveLength(5);
  });

  it("names LSA secrets from the raw stub of the interface bound to the LSA UUID", () => {
    // mimikatz lsadump::backupkeys, LsarRetrievePrivateData in NDR64 (backupkeys sample, frame 2459).
    const stub =
      "0000000007cdb8a2d723d5448c4e41565b016ff60000000028002a000000000000000200000000001500000000000000000000000000000014000000000000" +
      "0047002400420043004b00550050004b00450059005f005000520045004600450052005200450044000000000000000000";
    const { drafts } = mapAll([
      tsharkLine(50, T(50), {
        ...toDc(6, 445),
        "dcerpc.pkt_type": "11",
        "dcerpc.cn_ctx_id": ["0", "1"],
        "dcerpc.cn_bind_to_uuid": ["12345778-1234-abcd-ef00-0123456789ab", "12345778-1234-abcd-ef00-0123456789ab"],
        "smb2.fid": "f1",
      }),
      tsharkLine(51, T(51), {
        ...toDc(6, 445),
        "dcerpc.pkt_type": "0",
        "dcerpc.cn_ctx_id": "1",
        "dcerpc.opnum": "43",
        "smb2.fid": "f1",
        "dcerpc.stub_data": stub,
      }),
      // The same opnum on a pipe bound to another interface is not an LSA call.
      tsharkLine(52, T(52), {
        ...toDc(6, 445),
        "dcerpc.pkt_type": "0",
        "dcerpc.cn_ctx_id": "1",
        "dcerpc.opnum": "43",
        "smb2.fid": "f2",
        "dcerpc.stub_data": stub,
      }),
    ]);
    expect(drafts).toMatchObject([
      { kind: "directory.access", objectDn: "Policy\\Secrets\\G$BCKUPKEY_PREFERRED", properties: ["LsarRetrievePrivateData"] },
    ]);
    expect(secretNameIn("0102")).toBeUndefined();
  });

  it("gives Netlogon secure-channel calls the status of their response", () => {
    const { drafts } = mapAll([
      tsharkLine(60, T(60), {
        ...toDc(2, 49155),
        "dcerpc.pkt_type": "0",
        "dcerpc.cn_call_id": "7",
        "netlogon.opnum": "15",
        "netlogon.acct_name": "DC1$",
      }),
      tsharkLine(61, T(61), {
        ...fromDc(2, 49155),
        "dcerpc.pkt_type": "2",
        "dcerpc.cn_call_id": "7",
        "netlogon.opnum": "15",
        "netlogon.rc": "0xc0000022",
      }),
    ]);
    expect(drafts).toMatchObject([{ kind: "netlogon", operation: "NetrServerAuthenticate2", result: 0xc0000022, machineAccount: "DC1$" }]);
  });
});

describe("DNS on the wire", () => {
  it("maps a zone transfer with its response code, and names hosts from A answers", () => {
    const { drafts } = mapAll([
      tsharkLine(70, T(70), {
        ...toDc(9, 53),
        "dns.id": "0x1234",
        "dns.flags.response": "0",
        "dns.qry.name": "corp.lab",
        "dns.qry.type": "252",
      }),
      tsharkLine(71, T(71), {
        ...fromDc(9, 53),
        "dns.id": "0x1234",
        "dns.flags.response": "1",
        "dns.qry.name": "corp.lab",
        "dns.qry.type": "252",
        "dns.flags.rcode": "5",
      }),
      tsharkLine(72, T(72), {
        ...tcp("10.0.0.9", 5353, DC, 53, 10),
        "dns.id": "0x1",
        "dns.flags.response": "0",
        "dns.qry.name": "ws01.corp.lab",
        "dns.qry.type": "1",
      }),
      tsharkLine(73, T(73), {
        ...tcp(DC, 53, "10.0.0.9", 5353, 10),
        "dns.id": "0x1",
        "dns.flags.response": "1",
        "dns.qry.name": "ws01.corp.lab",
        "dns.qry.type": "1",
        "dns.resp.name": "ws01.corp.lab",
        "dns.a": CLIENT,
      }),
      tsharkLine(74, T(74), {
        ...toDc(11, 53, 5000),
        "dns.id": "0x2",
        "dns.flags.response": "0",
        "dns.qry.name": "x.corp.lab",
        "dns.qry.type": "16",
      }),
    ]);
    expect(drafts).toMatchObject([
      { kind: "dns.query", qname: "corp.lab", qtype: "AXFR", rcode: 5, src: { ip: CLIENT } },
      { kind: "dns.query", qname: "ws01.corp.lab", qtype: "A", rcode: 0 },
      { kind: "dns.query", qname: "x.corp.lab", qtype: "TXT", src: { ip: CLIENT, host: "ws01" } },
    ]);
  });
});

describe("tshark output lines", () => {
  it("reports a line that is not a packet with its line number and keeps the packets around it", async () => {
    const problems: [number, string][] = [];
    const lines = [
      tsharkLine(70, T(70), {
        ...toDc(9, 53),
        "dns.id": "1",
        "dns.flags.response": "0",
        "dns.qry.name": "a.corp.lab",
        "dns.qry.type": "1",
      }),
      "71\t1700000000.071\tcut here",
      `${tsharkLine(72, T(72), { "ldap.name": "x" })}\t${AGGREGATOR}`,
      tsharkLine(73, T(73), {
        ...fromDc(9, 53),
        "dns.id": "1",
        "dns.flags.response": "1",
        "dns.qry.name": "a.corp.lab",
        "dns.qry.type": "1",
      }),
    ];
    async function* source() {
      yield* lines;
    }
    const mapper = new NetworkMapper({ tenantId: "t1", sensorId: "s1", capture: "x.pcap", stats: createNetworkStats() });
    const drafts: EventDraft[] = [];
    for await (const d of mapLines(source(), mapper, (line, reason) => problems.push([line, reason]))) drafts.push(d);
    expect(problems.map(([line]) => line)).toEqual([2, 3]);
    expect(problems[0]![1]).toMatch(/got 3/);
    expect(drafts).toMatchObject([{ kind: "dns.query", qname: "a.corp.lab", rcode: 0 }]);
  });
});
