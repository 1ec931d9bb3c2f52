import { open, type FileHandle } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { ProgressMeter } from "../windows/input/bytes.ts";
import type { ReadProgress } from "../windows/input/source.ts";
import type { ProblemSink, ReadProblem, WindowsRecord } from "../windows/record.ts";
import { decodeChunk, type ChunkOptions } from "./chunk.ts";
import { CHUNK_SIZE, FILE_HEADER_SIZE, parseFileHeader } from "./layout.ts";
import { readSlot, scanSlots, streamSlots, type Slot } from "./slots.ts";

export interface EvtxReadOptions {
  /** Receives every damaged header, chunk and record (position: byte offset in the file); reading goes on. */
  onProblem?: (problem: ReadProblem) => void;
  onProgress?: (progress: ReadProgress) => void;
  signal?: AbortSignal;
  /** Keep reading a file that Windows is still writing, re-scanning its chunks every poll, until `signal` aborts. */
  follow?: boolean;
  pollIntervalMs?: number;
  /** Also render each record as event XML text (`EvtxRecord.xml`). */
  xml?: boolean;
  /** Name used in problems when reading a stream (default `<stream>`). */
  name?: string;
}

/** One decoded record and where it is: byte offset in the file, chunk slot, record id. */
export interface EvtxRecord {
  record: WindowsRecord;
  file: string;
  position: number;
  chunk: number;
  recordId: string;
  xml?: string;
}

/**
 * Reads an EVTX file (or an EVTX byte stream: a zip member, a gunzipped file) record by record, one
 * 64 KiB chunk in memory at a time. It never throws: an unreadable file, a damaged header, chunk or
 * record is reported through `onProblem` with its byte offset and the chunk / record it concerns,
 * and everything around it is still read.
 */
export async function* readEvtx(source: string | AsyncIterable<Uint8Array>, options: EvtxReadOptions = {}): AsyncGenerator<EvtxRecord> {
  const file = typeof source === "string" ? source : (options.name ?? "<stream>");
  const report: ProblemSink = options.onProblem ?? (() => undefined);
  try {
    if (typeof source === "string") yield* readFile(source, options, report);
    else yield* readStream(source, file, options, report);
  } catch (error) {
    report({ file, position: 0, unit: "byte", reason: `reading stopped: ${(error as Error).message}` });
  }
}

/** Just the records of an EVTX file, in the shape every Windows reader produces. */
export async function* readEvtxRecords(path: string, options: EvtxReadOptions = {}): AsyncGenerator<WindowsRecord> {
  for await (const located of readEvtx(path, options)) yield located.record;
}

async function* readFile(path: string, options: EvtxReadOptions, report: ProblemSink): AsyncGenerator<EvtxRecord> {
  let handle: FileHandle;
  try {
    handle = await open(path, "r");
  } catch (error) {
    return report({ file: path, position: 0, unit: "byte", reason: `cannot open: ${(error as Error).message}` });
  }
  try {
    const stat = await handle.stat();
    if (stat.isDirectory()) return report({ file: path, position: 0, unit: "byte", reason: "is a directory, not a file" });
    const header = Buffer.alloc(FILE_HEADER_SIZE);
    const { bytesRead } = await handle.read(header, 0, FILE_HEADER_SIZE, 0);
    checkHeader(header.subarray(0, bytesRead), path, report);
    const meter = new ProgressMeter(options.onProgress, path, stat.size);
    const progress = { bytes: bytesRead, add: (n: number) => ((progress.bytes += n), meter.add(n)) };
    meter.add(bytesRead);
    const state: FollowState = { after: undefined, size: stat.size, reported: new Set() };
    yield* readChunks(handle, path, options, report, state, false, progress.add);
    // Blank and dead slots are never read in full; the whole file has been covered all the same.
    meter.add(Math.max(0, stat.size - progress.bytes));
    meter.flush();
    if (options.follow) yield* follow(handle, path, options, report, state);
  } finally {
    await handle.close();
  }
}

interface FollowState {
  /** Highest record id returned so far: a re-scan returns only newer records. */
  after: bigint | undefined;
  size: number;
  /** Problems already reported, so a chunk re-read while following does not repeat them. */
  reported: Set<string>;
}

async function* readChunks(
  handle: FileHandle,
  path: string,
  options: EvtxReadOptions,
  report: ProblemSink,
  state: FollowState,
  rescan: boolean,
  onBytes?: (n: number) => void,
): AsyncGenerator<EvtxRecord> {
  const { slots, dead } = await scanSlots(handle, state.size);
  const once = (problem: ReadProblem) => {
    const key = `${problem.position}:${problem.reason}`;
    if (state.reported.has(key)) return;
    if (state.reported.size > 10_000) state.reported.clear();
    state.reported.add(key);
    report(problem);
  };
  for (const d of dead)
    once({ file: path, position: d.offset, unit: "byte", reason: `chunk ${d.index}: no ElfChnk signature and no records; chunk skipped` });
  const buf = Buffer.alloc(CHUNK_SIZE);
  const newest = slots.at(-1);
  // A re-scan while following returns only records newer than any returned; the first pass returns all.
  const after = rescan ? state.after : undefined;
  for (const slot of slots) {
    if (options.signal?.aborted) return;
    if (after !== undefined && slot !== newest && slot.lastId <= after) continue;
    const length = await readSlot(handle, slot, buf);
    onBytes?.(length);
    // The newest chunk of a followed log may be mid-write: its incomplete tail is awaited, not reported.
    const live = options.follow === true && slot === newest;
    if (length < CHUNK_SIZE && !live)
      once({
        file: path,
        position: slot.offset + length,
        unit: "byte",
        reason: `chunk ${slot.index}: file ends ${length} bytes into this 64 KiB chunk (cut short); records before the cut are read`,
      });
    for (const item of emit(buf, slot, path, { index: slot.index, length, xml: options.xml, after, live }, once)) {
      const id = BigInt(item.recordId);
      state.after = state.after === undefined ? id : max(state.after, id);
      yield item;
    }
  }
}

function* emit(
  buf: Buffer,
  slot: Pick<Slot, "index" | "offset">,
  file: string,
  options: ChunkOptions,
  report: ProblemSink,
): Generator<EvtxRecord> {
  for (const item of decodeChunk(buf, options)) {
    const position = slot.offset + item.offset;
    if (item.kind === "problem") {
      report({
        file,
        position,
        unit: "byte",
        reason: item.reason,
        ...(item.recordId !== undefined ? { recordId: String(item.recordId) } : {}),
      });
      continue;
    }
    yield {
      record: item.record,
      file,
      position,
      chunk: slot.index,
      recordId: String(item.recordId),
      ...(item.xml !== undefined ? { xml: item.xml } : {}),
    };
  }
}

/**
 * Best-effort following of a log Windows is writing: Windows fills the newest chunk in place and
 * adds chunks as it goes (reusing the oldest once the log is full), so each poll re-scans the chunk
 * headers and re-reads the newest chunk and any chunk announcing records past the last one returned.
 * A record still being written fails its size check and is simply picked up on a later poll.
 */
async function* follow(
  handle: FileHandle,
  path: string,
  options: EvtxReadOptions,
  report: ProblemSink,
  state: FollowState,
): AsyncGenerator<EvtxRecord> {
  while (!options.signal?.aborted) {
    try {
      await sleep(options.pollIntervalMs ?? 500, undefined, { signal: options.signal });
    } catch {
      return;
    }
    const { size } = await handle.stat();
    if (size < state.size) {
      report({ file: path, position: size, unit: "byte", reason: "file shrank (cleared or replaced); reading it again from its start" });
      state.after = undefined;
    }
    state.size = size;
    yield* readChunks(handle, path, options, report, state, true);
  }
}

async function* readStream(
  chunks: AsyncIterable<Uint8Array>,
  file: string,
  options: EvtxReadOptions,
  report: ProblemSink,
): AsyncGenerator<EvtxRecord> {
  for await (const { index, buf, length } of streamSlots(chunks)) {
    if (options.signal?.aborted) return;
    const offset = FILE_HEADER_SIZE + index * CHUNK_SIZE;
    if (index < 0) {
      checkHeader(buf.subarray(0, length), file, report);
      continue;
    }
    if (length < CHUNK_SIZE)
      report({
        file,
        position: offset + length,
        unit: "byte",
        reason: `chunk ${index}: input ends ${length} bytes into this 64 KiB chunk (cut short); records before the cut are read`,
      });
    yield* emit(buf, { index, offset }, file, { index, length, xml: options.xml }, report);
  }
}

/** One problem for the whole file header, if anything is wrong with it; its chunks are read regardless. */
function checkHeader(header: Buffer, file: string, report: ProblemSink): void {
  const problems =
    header.length < FILE_HEADER_SIZE
      ? [`file header cut short (${header.length} of ${FILE_HEADER_SIZE} bytes)`]
      : parseFileHeader(header).problems;
  if (problems.length > 0)
    report({
      file,
      position: 0,
      unit: "byte",
      reason: `EVTX binary log with a damaged header (${problems.join("; ")}); its chunks are still read`,
    });
}

const max = (a: bigint, b: bigint) => (a > b ? a : b);
