import { createReadStream } from "node:fs";
import { open, type FileHandle } from "node:fs/promises";
import type { Readable } from "node:stream";
import type { ProblemSink } from "../record.ts";
import { counted, followFile, gunzip, isGzip, isZip, peek, ProgressMeter } from "./bytes.ts";
import { listZipMembers, readZipMember, ZipError } from "./zip.ts";

/** Bytes read so far from a file (compressed bytes for .gz/.zip) against its size, when known. */
export interface ReadProgress {
  file: string;
  bytesRead: number;
  totalBytes?: number;
}

export interface OpenOptions {
  /** Name used in problems for a stream source (default `<stream>`). */
  name?: string;
  /** Keep reading a plain file as it grows, until `signal` aborts. */
  follow?: boolean;
  pollIntervalMs?: number;
  signal?: AbortSignal;
  onProgress?: (progress: ReadProgress) => void;
}

/** One text stream to parse: a plain file, a decompressed .gz, a zip member, or a stream. */
export interface InputEntry {
  file: string;
  /** The first bytes (for sniffing); `chunks` still starts with them. */
  head: Uint8Array;
  chunks: AsyncIterable<Uint8Array>;
}

/**
 * Opens a path or stream and yields its text entries, unwrapping gzip and zip by their magic bytes,
 * never by file name. Damage that stops an entry (unreadable file, broken archive index) is
 * reported; the caller consumes each entry fully before asking for the next.
 */
export async function* openEntries(source: string | Readable, options: OpenOptions, report: ProblemSink): AsyncGenerator<InputEntry> {
  if (typeof source !== "string") {
    const name = options.name ?? "<stream>";
    const meter = new ProgressMeter(options.onProgress, name, undefined);
    yield* unwrap(name, counted(asBytes(source), meter.add), report, 0);
    meter.flush();
    return;
  }
  let handle: FileHandle;
  try {
    handle = await open(source, "r");
  } catch (error) {
    report({ file: source, position: 0, unit: "byte", reason: `cannot open: ${(error as Error).message}` });
    return;
  }
  try {
    const stat = await handle.stat();
    if (stat.isDirectory()) return report({ file: source, position: 0, unit: "byte", reason: "is a directory, not a file" });
    const head = Buffer.alloc(8);
    const { bytesRead } = await handle.read(head, 0, 8, 0);
    const meter = new ProgressMeter(options.onProgress, source, stat.isFile() ? stat.size : undefined);
    if (isZip(head.subarray(0, bytesRead))) {
      yield* zipEntries(source, handle, stat.size, meter, report);
    } else if (options.follow) {
      if (isGzip(head))
        return report({ file: source, position: 0, unit: "byte", reason: "a compressed file cannot be followed; read it without follow" });
      const chunks = followFile(handle, {
        signal: options.signal,
        pollIntervalMs: options.pollIntervalMs ?? 500,
        onTruncated: (at) =>
          report({ file: source, position: at, unit: "byte", reason: "file shrank (rotated or truncated); reading again from its start" }),
      });
      yield* unwrap(source, counted(chunks, meter.add), report, 0);
    } else {
      yield* unwrap(source, counted(createReadStream(source) as AsyncIterable<Uint8Array>, meter.add), report, 0);
    }
    meter.flush();
  } finally {
    await handle.close();
  }
}

async function* zipEntries(
  path: string,
  handle: FileHandle,
  size: number,
  meter: ProgressMeter,
  report: ProblemSink,
): AsyncGenerator<InputEntry> {
  let members;
  try {
    members = await listZipMembers(handle, size);
  } catch (error) {
    report({ file: path, position: error instanceof ZipError ? error.offset : 0, unit: "byte", reason: (error as Error).message });
    return;
  }
  for (const member of members) {
    // Directories and macOS resource forks hold no events.
    if (member.name.endsWith("/") || member.name.startsWith("__MACOSX/")) continue;
    const file = `${path}!${member.name}`;
    try {
      yield* unwrap(file, readZipMember(path, handle, member, meter.add), report, 1);
    } catch (error) {
      report({ file, position: error instanceof ZipError ? error.offset : 0, unit: "byte", reason: (error as Error).message });
    }
  }
}

async function* unwrap(file: string, chunks: AsyncIterable<Uint8Array>, report: ProblemSink, depth: number): AsyncGenerator<InputEntry> {
  const { head, rest } = await peek(chunks, 8);
  if (isGzip(head) && depth < 3) {
    yield* unwrap(file, gunzip(rest), report, depth + 1);
    return;
  }
  if (isZip(head)) {
    report({
      file,
      position: 0,
      unit: "byte",
      reason: "a zip archive inside a stream or another archive is not read; extract it or pass its path",
    });
    return;
  }
  yield { file, head, chunks: rest };
}

/** Streams in text mode (`setEncoding`, `Readable.from(strings)`) yield strings; everything downstream wants bytes. */
async function* asBytes(stream: Readable): AsyncGenerator<Uint8Array> {
  for await (const chunk of stream as AsyncIterable<Uint8Array | string>)
    yield typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk;
}
