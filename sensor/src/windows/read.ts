import { open } from "node:fs/promises";
import type { Readable } from "node:stream";
import { readEvtx, type EvtxRecord } from "../evtx/index.ts";
import { sniffSyntax, UnknownFormatError } from "./detect.ts";
import { isEvtx } from "./input/bytes.ts";
import { openEntries, type InputEntry, type OpenOptions } from "./input/source.ts";
import { decodeChunks } from "./input/text.ts";
import { ZipError } from "./input/zip.ts";
import { isObject } from "./json/fields.ts";
import { jsonToRecord } from "./json/flavors.ts";
import { chooseJsonSplitter, type JsonPiece } from "./json/split.ts";
import type { ProblemSink, ProblemUnit, ReadProblem, WindowsRecord } from "./record.ts";
import { eventElementToRecord } from "./xml/event.ts";
import { parseXmlElement, XmlSyntaxError } from "./xml/parse.ts";
import { XmlEventSplitter, type XmlPiece } from "./xml/split.ts";

export interface ReadWindowsOptions extends OpenOptions {
  /** Receives every malformed record and damaged container; reading always continues. */
  onProblem?: (problem: ReadProblem) => void;
  /** Skips content sniffing: `xml` for event XML, `json` for any JSON layout (flavour is still per record). */
  format?: "xml" | "json";
}

/** A record with where it was read from and which origin format it maps to. */
export interface LocatedRecord {
  record: WindowsRecord;
  file: string;
  position: number;
  unit: ProblemUnit;
  format: "evtx" | "event-xml" | "event-json";
}

/** Characters gathered at most before sniffing: room for a large first JSON-lines record. */
const SNIFF_CHARS = 1024 * 1024;
const XML_EVENT_TAG = /<(?:[\w.-]+:)?Events?[\s>/]/;

/**
 * Reads Windows events from a file path or a stream — EVTX, event XML or any supported JSON layout,
 * plain, gzip or zip, growing files with `follow` — yielding one record at a time with bounded memory.
 * It never throws: unreadable input and every malformed record go to `onProblem`, and the good
 * records around a bad one still come through.
 */
export async function* readWindowsRecords(source: string | Readable, options: ReadWindowsOptions = {}): AsyncGenerator<WindowsRecord> {
  for await (const located of readLocatedRecords(source, options)) yield located.record;
}

/** Like readWindowsRecords, with each record's file, position and origin format. */
export async function* readLocatedRecords(source: string | Readable, options: ReadWindowsOptions = {}): AsyncGenerator<LocatedRecord> {
  const report: ProblemSink = options.onProblem ?? (() => undefined);
  // An EVTX file is read by chunk from its file handle (random access lets it follow a log Windows
  // is writing); EVTX inside an archive or a stream is read in order from the entry's bytes below.
  if (typeof source === "string" && (await isEvtxFile(source))) {
    for await (const located of readEvtx(source, { ...options, onProblem: report })) yield fromEvtx(located);
    return;
  }
  try {
    for await (const entry of openEntries(source, options, report)) {
      yield* readEntry(entry, options.format, report);
    }
  } catch (error) {
    const file = typeof source === "string" ? source : (options.name ?? "<stream>");
    report({ file, position: 0, unit: "byte", reason: `reading stopped: ${(error as Error).message}` });
  }
}

async function* readEntry(entry: InputEntry, forced: ReadWindowsOptions["format"], report: ProblemSink): AsyncGenerator<LocatedRecord> {
  const { file } = entry;
  if (isEvtx(entry.head)) {
    for await (const located of readEvtx(entry.chunks, { name: file, onProblem: report })) yield fromEvtx(located);
    return;
  }
  const iterator = entry.chunks[Symbol.asyncIterator]();
  let bytes = 0;
  const text = decodeChunks({
    [Symbol.asyncIterator]: () => ({
      next: async () => {
        const next = await iterator.next();
        if (!next.done) bytes += next.value.length;
        return next;
      },
      return: async () => iterator.return?.() ?? { done: true, value: undefined },
    }),
  });
  let splitter: XmlEventSplitter | ReturnType<typeof chooseJsonSplitter> | undefined;
  let head = "";
  let kind: "xml" | "json" = "json";
  try {
    for await (const chunk of text) {
      if (!splitter) {
        head += chunk;
        if (head.length < SNIFF_CHARS && !enoughToSniff(head)) continue;
        [splitter, kind] = pickSplitter(head, forced);
        yield* handle(splitter.push(head), kind, file, report);
        continue;
      }
      yield* handle(splitter.push(chunk), kind, file, report);
    }
    if (!splitter && head.trim() !== "") {
      [splitter, kind] = pickSplitter(head, forced);
      yield* handle(splitter.push(head), kind, file, report);
    }
    if (splitter) yield* handle(splitter.end(), kind, file, report);
  } catch (error) {
    if (error instanceof UnknownFormatError) report({ file, position: 1, unit: "line", reason: error.message });
    else
      report({
        file,
        position: error instanceof ZipError ? error.offset : bytes,
        unit: "byte",
        reason: `input damaged, rest of it skipped: ${(error as Error).message}`,
      });
    await iterator.return?.();
  }
}

function fromEvtx(located: EvtxRecord): LocatedRecord {
  return { record: located.record, file: located.file, position: located.position, unit: "byte", format: "evtx" };
}

/** Sniffs the EVTX magic; anything unreadable is left to openEntries, which reports it. */
async function isEvtxFile(path: string): Promise<boolean> {
  try {
    const handle = await open(path, "r");
    try {
      const head = Buffer.alloc(8);
      const { bytesRead } = await handle.read(head, 0, 8, 0);
      return (await handle.stat()).isFile() && isEvtx(head.subarray(0, bytesRead));
    } finally {
      await handle.close();
    }
  } catch {
    return false;
  }
}

/** A whole first line for JSON; for XML, the first `<Event`/`<Events` (a declaration may come first). */
function enoughToSniff(head: string): boolean {
  const body = head.trimStart();
  if (body === "") return false;
  if (body.startsWith("<")) return XML_EVENT_TAG.test(body);
  return body.includes("\n");
}

function pickSplitter(
  head: string,
  forced: ReadWindowsOptions["format"],
): [XmlEventSplitter | ReturnType<typeof chooseJsonSplitter>, "xml" | "json"] {
  const syntax = forced ?? (sniffSyntax(head) === "xml" ? "xml" : "json");
  return syntax === "xml" ? [new XmlEventSplitter(), "xml"] : [chooseJsonSplitter(head), "json"];
}

function* handle(pieces: (XmlPiece | JsonPiece)[], kind: "xml" | "json", file: string, report: ProblemSink): Generator<LocatedRecord> {
  for (const piece of pieces) {
    const located = kind === "xml" ? fromXml(piece as XmlPiece, file, report) : fromJson(piece as JsonPiece, file, report);
    if (located) yield located;
  }
}

function fromXml(piece: XmlPiece, file: string, report: ProblemSink): LocatedRecord | undefined {
  if (piece.kind === "problem") return void report({ file, position: piece.line, unit: "line", reason: piece.reason });
  let result: WindowsRecord | string;
  try {
    result = eventElementToRecord(parseXmlElement(piece.text));
  } catch (error) {
    if (!(error instanceof XmlSyntaxError)) throw error;
    const line = piece.line + countNewlines(piece.text.slice(0, error.offset));
    result = `malformed XML at line ${line}: ${error.message}`;
  }
  if (typeof result === "string") return void report({ file, position: piece.line, unit: "line", reason: result });
  return { record: result, file, position: piece.line, unit: "line", format: "event-xml" };
}

function fromJson(piece: JsonPiece, file: string, report: ProblemSink): LocatedRecord | undefined {
  const where = { file, position: piece.position, unit: piece.unit };
  if (piece.kind === "problem") return void report({ ...where, reason: piece.text });
  let value: unknown;
  try {
    value = JSON.parse(piece.text);
  } catch (error) {
    return void report({ ...where, reason: `malformed JSON: ${(error as Error).message}` });
  }
  if (!isObject(value))
    return void report({ ...where, reason: `record is ${Array.isArray(value) ? "an array" : typeof value}, not a JSON object` });
  const result = jsonToRecord(value);
  if (typeof result === "string") return void report({ ...where, reason: result });
  return { record: result, ...where, format: "event-json" };
}

function countNewlines(text: string): number {
  let n = 0;
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) n++;
  return n;
}
