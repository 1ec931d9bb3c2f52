import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { buildZip } from "./fixtures/zip-writer.ts";
import { detectFormat, UnknownFormatError } from "./index.ts";

const fixture = (name: string) => join(import.meta.dirname, "fixtures", name);
const dir = mkdtempSync(join(tmpdir(), "vigil-detect-"));

describe("detectFormat", () => {
  it.each([
    ["events.xml", { container: "plain", encoding: "utf-8", syntax: "xml" }],
    ["events-wrapped.xml", { container: "plain", encoding: "utf-8", syntax: "xml" }],
    ["nxlog.jsonl", { container: "plain", encoding: "utf-8", syntax: "json-lines", flavor: "nxlog" }],
    ["winlogbeat.jsonl", { container: "plain", encoding: "utf-8", syntax: "json-lines", flavor: "winlogbeat" }],
    ["powershell-array.txt", { container: "plain", encoding: "utf-8", syntax: "json-array", flavor: "powershell" }],
    ["sentinel-rows.txt", { container: "plain", encoding: "utf-8", syntax: "json-stream", flavor: "sentinel" }],
    ["records.jsonl", { container: "plain", encoding: "utf-8", syntax: "json-lines", flavor: "record" }],
  ])("sniffs %s from its content", async (name, expected) => {
    expect(await detectFormat(fixture(name))).toEqual(expected);
  });

  it("sees through gzip and zip, and ignores misleading file names", async () => {
    const gz = join(dir, "looks-like.xml");
    writeFileSync(gz, gzipSync(readFileSync(fixture("winlogbeat.jsonl"))));
    expect(await detectFormat(gz)).toEqual({ container: "gzip", encoding: "utf-8", syntax: "json-lines", flavor: "winlogbeat" });
    const zip = join(dir, "export.json");
    writeFileSync(zip, buildZip([{ name: "a/events.xml", data: readFileSync(fixture("events.xml")), deflate: true }]));
    expect(await detectFormat(zip)).toEqual({ container: "zip", encoding: "utf-8", syntax: "xml" });
  });

  it("detects from bytes, including UTF-16LE with a BOM and gzip", async () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(readFileSync(fixture("powershell-array.txt"), "utf8"), "utf16le")]);
    expect(await detectFormat(utf16)).toEqual({ container: "plain", encoding: "utf-16le", syntax: "json-array", flavor: "powershell" });
    expect(await detectFormat(gzipSync(readFileSync(fixture("events.xml"))))).toEqual({
      container: "gzip",
      encoding: "utf-8",
      syntax: "xml",
    });
  });

  it.each([
    ["plain text", "Event 4624 happened\n", /not Windows event XML or JSON; it starts with "Event 4624/],
    ["other XML", "<?xml version='1.0'?><rss><channel/></rss>", /XML without an <Event> element/],
    ["empty input", "   \n", /no content/],
    ["EVTX", "ElfFile\0\0\0\0\0\0\0\0", /EVTX binary log/],
  ])("rejects %s with a clear UnknownFormatError", async (_label, content, reason) => {
    const detection = detectFormat(Buffer.from(content, "latin1"));
    await expect(detection).rejects.toBeInstanceOf(UnknownFormatError);
    await expect(detectFormat(Buffer.from(content, "latin1"))).rejects.toThrow(reason);
  });

  it("names a missing file in the error", async () => {
    await expect(detectFormat(join(dir, "missing.xml"))).rejects.toThrow(/cannot open .*missing\.xml/);
  });

  const realEvtx = "/work/shared/datasets/attack-samples/dcsync/sb__CA_DCSync_4662.evtx";
  it.skipIf(!existsSync(realEvtx))("recognizes a real EVTX file as EVTX", async () => {
    await expect(detectFormat(realEvtx)).resolves.toEqual({ container: "plain", encoding: "utf-16le", syntax: "evtx" });
  });
});

describe("binary input that is not a Windows log", () => {
  it("names a packet capture instead of printing its bytes", async () => {
    const dir = mkdtempSync(join(tmpdir(), "vigil-detect-"));
    const pcap = join(dir, "capture.bin");
    writeFileSync(pcap, Buffer.from([0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 1, 0, 0, 0]));
    const error = await detectFormat(pcap).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnknownFormatError);
    expect((error as Error).message).toMatch(/looks like a packet capture/);
    expect([...(error as Error).message].some((c) => c.charCodeAt(0) < 9)).toBe(false);
  });
});
