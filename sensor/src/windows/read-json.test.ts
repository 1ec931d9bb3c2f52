import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { readLocatedRecords, type LocatedRecord, type ReadProblem } from "./index.ts";

const fixture = (name: string) => join(import.meta.dirname, "fixtures", name);

async function readAll(source: string | Readable) {
  const problems: ReadProblem[] = [];
  const located: LocatedRecord[] = [];
  for await (const r of readLocatedRecords(source, { onProblem: (p) => problems.push(p) })) located.push(r);
  return {
    at: located.map((l) => [l.position, l.record.EventID] as const),
    records: located.map((l) => l.record),
    problems: problems.map((p) => [p.position, p.unit, p.reason] as const),
  };
}

describe("NXLog flat JSON lines (OTRF)", () => {
  it("reads good lines around malformed ones, reporting each by line", async () => {
    const { at, problems } = await readAll(fixture("nxlog.jsonl"));
    expect(at).toEqual([
      [1, 4662],
      [5, 4776],
      [7, 7045],
      [9, 4799],
    ]);
    expect(problems).toEqual([
      [3, "line", expect.stringMatching(/^malformed JSON: /)],
      [4, "line", "JSON object is not a Windows event in a known layout (no EventID / winlog / Id)"],
      [6, "line", "record is an array, not a JSON object"],
      [8, "line", 'EventID "abc" is not a number'],
    ]);
  });

  it("converts zoneless local EventTime to UTC via the collector's @timestamp, and takes UTC without one", async () => {
    const { records } = await readAll(fixture("nxlog.jsonl"));
    expect(records.map((r) => r.TimeCreated)).toEqual([
      "2020-08-05T06:10:02Z",
      "2020-10-22T08:29:55Z",
      "2020-08-06T06:27:31Z",
      "2020-08-06T02:27:40Z",
    ]);
  });

  it("keeps event fields as EventData and leaves NXLog / Logstash metadata out", async () => {
    const { records } = await readAll(fixture("nxlog.jsonl"));
    const [dcsync, , service] = records;
    expect(dcsync).toMatchObject({
      EventRecordID: "215522",
      Computer: "MORDORDC.theshire.local",
      Channel: "Security",
      Provider: "Microsoft-Windows-Security-Auditing",
    });
    expect(Object.keys(dcsync!.EventData).sort()).toEqual(
      [
        "AccessList",
        "AccessMask",
        "AdditionalInfo",
        "HandleId",
        "ObjectName",
        "ObjectServer",
        "ObjectType",
        "OperationType",
        "Properties",
        "SubjectDomainName",
        "SubjectLogonId",
        "SubjectUserName",
        "SubjectUserSid",
      ].sort(),
    );
    // AccountName/Domain/AccountType are NXLog's resolution of UserID here, not 7045's data.
    expect(service).toMatchObject({ UserID: "S-1-5-21-1363495622-3806888128-621328882-1104" });
    expect(service!.EventData).toEqual({
      ServiceName: "OTR",
      ImagePath: "C:\\Windows\\System32\\GruntHTTP2.exe",
      ServiceType: "user mode service",
      StartType: "auto start",
    });
  });
});

describe("Winlogbeat / ECS", () => {
  it("reads nested and dotted-key documents, user_data and paramN", async () => {
    const { at, records, problems } = await readAll(fixture("winlogbeat.jsonl"));
    expect(at).toEqual([
      [1, 4625],
      [2, 4771],
      [4, 1102],
      [5, 5829],
    ]);
    expect(problems).toEqual([[3, "line", "no usable event time"]]);
    expect(records[0]).toMatchObject({ EventRecordID: "3001", Computer: "WKS07.corp.example", TimeCreated: "2024-03-03T09:00:00.123Z" });
    expect(records[1]).toMatchObject({ EventRecordID: "3002", EventData: { TargetUserName: "erin", Status: "0x18" } });
    expect(records[2]?.EventData).toEqual({
      SubjectUserSid: "S-1-5-21-1-2-3-500",
      SubjectUserName: "admin",
      SubjectDomainName: "CORP",
      SubjectLogonId: "0x3e7",
    });
    expect(records[3]?.EventData).toEqual({ Data_0: "NAS01$", Data_1: "CORP", Data_2: "Workstation", Data_3: "Some NAS OS" });
  });
});

describe("Get-WinEvent | ConvertTo-Json", () => {
  const expectedAt = [
    [0, 4768],
    [3, 4732],
    [4, 9999],
  ];
  const expectedProblems = [
    [1, "index", expect.stringMatching(/^malformed JSON: /)],
    [2, "index", "no usable event time"],
  ];

  it("reads a pretty-printed array by index, naming positional Properties for known ids", async () => {
    const { at, records, problems } = await readAll(fixture("powershell-array.txt"));
    expect(at).toEqual(expectedAt);
    expect(problems).toEqual(expectedProblems);
    expect(records[0]).toMatchObject({
      EventRecordID: "4001",
      TimeCreated: "2024-03-03T09:00:00.000Z",
      Computer: "DC01.corp.example",
      Channel: "Security",
    });
    expect(records[0]?.EventData).toMatchObject({
      TargetUserName: "frank",
      ServiceSid: "S-1-5-21-1-2-3-502",
      TicketOptions: "1082195984",
      Status: "6",
      IpAddress: "::ffff:10.0.0.66",
    });
    expect(records[1]).toMatchObject({
      TimeCreated: "2024-03-03T15:05:00.5Z",
      EventData: { MemberSid: "S-1-5-21-1-2-3-1600", TargetUserName: "Backup Operators" },
    });
    expect(records[2]?.EventData).toEqual({ Data_0: "x", Data_1: "7" });
  });

  it("reads the same file written as UTF-16LE with a BOM, fed one byte at a time", async () => {
    const dir = mkdtempSync(join(tmpdir(), "vigil-json-"));
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(readFileSync(fixture("powershell-array.txt"), "utf8"), "utf16le")]);
    writeFileSync(join(dir, "events.json"), bytes);
    const fromFile = await readAll(join(dir, "events.json"));
    const fromStream = await readAll(Readable.from([...bytes].map((b) => Uint8Array.of(b))));
    for (const result of [fromFile, fromStream]) {
      expect(result.at).toEqual(expectedAt);
      expect(result.problems).toEqual(expectedProblems);
    }
  });
});

describe("Sentinel SecurityEvent / Event rows", () => {
  it("reads concatenated pretty-printed objects by starting line, skipping text that is not JSON", async () => {
    const { at, problems } = await readAll(fixture("sentinel-rows.txt"));
    expect(at).toEqual([
      [1, 4662],
      [30, 4624],
      [43, 18],
      [53, 4776],
    ]);
    expect(problems).toEqual([
      [42, "line", "text that is not JSON between records"],
      [52, "line", expect.stringMatching(/^malformed JSON: /)],
    ]);
  });

  it("uses the EventData XML over columns, folds _string suffixes, drops workspace columns", async () => {
    const { records } = await readAll(fixture("sentinel-rows.txt"));
    const [access, logon, pipe, ntlm] = records;
    expect(access).toMatchObject({
      EventRecordID: "b3a1321d-7a68-4242-85d8-8e60b4f98631",
      Computer: "DC01.simulandlabs.com",
      Provider: "Microsoft-Windows-Security-Auditing",
      TimeCreated: "2021-08-02T13:11:39.77Z",
    });
    expect(access?.EventData).not.toHaveProperty("Account");
    expect(access?.EventData).not.toHaveProperty("TenantId");
    expect(logon?.EventData).toMatchObject({
      TargetUserName: "wardog",
      TargetDomainName: "SIMULANDLABS.COM",
      IpAddress: "192.168.2.5",
      LogonType: "3",
    });
    expect(pipe).toMatchObject({
      Channel: "Microsoft-Windows-Sysmon/Operational",
      Provider: "Microsoft-Windows-Sysmon",
      EventData: { EventType: "ConnectPipe" },
    });
    expect(ntlm?.EventData).toMatchObject({ Workstation: "\\\\ADFS01", Status: "0x0" });
  });
});

describe("record-shaped JSON (the oracle's own layout) and evtx_dump JSON", () => {
  it("reads both, dropping null values", async () => {
    const { at, records, problems } = await readAll(fixture("records.jsonl"));
    expect(problems).toEqual([]);
    expect(at).toEqual([
      [1, 4728],
      [2, 4728],
      [3, 4794],
    ]);
    expect(records[0]?.EventData).not.toHaveProperty("PrivilegeList");
    expect(records[0]).toMatchObject({ EventRecordID: "5001", TimeCreated: "2024-03-04T11:00:00.000001Z" });
    expect(records[2]).toMatchObject({
      EventRecordID: "5003",
      Provider: "Microsoft-Windows-Security-Auditing",
      EventData: { Workstation: "DC01", Status: "0x0" },
    });
  });

  it("reads a JSON array of records and concatenated objects on one line", async () => {
    const lines = readFileSync(fixture("records.jsonl"), "utf8").trim().split("\n");
    const asArray = await readAll(Readable.from([`[${lines.join(",\n")}]`]));
    expect(asArray.at).toEqual([
      [0, 4728],
      [1, 4728],
      [2, 4794],
    ]);
    const concatenated = await readAll(Readable.from([` \n${lines.join("")}`]));
    expect(concatenated.at.map(([, id]) => id)).toEqual([4728, 4728, 4794]);
    expect([...asArray.problems, ...concatenated.problems]).toEqual([]);
  });

  it("reports a truncated array element and the unclosed array", async () => {
    const { at, problems } = await readAll(
      Readable.from(['[{"EventID":1,"TimeCreated":"2024-01-01T00:00:00Z","EventData":{}},\n{"EventID":2,']),
    );
    expect(at).toEqual([[0, 1]]);
    expect(problems).toEqual([
      [1, "index", "input ends inside a record (truncated)"],
      [2, "line", "JSON array is not closed at end of input"],
    ]);
  });
});
