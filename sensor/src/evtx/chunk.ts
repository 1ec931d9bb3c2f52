import type { WindowsRecord } from "../windows/record.ts";
import { parseDocument, RECORD_BUDGET, type ChunkContext } from "./binxml.ts";
import { Cursor } from "./cursor.ts";
import { CHUNK_HEADER_SIZE, CHUNK_SIZE, isBlank, isChunkMagic, parseChunkHeader, RECORD_HEADER_SIZE } from "./layout.ts";
import { nodesToRecord, nodesToXml } from "./render.ts";

/** What decoding a chunk yields, in file order; offsets are relative to the chunk start. */
export type ChunkItem =
  | { kind: "record"; offset: number; recordId: bigint; record: WindowsRecord; xml?: string }
  | { kind: "problem"; offset: number; recordId?: bigint; reason: string };

export interface ChunkOptions {
  /** Slot number in the file, for messages. */
  index: number;
  /** Bytes of the chunk present in the file (a cut-short last chunk); the buffer is zero past them. */
  length?: number;
  /** Also render each record as XML text. */
  xml?: boolean;
  /** Only records with a higher id are returned (following a growing file). */
  after?: bigint;
  /** The chunk may be mid-write: stale checksums and an incomplete last record are expected, not problems. */
  live?: boolean;
}

const RECORD_MAGIC = Buffer.from([0x2a, 0x2a, 0x00, 0x00]);
/** Signature, size, id, written time before the BinXML; a copy of the size after it. */
const MIN_RECORD = RECORD_HEADER_SIZE + 4;

/**
 * Decodes one 64 KiB chunk. Checksum mismatches are reported but the records are still decoded,
 * each validated on its own (size and its trailing copy, then the BinXML within those bounds), so
 * one bad record costs only itself: decoding resumes at the next record signature. Records past
 * the header's free-space offset are read when they continue the id sequence — a file that was not
 * cleanly closed has them, as Windows' own recovery finds — and stale leftovers do not.
 */
export function* decodeChunk(buf: Buffer, options: ChunkOptions): Generator<ChunkItem> {
  const limit = Math.min(options.length ?? CHUNK_SIZE, CHUNK_SIZE, buf.length);
  const name = `chunk ${options.index}`;
  const headerless = !isChunkMagic(buf);
  let declaredEnd = CHUNK_HEADER_SIZE;
  let expected: bigint | undefined;
  if (headerless) {
    // A preallocated slot never written to (the same test as the file scan's probe).
    if (isBlank(buf.subarray(0, CHUNK_HEADER_SIZE + RECORD_HEADER_SIZE))) return;
    if (!isRecordAt(buf, CHUNK_HEADER_SIZE, limit)) {
      yield { kind: "problem", offset: 0, reason: `${name}: no ElfChnk signature and no records; chunk skipped` };
      return;
    }
    yield { kind: "problem", offset: 0, reason: `${name}: no ElfChnk signature; records recovered by scanning` };
  } else {
    const header = parseChunkHeader(buf);
    const checked = limit === CHUNK_SIZE && !options.live;
    if (checked && !header.headerCrcOk)
      yield { kind: "problem", offset: 0, reason: `${name}: header checksum mismatch; records still read, each checked on its own` };
    if (header.recordsCrcOk === undefined) {
      yield { kind: "problem", offset: 48, reason: `${name}: free space offset ${header.freeSpaceOffset} is outside the chunk` };
      declaredEnd = limit;
    } else {
      declaredEnd = header.freeSpaceOffset;
      if (checked && !header.recordsCrcOk)
        yield {
          kind: "problem",
          offset: 52,
          reason: `${name}: event records checksum mismatch; records still read, each checked on its own`,
        };
    }
    expected = header.firstRecordId;
  }
  const ctx: ChunkContext = { buf, names: new Map(), templates: new Map(), budget: RECORD_BUDGET };
  const seen = new Set<bigint>();
  let pos = CHUNK_HEADER_SIZE;
  while (pos + RECORD_HEADER_SIZE <= limit) {
    if (!buf.subarray(pos, pos + 4).equals(RECORD_MAGIC)) {
      if (pos >= declaredEnd || isBlank(buf.subarray(pos, declaredEnd))) return;
      const next = findRecord(buf, pos + 1, limit);
      if (!options.live)
        yield {
          kind: "problem",
          offset: pos,
          reason: `${name}: no record at chunk offset 0x${hex(pos)}; ${next < 0 ? "rest of the chunk skipped" : `${next - pos} bytes skipped to the next record`}`,
        };
      if (next < 0) return;
      pos = next;
      continue;
    }
    const size = buf.readUInt32LE(pos + 4);
    const id = buf.readBigUInt64LE(pos + 8);
    const bad = sizeProblem(buf, pos, size, limit);
    if (bad) {
      if (options.live) return;
      const next = findRecord(buf, pos + 4, limit);
      yield {
        kind: "problem",
        offset: pos,
        recordId: id,
        reason: `${name}, record ${id} at chunk offset 0x${hex(pos)}: ${bad}; ${next < 0 ? "rest of the chunk skipped" : "skipped"}`,
      };
      if (next < 0) return;
      pos = next;
      continue;
    }
    if (pos >= declaredEnd && expected !== undefined && id !== expected) return;
    pos += size;
    expected = id + 1n;
    if (seen.has(id) || (options.after !== undefined && id <= options.after)) continue;
    seen.add(id);
    yield decodeRecord(buf, ctx, pos - size, size, id, name, options.xml === true);
  }
}

function decodeRecord(buf: Buffer, ctx: ChunkContext, at: number, size: number, id: bigint, name: string, xml: boolean): ChunkItem {
  ctx.budget = RECORD_BUDGET;
  let result: WindowsRecord | string;
  let text: string | undefined;
  try {
    const nodes = parseDocument(new Cursor(buf, at + RECORD_HEADER_SIZE, at + size - 4), ctx, 0);
    result = nodesToRecord(nodes);
    if (xml) text = nodesToXml(nodes);
  } catch (error) {
    // Any failure (a format error, a range error from a corrupt length) is this record's problem only.
    result = `BinXML damaged: ${(error as Error).message}`;
  }
  if (typeof result === "string") return { kind: "problem", offset: at, recordId: id, reason: `${name}, record ${id}: ${result}` };
  if (result.EventRecordID === undefined) result.EventRecordID = String(id);
  return { kind: "record", offset: at, recordId: id, record: result, ...(text !== undefined ? { xml: text } : {}) };
}

function sizeProblem(buf: Buffer, at: number, size: number, limit: number): string | undefined {
  if (size < MIN_RECORD) return `size ${size} is too small`;
  if (at + size > limit)
    return limit < CHUNK_SIZE
      ? `cut short (needs ${size} bytes, the file ends after ${limit - at})`
      : `size ${size} runs past the chunk end`;
  if (buf.readUInt32LE(at + size - 4) !== size) return `size ${size} does not match its trailing copy ${buf.readUInt32LE(at + size - 4)}`;
  return undefined;
}

function isRecordAt(buf: Buffer, at: number, limit: number): boolean {
  return (
    at + MIN_RECORD <= limit &&
    buf.subarray(at, at + 4).equals(RECORD_MAGIC) &&
    sizeProblem(buf, at, buf.readUInt32LE(at + 4), limit) === undefined
  );
}

/** The next offset holding a record signature whose size and trailing copy agree, or -1. */
function findRecord(buf: Buffer, from: number, limit: number): number {
  for (let at = buf.indexOf(RECORD_MAGIC, from); at >= 0 && at + MIN_RECORD <= limit; at = buf.indexOf(RECORD_MAGIC, at + 1)) {
    if (isRecordAt(buf, at, limit)) return at;
  }
  return -1;
}

const hex = (n: number) => n.toString(16);
