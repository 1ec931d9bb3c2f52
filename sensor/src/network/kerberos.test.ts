import { describe, expect, it } from "vitest";
import { kerberosTime } from "./kerberos.ts";
import { CLIENT, KDC, tcp, tsharkLine } from "./fixtures/lines.ts";
import { mapAll } from "./fixtures/run.ts";

const req = (frame: number, port: number) => tcp(CLIENT, port, KDC, 88, frame);
const rep = (frame: number, port: number) => tcp(KDC, 88, CLIENT, port, frame);
const T = "1600742353.1";
const T2 = "1600742353.2";

// Rubeus asktgt /rc4 as tshark prints it (empire_shell_rubeus_asktgt_ptt frames 154 / 156).
const rc4AsReq = (padata: string[] = ["2", "128"]) =>
  tsharkLine(154, T, {
    ...req(7, 53650),
    "kerberos.msg_type": "10",
    "kerberos.CNameString": "pgustavo",
    "kerberos.cname_string": "1",
    "kerberos.SNameString": ["krbtgt", "theshire.local"],
    "kerberos.sname_string": "2",
    "kerberos.realm": "theshire.local",
    "kerberos.ENCTYPE": "23",
    "kerberos.kdc-req-body.etype": "1",
    "kerberos.etype": padata.includes("2") ? "23" : [],
    "kerberos.padata_type": padata,
    "kerberos.till": "Sep 12, 2037 22:48:05.000000000 UTC",
    "kerberos.addr_nb": "WORKSTATION6    ",
  });
const asRep = tsharkLine(156, T2, {
  ...rep(7, 53650),
  "kerberos.msg_type": "11",
  "kerberos.CNameString": "pgustavo",
  "kerberos.cname_string": "1",
  "kerberos.SNameString": ["krbtgt", "theshire.local"],
  "kerberos.sname_string": "2",
  "kerberos.crealm": "THESHIRE.LOCAL",
  "kerberos.etype": ["18", "23"],
});
const error = (code: number) => tsharkLine(156, T2, { ...rep(7, 53650), "kerberos.msg_type": "30", "kerberos.error_code": String(code) });

describe("Kerberos on the wire", () => {
  it("pairs an RC4-only AS-REQ with its AS-REP: client, workstation, offered and issued etypes, pre-auth", () => {
    const { drafts } = mapAll([rc4AsReq(), asRep]);
    expect(drafts).toHaveLength(1);
    expect(drafts[0]).toMatchObject({
      kind: "kerberos.as",
      time: "2020-09-22T02:39:13.100000Z",
      result: 0,
      actor: { name: "pgustavo", domain: "THESHIRE.LOCAL" },
      src: { ip: CLIENT, port: 53650, host: "workstation6" },
      dc: KDC,
      etype: 23,
      ticketEtype: 18,
      requestedEtypes: [23],
      preAuthType: 2,
      service: "krbtgt/theshire.local",
      requestedEndTime: "2037-09-12T22:48:05Z",
      origin: { format: "pcap", recordId: "154", channel: "test.pcap" },
    });
  });

  it("reports an AS exchange without PA-ENC-TIMESTAMP as pre-auth type 0 (AS-REP roastable)", () => {
    const { drafts } = mapAll([rc4AsReq(["128"]), asRep]);
    expect(drafts[0]).toMatchObject({ kind: "kerberos.as", preAuthType: 0 });
  });

  it("leaves pre-auth type open when FAST armor hides it", () => {
    const { drafts } = mapAll([rc4AsReq(["136", "149"]), asRep]);
    expect(drafts[0]).not.toHaveProperty("preAuthType");
  });

  it.each([
    [25, []],
    [24, [{ kind: "kerberos.preauth-failure", result: 24, preAuthType: 2, actor: { name: "pgustavo" } }]],
    [6, [{ kind: "kerberos.as", result: 6, requestedEtypes: [23] }]],
  ])("maps KRB-ERROR %i to what a DC would log", (code, expected) => {
    expect(mapAll([rc4AsReq(), error(code)]).drafts).toMatchObject(expected);
  });

  it("drops a reply nobody asked for, and counts a request never answered", () => {
    const { drafts, mapper } = mapAll([asRep, rc4AsReq()]);
    expect(drafts).toEqual([]);
    expect(mapper["stats"]).toMatchObject({ packets: 2, unanswered: 1, drafts: 0 });
  });

  it("pairs TGS-REQ / TGS-REP: service, ticket etype (first), presented TGT etype, then names the SMB session", () => {
    const { drafts } = mapAll([
      tsharkLine(461, T, {
        ...req(9, 60001),
        "kerberos.msg_type": ["12", "14"],
        "kerberos.SNameString": ["krbtgt", "THESHIRE.LOCAL", "HTTP", "web01.theshire.local"],
        "kerberos.sname_string": ["2", "2"],
        "kerberos.ENCTYPE": ["18", "17", "23"],
        "kerberos.kdc-req-body.etype": "3",
        "kerberos.etype": ["18", "18"],
        // The presented TGT's realm, then the request body's.
        "kerberos.realm": ["THESHIRE.LOCAL", "THESHIRE.LOCAL"],
      }),
      tsharkLine(464, T2, {
        ...rep(9, 60001),
        "kerberos.msg_type": "13",
        "kerberos.CNameString": "pgustavo",
        "kerberos.cname_string": "1",
        "kerberos.crealm": "THESHIRE.LOCAL",
        "kerberos.SNameString": ["HTTP", "web01.theshire.local"],
        "kerberos.sname_string": "2",
        "kerberos.etype": ["23", "18"],
      }),
      // The service ticket presented to the server, then a pipe opened on that connection.
      tsharkLine(470, T2, {
        ...tcp(CLIENT, 50000, "172.18.38.9", 445, 11),
        "kerberos.msg_type": "14",
        "kerberos.SNameString": ["HTTP", "web01.theshire.local"],
        "kerberos.sname_string": "2",
        "smb2.cmd": "1",
        "smb2.flags.response": "0",
      }),
      tsharkLine(471, T2, {
        ...tcp(CLIENT, 50000, "172.18.38.9", 445, 11),
        "smb2.cmd": "5",
        "smb2.flags.response": "0",
        "smb2.tree": "\\\\web01\\IPC$",
        "smb2.filename": "samr",
      }),
    ]);
    expect(drafts).toMatchObject([
      {
        kind: "kerberos.tgs",
        result: 0,
        etype: 23,
        service: "HTTP/web01.theshire.local",
        requestedEtypes: [18, 17, 23],
        tgtEtype: 18,
        tgtRealm: "THESHIRE.LOCAL",
        actor: { name: "pgustavo" },
      },
      {
        kind: "share.access",
        share: "IPC$",
        relativeTarget: "samr",
        actor: { name: "pgustavo", domain: "THESHIRE.LOCAL" },
        target: { host: "web01.theshire.local" },
      },
    ]);
  });

  it("reads tshark's absolute times, not its 1970 placeholder", () => {
    expect(kerberosTime("Sep 13, 2037 02:48:05.000000000 UTC")).toBe("2037-09-13T02:48:05Z");
    expect(kerberosTime("Nov  6, 2026 03:01:19.000000000 UTC")).toBe("2026-11-06T03:01:19Z");
    expect(kerberosTime("Jan  1, 1970 00:00:00.000000000 UTC")).toBeUndefined();
    expect(kerberosTime("yesterday")).toBeUndefined();
  });
});
