import { describe, expect, it } from "vitest";
import { fixtureRecords, map, one, rec } from "../fixtures/mapping.ts";

describe("authentication events", () => {
  it("4624: actor = the account logged on, src = client, target = this host; values normalized", async () => {
    const xml = await fixtureRecords("events.xml");
    expect(one(xml.get("1001")!)).toEqual({
      tenantId: "acme",
      sensorId: "dc01",
      time: "2024-03-01T10:00:00.1234567Z",
      origin: {
        format: "event-xml",
        eventId: 4624,
        recordId: "1001",
        provider: "Microsoft-Windows-Security-Auditing",
        channel: "Security",
        computer: "DC01.corp.example",
      },
      kind: "logon",
      actor: { sid: "S-1-5-21-1-2-3-1105", name: "alice", domain: "CORP" },
      src: { ip: "10.0.0.7", port: 50123, host: "WKS07" },
      target: { host: "DC01.corp.example" },
      success: true,
      logonType: 3,
      package: "NTLM",
      process: "NtLmSsp",
      logonId: "0xa1b2c3",
    });
  });

  it("4625 (Winlogbeat): failure with status and sub-status, NULL SID dropped", async () => {
    const wlb = await fixtureRecords("winlogbeat.jsonl");
    expect(one(wlb.get("3001")!)).toMatchObject({
      kind: "logon",
      success: false,
      status: 0xc000006d,
      subStatus: 0xc000006a,
      actor: { name: "dave", domain: "CORP" },
      src: { ip: "10.0.0.66", port: 0, host: "ATTACKER" },
      target: { host: "WKS07.corp.example" },
    });
    expect(one(wlb.get("3001")!)).not.toHaveProperty("dc");
  });

  it("4768: TGT request on a DC, hex and decimal (Get-WinEvent) sources agree", async () => {
    const xml = await fixtureRecords("events-wrapped.xml");
    expect(one(xml.get("2001")!)).toMatchObject({
      kind: "kerberos.as",
      dc: "DC01.corp.example",
      actor: { sid: "S-1-5-21-1-2-3-1300", name: "carol", domain: "CORP.EXAMPLE" },
      src: { ip: "10.0.0.66", port: 51000 },
      result: 0,
      etype: 0x17,
      preAuthType: 0,
      ticketOptions: "0x40810010",
      service: "krbtgt",
    });
    const ps = await fixtureRecords("powershell-array.txt");
    const fromPs = one(ps.get("4001")!);
    expect(fromPs).toMatchObject({ kind: "kerberos.as", result: 6, ticketOptions: "0x40810010", src: { ip: "10.0.0.66", port: 51515 } });
    expect(fromPs).not.toHaveProperty("etype"); // 0xffffffff = no ticket issued
    expect(fromPs).not.toHaveProperty("preAuthType");
  });

  it("4769: client from user@REALM, the service account is the target", async () => {
    const xml = await fixtureRecords("events.xml");
    expect(one(xml.get("1003")!)).toMatchObject({
      kind: "kerberos.tgs",
      dc: "DC01.corp.example",
      actor: { name: "bob", domain: "CORP.EXAMPLE" },
      target: { name: "svc_sql", sid: "S-1-5-21-1-2-3-1200" },
      service: "svc_sql",
      etype: 23,
      result: 0,
      ticketOptions: "0x40810000",
    });
  });

  it("4771: pre-auth failure, realm taken from the krbtgt service name", async () => {
    const wlb = await fixtureRecords("winlogbeat.jsonl");
    expect(one(wlb.get("3002")!)).toMatchObject({
      kind: "kerberos.preauth-failure",
      dc: "DC01.corp.example",
      actor: { sid: "S-1-5-21-1-2-3-1400", name: "erin", domain: "CORP.EXAMPLE" },
      src: { ip: "10.0.0.66", port: 50200 },
      result: 0x18,
      preAuthType: 2,
    });
  });

  it("4776: NTLM validation; the validating host is the target, dc left to the processor", async () => {
    const nx = await fixtureRecords("nxlog.jsonl");
    const draft = one(nx.get("9001")!);
    expect(draft).toMatchObject({
      kind: "ntlm",
      actor: { name: "sbeavers" },
      src: { host: "WORKSTATION5" },
      workstation: "WORKSTATION5",
      result: 0xc000006a,
      target: { host: "MORDORDC.theshire.local" },
    });
    expect(draft).not.toHaveProperty("dc");
    const sentinel = await fixtureRecords("sentinel-rows.txt");
    const fromSentinel = [...sentinel.values()].find((r) => r.EventID === 4776)!;
    expect(one(fromSentinel)).toMatchObject({ kind: "ntlm", workstation: "ADFS01", result: 0 });
  });

  it("8004: NTLM audit on a DC, outcome unknown (no result), secure-channel server as target", () => {
    const record = rec(
      8004,
      { SChannelName: "FS01", UserName: "gina", DomainName: "CORP", WorkstationName: "\\\\WKS09", SChannelType: "2" },
      { Channel: "Microsoft-Windows-NTLM/Operational", Provider: "Microsoft-Windows-NTLM" },
    );
    expect(one(record)).toMatchObject({
      kind: "ntlm",
      dc: "DC01.corp.example",
      actor: { name: "gina", domain: "CORP" },
      src: { host: "WKS09" },
      target: { host: "FS01" },
      version: "unknown",
    });
    expect(one(record)).not.toHaveProperty("result");
  });

  it.each([
    [rec(4624, { TargetUserName: "x" }), "no usable LogonType"],
    [rec(4769, { TargetUserName: "x", Status: "0x0" }), "no ServiceName"],
    [rec(4768, { TargetUserName: "x", Status: "-" }), "no usable Status"],
    [rec(4776, { TargetUserName: "x", Status: "bogus" }), "no usable Status"],
  ])("reports a known id with unusable fields (%#)", (record, reason) => {
    expect(map(record)).toEqual({ drafts: [], problems: [{ eventId: record.EventID, recordId: "77", reason }] });
  });
});
