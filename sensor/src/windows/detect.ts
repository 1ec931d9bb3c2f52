import { open } from "node:fs/promises";
import { gunzip, isEvtx, isGzip, isZip, peek } from "./input/bytes.ts";
import { openEntries } from "./input/source.ts";
import { sniffEncoding, type TextEncodingName } from "./input/text.ts";
import { classifyJson, type JsonFlavor } from "./json/flavors.ts";
import { isObject } from "./json/fields.ts";
import { chooseJsonSplitter, JsonLinesSplitter } from "./json/split.ts";

/** How the records are laid out: in text, or `evtx` for the binary Windows event log (its strings are UTF-16LE). */
export type TextSyntax = "xml" | "json-lines" | "json-array" | "json-stream" | "evtx";

/** What `detectFormat` found: the container, the text encoding and layout, and the first record's JSON flavour. */
export interface WindowsFormat {
  container: "plain" | "gzip" | "zip";
  encoding: TextEncodingName;
  syntax: TextSyntax;
  flavor?: JsonFlavor;
}

/** Input that is not a Windows event log (EVTX, event XML or JSON), with what it looks like instead. */
export class UnknownFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UnknownFormatError";
  }
}

const SNIFF_BYTES = 64 * 1024;
const EVTX_HEADER_BYTES = 4096;

/** Decides the layout from the start of the decoded text, or throws UnknownFormatError saying why not. */
export function sniffSyntax(text: string): TextSyntax {
  const body = text.replace(/^\uFEFF/, "").trimStart();
  if (body === "") throw new UnknownFormatError("no content to recognize (empty or whitespace only)");
  if (body.startsWith("<")) {
    if (/<(?:[\w.-]+:)?Events?[\s>/]/.test(body)) return "xml";
    throw new UnknownFormatError(`XML without an <Event> element at its start: ${JSON.stringify(body.slice(0, 60))}`);
  }
  if (body.startsWith("[")) return "json-array";
  if (body.startsWith("{")) return chooseJsonSplitter(body) instanceof JsonLinesSplitter ? "json-lines" : "json-stream";
  throw new UnknownFormatError(`not Windows event XML or JSON; it starts with ${describeStart(body)}`);
}

/** pcap (both byte orders), pcapng, and pcap as it looks after UTF-8 decoding replaced its bytes. */
const PCAP_MAGICS = ["\xd4\xc3\xb2\xa1", "\xa1\xb2\xc3\xd4", "\x0a\x0d\x0d\x0a", "\ufffd\u00f2\ufffd"];

/** Packet captures are the usual binary stranger here; name them rather than print their bytes. */
function describeStart(body: string): string {
  const head = body.slice(0, 40);
  // Control characters other than tab/newline, or U+FFFD from undecodable bytes, mean binary input.
  // eslint-disable-next-line no-control-regex
  if (!/[\u0000-\u0008\u000e-\u001f\ufffd]/.test(head)) return JSON.stringify(head);
  const bytes = Buffer.from(body.slice(0, 4), "latin1");
  const pcap = PCAP_MAGICS.some((magic) => body.startsWith(magic));
  return pcap
    ? "binary data that looks like a packet capture (pcap input is read by the network sensor)"
    : `binary data (0x${bytes.toString("hex")}…)`;
}

/**
 * Detects a file's (or a buffer's) format by sniffing content — magic bytes for gzip / zip / EVTX,
 * then the first characters and the first JSON record — never by file name. For a zip the first
 * member is examined. Throws UnknownFormatError with a reason when nothing fits.
 */
export async function detectFormat(input: string | Uint8Array): Promise<WindowsFormat> {
  const magic = typeof input === "string" ? await readMagic(input) : input.subarray(0, 8);
  const container = isZip(magic) ? "zip" : isGzip(magic) ? "gzip" : "plain";
  if (isEvtx(magic)) return evtxFormat(container, typeof input === "string" ? undefined : input.length);
  const head = typeof input === "string" ? await headOfFile(input) : await headOfBytes(input);
  if (isEvtx(head)) return evtxFormat(container, typeof input === "string" || container !== "plain" ? undefined : head.length);
  const encoding = sniffEncoding(head);
  const text = new TextDecoder(encoding).decode(head);
  const syntax = sniffSyntax(text);
  const format: WindowsFormat = { container, encoding, syntax };
  if (syntax !== "xml") {
    const flavor = firstJsonFlavor(text);
    if (flavor) format.flavor = flavor;
  }
  return format;
}

/** EVTX bytes too short to hold even the file header are nothing the reader could use. */
function evtxFormat(container: WindowsFormat["container"], bytes: number | undefined): WindowsFormat {
  if (bytes !== undefined && bytes < EVTX_HEADER_BYTES)
    throw new UnknownFormatError(`an EVTX binary log cut short: ${bytes} of its ${EVTX_HEADER_BYTES} header bytes`);
  return { container, encoding: "utf-16le", syntax: "evtx" };
}

function firstJsonFlavor(text: string): JsonFlavor | undefined {
  const splitter = chooseJsonSplitter(text);
  for (const piece of [...splitter.push(text), ...splitter.end()]) {
    if (piece.kind !== "value") continue;
    try {
      const value: unknown = JSON.parse(piece.text);
      return isObject(value) ? classifyJson(value) : undefined;
    } catch {
      continue;
    }
  }
  return undefined;
}

async function readMagic(path: string): Promise<Uint8Array> {
  const handle = await open(path, "r").catch((error: Error) => {
    throw new UnknownFormatError(`cannot open ${path}: ${error.message}`);
  });
  try {
    const buffer = Buffer.alloc(8);
    const { bytesRead } = await handle.read(buffer, 0, 8, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

async function headOfFile(path: string): Promise<Uint8Array> {
  const problems: string[] = [];
  for await (const entry of openEntries(path, {}, (p) => problems.push(p.reason))) {
    const { head } = await peek(entry.chunks, SNIFF_BYTES);
    return head.subarray(0, SNIFF_BYTES);
  }
  throw new UnknownFormatError(problems[0] ?? `${path} holds nothing to read`);
}

async function headOfBytes(bytes: Uint8Array): Promise<Uint8Array> {
  if (isZip(bytes)) throw new UnknownFormatError("a zip archive given as bytes: pass its path so its members can be listed");
  if (!isGzip(bytes)) return bytes.subarray(0, SNIFF_BYTES);
  const parts: Uint8Array[] = [];
  let size = 0;
  try {
    for await (const chunk of gunzip(once(bytes))) {
      parts.push(chunk);
      size += chunk.length;
      if (size >= SNIFF_BYTES) break;
    }
  } catch {
    // A gzip head cut short still yields its first bytes, which is all sniffing needs.
  }
  return Buffer.concat(parts).subarray(0, SNIFF_BYTES);
}

async function* once(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}
