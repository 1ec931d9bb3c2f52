import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { readWindowsRecords, type ReadProblem, type WindowsRecord } from "./index.ts";
import { parseXmlElement, XmlSyntaxError } from "./xml/parse.ts";

const fixtures = join(import.meta.dirname, "fixtures");
const eventsXml = join(fixtures, "events.xml");

async function readAll(source: string | Readable, options: { name?: string } = {}) {
  const problems: ReadProblem[] = [];
  const records: WindowsRecord[] = [];
  for await (const r of readWindowsRecords(source, { ...options, onProblem: (p) => problems.push(p) })) records.push(r);
  return { records, problems: problems.map((p) => [p.position, p.unit, p.reason] as const) };
}

/** A stream that delivers `bytes` in pieces of `size`, to put chunk boundaries inside every token. */
function trickle(bytes: Uint8Array, size: number): Readable {
  const pieces: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += size) pieces.push(bytes.subarray(i, i + size));
  return Readable.from(pieces);
}

const expectedProblems = [
  [3, "line", "malformed XML at line 3: end tag </Wrong> does not match <EventData>"],
  [25, "line", 'TimeCreated SystemTime "yesterday" is not a timestamp'],
  [26, "line", 'unexpected text outside an <Event>: "this line is not XML"'],
  [29, "line", "event is not closed before the next <Event> starts"],
  [35, "line", "input ends inside an event (truncated <Event>)"],
];

describe("event XML reader", () => {
  it("reads every good event around malformed ones and reports each bad one by line", async () => {
    const { records, problems } = await readAll(eventsXml);
    expect(records.map((r) => r.EventRecordID)).toEqual(["1001", "1003", "1005", "1006", "1008", "1009"]);
    expect(problems).toEqual(expectedProblems);
  });

  it("reads System fields: EventID with Qualifiers, SystemTime (zoneless = UTC), Provider, Channel, Computer, UserID", async () => {
    const { records } = await readAll(eventsXml);
    const byId = new Map(records.map((r) => [r.EventRecordID, r]));
    expect(byId.get("1001")).toMatchObject({
      EventID: 4624,
      TimeCreated: "2024-03-01T10:00:00.1234567Z",
      Computer: "DC01.corp.example",
      Channel: "Security",
      Provider: "Microsoft-Windows-Security-Auditing",
    });
    expect(byId.get("1005")).toMatchObject({ EventID: 5805, TimeCreated: "2024-03-01T10:00:03.5Z", Provider: "NETLOGON" });
    expect(byId.get("1009")).toMatchObject({ EventID: 7045, UserID: "S-1-5-21-1-2-3-1105", Provider: "Service Control Manager" });
  });

  it("names unnamed Data as Data_<i>, keeps Binary, flattens UserData and decodes entities", async () => {
    const { records } = await readAll(eventsXml);
    const byId = new Map(records.map((r) => [r.EventRecordID, r.EventData]));
    expect(byId.get("1005")).toEqual({ Data_0: "WKS66", Data_1: "%%5", Binary_2: "220000C0" });
    expect(byId.get("1006")).toEqual({
      SubjectUserSid: "S-1-5-21-1-2-3-500",
      SubjectUserName: "admin",
      SubjectDomainName: "CORP",
      SubjectLogonId: "0x3e7",
    });
    expect(byId.get("1009")?.["ImagePath"]).toBe("%COMSPEC% /C powershell -enc AAAA & exit");
    expect(byId.get("1008")?.["Properties"]).toContain("{1131F6AD-9C07-11D1-F79F-00C04FC2DCD2}");
    // Values stay as written (untrimmed), like the oracle; mappers trim.
    expect(byId.get("1001")?.["TargetUserName"]).toBe("alice ");
  });

  it("reads events wrapped in <Events> with single-quoted attributes and a comment", async () => {
    const { records, problems } = await readAll(join(fixtures, "events-wrapped.xml"));
    expect(records.map((r) => [r.EventID, r.EventRecordID])).toEqual([
      [4768, "2001"],
      [5136, "2002"],
    ]);
    expect(records[1]?.EventData["AttributeValue"]).toBe("B:828:0002<...>:CN=WKS07");
    expect(problems).toEqual([[6, "line", "malformed XML at line 6: unknown entity &bogus;"]]);
  });

  it("gives the same result for UTF-16LE with a BOM (PowerShell 5.1 redirection)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "vigil-xml-"));
    const file = join(dir, "events.txt");
    writeFileSync(file, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(readFileSync(eventsXml, "utf8"), "utf16le")]));
    const { records, problems } = await readAll(file);
    expect(records.map((r) => r.EventRecordID)).toEqual(["1001", "1003", "1005", "1006", "1008", "1009"]);
    expect(problems).toEqual(expectedProblems);
  });

  it("is unaffected by chunk boundaries on a stream (7-byte pieces)", async () => {
    const { records, problems } = await readAll(trickle(readFileSync(eventsXml), 7), { name: "<stdin>" });
    expect(records.map((r) => r.EventRecordID)).toEqual(["1001", "1003", "1005", "1006", "1008", "1009"]);
    expect(problems).toEqual(expectedProblems);
  });

  it("reads one-line wevtutil output with no newlines between events", async () => {
    const text = readFileSync(join(fixtures, "events-wrapped.xml"), "utf8")
      .split("\n")
      .filter((l) => l.startsWith("<Event ") && !l.includes("bogus"))
      .join("");
    const { records, problems } = await readAll(Readable.from([Buffer.from(text)]));
    expect(records.map((r) => r.EventID)).toEqual([4768, 5136]);
    expect(problems).toEqual([]);
  });
});

describe("parseXmlElement", () => {
  it("decodes character references and CDATA, and drops namespace prefixes", () => {
    const el = parseXmlElement(`<e:Event xmlns:e="x"><e:Data Name="a&#x41;">&#66;&lt;<![CDATA[<raw&>]]></e:Data></e:Event>`);
    expect(el.name).toBe("Event");
    expect(el.children[0]).toMatchObject({ name: "Data", attrs: { Name: "aA" }, text: "B<<raw&>" });
  });

  it.each([
    ["<Event><System></Event>", /does not match/],
    ["<Event a=1></Event>", /not quoted/],
    ["<Event>&nope;</Event>", /unknown entity/],
    ["<Event>a & b</Event>", /unescaped '&'/],
    ["<Event></Event><Event/>", /content after the end/],
    ["<Event><System>", /not closed/],
  ])("rejects %s", (src, reason) => {
    expect(() => parseXmlElement(src)).toThrow(XmlSyntaxError);
    expect(() => parseXmlElement(src)).toThrow(reason);
  });
});
