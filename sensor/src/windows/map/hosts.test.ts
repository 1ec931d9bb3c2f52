import { describe, expect, it } from "vitest";
import { createMapStats } from "../index.ts";
import { fixtureRecords, map, one, rec } from "../fixtures/mapping.ts";

const SUBJECT = { SubjectUserSid: "S-1-5-21-1-2-3-1105", SubjectUserName: "alice", SubjectDomainName: "CORP", SubjectLogonId: "0x1" };

describe("service installs", () => {
  it("7045: actor from System UserID, target the host, words kept", async () => {
    const xml = await fixtureRecords("events.xml");
    const draft = one(xml.get("1009")!);
    expect(draft).toMatchObject({
      kind: "service.install",
      actor: { sid: "S-1-5-21-1-2-3-1105" },
      target: { host: "SRV02.corp.example" },
      serviceName: "updater",
      imagePath: "%COMSPEC% /C powershell -enc AAAA & exit",
      serviceType: "user mode service",
      startType: "demand start",
      account: "LocalSystem",
    });
    expect(draft).not.toHaveProperty("dc");
  });

  it("4697: codes translated to 7045's words", () => {
    const draft = one(
      rec(4697, {
        ...SUBJECT,
        ServiceName: "Cyb3rWard0g",
        ServiceFileName: "C:\\Windows\\System32\\GruntHTTP2.exe",
        ServiceType: "0x10",
        ServiceStartType: "2",
        ServiceAccount: "LocalSystem",
      }),
    );
    expect(draft).toMatchObject({
      kind: "service.install",
      actor: { name: "alice" },
      serviceType: "user mode service",
      startType: "auto start",
      account: "LocalSystem",
    });
  });
});

describe("share access", () => {
  it("5145: share without the \\\\*\\ prefix, named pipe, client address", () => {
    const record = rec(5145, {
      ...SUBJECT,
      ObjectType: "File",
      IpAddress: "::ffff:10.0.2.17",
      IpPort: "51009",
      ShareName: "\\\\*\\IPC$",
      ShareLocalPath: "",
      RelativeTargetName: "samr",
      AccessMask: "0x0012019f",
    });
    expect(one(record)).toMatchObject({
      kind: "share.access",
      share: "IPC$",
      relativeTarget: "samr",
      accessMask: "0x12019f",
      src: { ip: "10.0.2.17", port: 51009 },
      target: { host: "DC01.corp.example" },
    });
    expect(map(rec(5140, { ...SUBJECT, ShareName: "-" })).problems[0]?.reason).toBe("no ShareName");
  });
});

describe("SAM-R", () => {
  it("4661 on the domain SAM (DN object) is a query on a DC; other object servers map to nothing", () => {
    const stats = createMapStats();
    const domainQuery = rec(4661, {
      ...SUBJECT,
      ObjectServer: "Security Account Manager",
      ObjectType: "SAM_DOMAIN",
      ObjectName: "DC=corp,DC=example",
      AccessMask: "0x2d",
    });
    expect(map(domainQuery, stats).drafts).toEqual([
      expect.objectContaining({
        kind: "samr.query",
        dc: "DC01.corp.example",
        objectType: "SAM_DOMAIN",
        objectName: "DC=corp,DC=example",
        target: { dn: "DC=corp,DC=example" },
      }),
    ]);
    const group = one(
      rec(4661, { ...SUBJECT, ObjectServer: "Security Account Manager", ObjectType: "SAM_GROUP", ObjectName: "S-1-5-21-1-2-3-512" }),
    );
    expect(group).toMatchObject({ target: { sid: "S-1-5-21-1-2-3-512" }, objectType: "SAM_GROUP" });
    expect(map(rec(4661, { ...SUBJECT, ObjectServer: "DS", ObjectType: "x" }), stats).drafts).toEqual([]);
    expect(stats).toMatchObject({ records: 2, drafts: 1, empty: 1, problems: 0 });
  });

  it("4799 (NXLog): group member enumeration on a workstation", async () => {
    const nx = await fixtureRecords("nxlog.jsonl");
    const draft = one(nx.get("4243")!);
    expect(draft).toMatchObject({
      kind: "samr.query",
      objectType: "group",
      objectName: "Administrators",
      operation: "enumerate-members",
      target: { sid: "S-1-5-32-544", name: "Administrators", domain: "Builtin" },
    });
    expect(draft).not.toHaveProperty("dc");
  });
});

describe("certificate requests", () => {
  it("4887: issued, requester split, template and SAN from Attributes or named fields", () => {
    const draft = one(
      rec(
        4887,
        {
          RequestId: "104",
          Requester: "CORP\\missandei",
          Attributes: "CertificateTemplate:WebServer SAN:upn=administrator@corp.example",
          Disposition: "3",
          SubjectKeyIdentifier: "22 1c",
          Subject: "CN=Missandei",
        },
        { Computer: "CA01.corp.example" },
      ),
    );
    expect(draft).toMatchObject({
      kind: "certificate.request",
      actor: { name: "missandei", domain: "CORP" },
      target: { host: "CA01.corp.example" },
      requestId: "104",
      template: "WebServer",
      subjectAltName: "upn=administrator@corp.example",
      subject: "CN=Missandei",
      disposition: "issued",
    });
    const received = one(rec(4886, { RequestId: "105", Requester: "CORP\\PC1$", Attributes: "" }));
    expect(received).toMatchObject({ disposition: "unknown", requestId: "105" });
  });
});

describe("Netlogon", () => {
  it("5805 from event XML: status from the hex binary data", async () => {
    const xml = await fixtureRecords("events.xml");
    expect(one(xml.get("1005")!)).toMatchObject({
      kind: "netlogon",
      dc: "DC01.corp.example",
      operation: "session-authentication-failed",
      result: 0xc0000022,
      machineAccount: "WKS66",
      actor: { name: "WKS66" },
    });
  });

  it("5805 as the EVTX oracle decodes it (packed <string> data, base64 binary)", () => {
    const record = rec(
      5805,
      { Data_0: "<string>01566S-WIN16-IR</string>\n<string>%%5</string>\n", Binary_1: "IgAAwA==" },
      { Channel: "System", Provider: "NETLOGON" },
    );
    expect(one(record)).toMatchObject({ machineAccount: "01566S-WIN16-IR", result: 0xc0000022 });
    expect(one(rec(5805, { Data_0: "PC1", Data_1: "%%5" }))).toMatchObject({ result: 5 });
    expect(map(rec(5805, { Data_0: "PC1" })).problems[0]?.reason).toMatch(/without a status/);
  });

  it("5829 allowed (Winlogbeat paramN) and 5827 denied vulnerable secure channels", async () => {
    const wlb = await fixtureRecords("winlogbeat.jsonl");
    expect(one(wlb.get("3005")!)).toMatchObject({
      kind: "netlogon",
      operation: "vulnerable-channel-allowed",
      result: 0,
      machineAccount: "NAS01$",
    });
    expect(one(rec(5827, { Data_0: "OLDNAS$", Data_1: "CORP" }))).toMatchObject({
      operation: "vulnerable-channel-denied",
      result: 0xc0000022,
      machineAccount: "OLDNAS$",
    });
  });
});

describe("unknown ids", () => {
  it("map to nothing and are counted per id, without problems", () => {
    const stats = createMapStats();
    for (const id of [4688, 4688, 1102, 18]) expect(map(rec(id, {}), stats)).toEqual({ drafts: [], problems: [] });
    expect(stats).toMatchObject({ records: 4, unknown: 4, unknownIds: { 4688: 2, 1102: 1, 18: 1 }, problems: 0, drafts: 0 });
  });
});
