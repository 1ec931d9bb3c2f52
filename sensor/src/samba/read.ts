import type { Readable } from "node:stream";
import type { EventDraft } from "../contract/index.ts";
import { openEntries } from "../windows/input/source.ts";
import type { ReadProblem } from "../windows/record.ts";
import { mapSambaRecord, type SambaMapStats } from "./map.ts";
import { looksLikeSambaAudit, parseSambaLine } from "./record.ts";
import { tailFile } from "./tail.ts";

export interface ReadSambaOptions {
  tenantId: string;
  sensorId: string;
  /** Host name of the Samba DC that wrote the log (the JSON does not say); sets `dc` on every event. */
  dc?: string;
  /** Follow the file as it grows, across rotation, until `signal` aborts. */
  follow?: boolean;
  signal?: AbortSignal;
  pollIntervalMs?: number;
  /** Name used in problems for a stream source (default `<stream>`). */
  name?: string;
  /** Every bad line and every record that could not be mapped; reading always goes on. */
  onProblem?: (problem: ReadProblem) => void;
  stats?: SambaMapStats;
}

/**
 * Reads Samba JSON audit logs (the `auth_json_audit` / `dsdb_*_json_audit` class files, with or without
 * Samba's debug header lines, plain or gzip; or JSON lines of the same records) and maps them to
 * event drafts, line by line with bounded memory. Never throws: a bad line is reported with its
 * line number and the lines around it still map.
 */
export async function* readSambaEvents(source: string | Readable, options: ReadSambaOptions): AsyncGenerator<EventDraft> {
  const report = options.onProblem ?? (() => undefined);
  const file = typeof source === "string" ? source : (options.name ?? "<stream>");
  let line = 0;
  try {
    for await (const text of lines(source, options, report)) {
      line++;
      const parsed = parseSambaLine(text);
      if (parsed.kind === "skip") continue;
      if (parsed.kind === "problem") {
        report({ file, position: line, unit: "line", reason: parsed.reason });
        continue;
      }
      yield* mapSambaRecord(parsed.record, {
        tenantId: options.tenantId,
        sensorId: options.sensorId,
        ...(options.dc ? { dc: options.dc } : {}),
        ...(options.stats ? { stats: options.stats } : {}),
        onProblem: (p) => report({ file, position: line, unit: "line", reason: `${p.type}: ${p.reason}`, recordId: p.recordId }),
      });
    }
  } catch (error) {
    report({ file, position: line, unit: "line", reason: `reading stopped: ${(error as Error).message}` });
  }
}

/** The file's (or stream's) lines without their newline; gzip is unwrapped by its magic bytes. */
async function* lines(source: string | Readable, options: ReadSambaOptions, report: (p: ReadProblem) => void): AsyncGenerator<string> {
  const decoder = new TextDecoder("utf-8");
  let rest = "";
  // Scans with a cursor and cuts the remainder once per chunk: re-slicing the rest after every line
  // would copy a chunk's text once per line it holds.
  const split = function* (text: string) {
    const buffer = rest + text;
    let from = 0;
    for (let newline = buffer.indexOf("\n"); newline >= 0; newline = buffer.indexOf("\n", from)) {
      const end = newline > from && buffer.charCodeAt(newline - 1) === 13 ? newline - 1 : newline;
      yield buffer.slice(from, end);
      from = newline + 1;
    }
    rest = buffer.slice(from);
  };
  if (options.follow && typeof source === "string") {
    const chunks = tailFile(source, {
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.pollIntervalMs !== undefined ? { pollIntervalMs: options.pollIntervalMs } : {}),
      onRotated: () => report({ file: source, position: 0, unit: "byte", reason: "log rotated; reading the new file from its start" }),
      onTruncated: (at) =>
        report({ file: source, position: at, unit: "byte", reason: "file shrank (truncated); reading again from its start" }),
    });
    for await (const chunk of chunks) yield* split(decoder.decode(chunk, { stream: true }));
  } else {
    for await (const entry of openEntries(source, options.name ? { name: options.name } : {}, report)) {
      for await (const chunk of entry.chunks) yield* split(decoder.decode(chunk, { stream: true }));
    }
  }
  rest += decoder.decode();
  if (rest !== "") yield rest;
}

/** Bytes looked at to recognise a Samba audit file: room for a few long records. */
const SNIFF_BYTES = 64 * 1024;

/** Whether a file is a Samba JSON audit log, judged by its first message line (never by its name). */
export async function isSambaAuditFile(path: string): Promise<boolean> {
  const problems: string[] = [];
  try {
    for await (const entry of openEntries(path, {}, (p) => problems.push(p.reason))) {
      const parts: Uint8Array[] = [];
      let size = 0;
      for await (const chunk of entry.chunks) {
        parts.push(chunk);
        size += chunk.length;
        if (size >= SNIFF_BYTES) break;
      }
      return looksLikeSambaAudit(new TextDecoder("utf-8").decode(Buffer.concat(parts).subarray(0, SNIFF_BYTES)));
    }
  } catch {
    return false;
  }
  return false;
}
