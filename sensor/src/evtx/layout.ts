import { crc32 } from "node:zlib";

/** Sizes fixed by the format (libyal's EVTX notes, [MS-EVEN6]). */
export const FILE_HEADER_SIZE = 4096;
export const CHUNK_SIZE = 65536;
export const CHUNK_HEADER_SIZE = 512;
export const RECORD_HEADER_SIZE = 24;

const FILE_MAGIC = Buffer.from("ElfFile\0", "latin1");
const CHUNK_MAGIC = Buffer.from("ElfChnk\0", "latin1");
const FLAG_DIRTY = 0x1;
const FLAG_FULL = 0x2;

/** What the 4 KiB file header says; `problems` lists what is wrong with it (the chunks are read anyway). */
export interface FileHeader {
  firstChunk: bigint;
  lastChunk: bigint;
  nextRecordId: bigint;
  majorVersion: number;
  minorVersion: number;
  chunkCount: number;
  dirty: boolean;
  full: boolean;
  problems: string[];
}

export const isFileMagic = (b: Uint8Array) => b.length >= 8 && FILE_MAGIC.equals(b.subarray(0, 8));
export const isChunkMagic = (b: Uint8Array, at = 0) => b.length >= at + 8 && CHUNK_MAGIC.equals(b.subarray(at, at + 8));

/**
 * Parses the file header. Nothing in it is needed to read the chunks (they sit at fixed 64 KiB
 * slots), so a damaged header is reported and reading goes on: a dirty file's chunk count is known
 * to be stale, which is why chunks are found by their signatures, as Event Viewer does.
 */
export function parseFileHeader(b: Buffer): FileHeader {
  const problems: string[] = [];
  if (b.length < 128) {
    return {
      firstChunk: 0n,
      lastChunk: 0n,
      nextRecordId: 0n,
      majorVersion: 0,
      minorVersion: 0,
      chunkCount: 0,
      dirty: false,
      full: false,
      problems: ["file header cut short"],
    };
  }
  if (!isFileMagic(b)) problems.push("no ElfFile signature");
  const flags = b.readUInt32LE(120);
  const header: FileHeader = {
    firstChunk: b.readBigUInt64LE(8),
    lastChunk: b.readBigUInt64LE(16),
    nextRecordId: b.readBigUInt64LE(24),
    minorVersion: b.readUInt16LE(36),
    majorVersion: b.readUInt16LE(38),
    chunkCount: b.readUInt16LE(42),
    dirty: (flags & FLAG_DIRTY) !== 0,
    full: (flags & FLAG_FULL) !== 0,
    problems,
  };
  const stored = b.readUInt32LE(124);
  if (crc32(b.subarray(0, 120)) !== stored) problems.push("file header checksum mismatch");
  if (header.majorVersion !== 3) problems.push(`unexpected format version ${header.majorVersion}.${header.minorVersion}`);
  return header;
}

/** The fields of a chunk header the reader uses, plus its checksum verdicts. */
export interface ChunkHeader {
  firstRecordId: bigint;
  lastRecordId: bigint;
  lastRecordOffset: number;
  freeSpaceOffset: number;
  headerCrcOk: boolean;
  /** Undefined when the free space offset is out of range, so there is nothing to check. */
  recordsCrcOk: boolean | undefined;
}

/** Parses a chunk header (the caller has checked the signature). */
export function parseChunkHeader(chunk: Buffer): ChunkHeader {
  const freeSpaceOffset = chunk.readUInt32LE(48);
  const headerCrc = crc32(chunk.subarray(128, CHUNK_HEADER_SIZE), crc32(chunk.subarray(0, 120)));
  const validFree = freeSpaceOffset >= CHUNK_HEADER_SIZE && freeSpaceOffset <= chunk.length;
  return {
    firstRecordId: chunk.readBigUInt64LE(24),
    lastRecordId: chunk.readBigUInt64LE(32),
    lastRecordOffset: chunk.readUInt32LE(44),
    freeSpaceOffset,
    headerCrcOk: headerCrc === chunk.readUInt32LE(124),
    recordsCrcOk: validFree ? crc32(chunk.subarray(CHUNK_HEADER_SIZE, freeSpaceOffset)) === chunk.readUInt32LE(52) : undefined,
  };
}

const ZEROS = Buffer.alloc(CHUNK_SIZE);

/** True when every byte is zero: a preallocated, never-used chunk slot or the unused end of a chunk. */
export function isBlank(b: Buffer): boolean {
  for (let i = 0; i < b.length; i += CHUNK_SIZE) {
    const part = b.subarray(i, i + CHUNK_SIZE);
    if (!part.equals(ZEROS.subarray(0, part.length))) return false;
  }
  return true;
}
