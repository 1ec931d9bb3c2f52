import { crc32 } from "node:zlib";
import { CHUNK_HEADER_SIZE, CHUNK_SIZE, FILE_HEADER_SIZE } from "./layout.ts";

/**
 * Test support: byte surgery on real EVTX files, to build the damaged, dirty and growing files the
 * tests need without binary fixtures. Offsets are absolute in the file.
 */
export const chunkAt = (index: number) => FILE_HEADER_SIZE + index * CHUNK_SIZE;

/** The records of a chunk as the format lays them out: absolute offset, size, record id. */
export function recordsIn(file: Buffer, chunk: number): { offset: number; size: number; id: bigint }[] {
  const base = chunkAt(chunk);
  const free = file.readUInt32LE(base + 48);
  const out: { offset: number; size: number; id: bigint }[] = [];
  for (let at = base + CHUNK_HEADER_SIZE; at < base + free;) {
    const size = file.readUInt32LE(at + 4);
    out.push({ offset: at, size, id: file.readBigUInt64LE(at + 8) });
    at += size;
  }
  return out;
}

/** Recomputes a chunk's header and records checksums, as Windows does when it flushes a chunk. */
export function fixChunk(file: Buffer, chunk: number): void {
  const base = chunkAt(chunk);
  const free = file.readUInt32LE(base + 48);
  file.writeUInt32LE(crc32(file.subarray(base + CHUNK_HEADER_SIZE, base + free)), base + 52);
  file.writeUInt32LE(crc32(file.subarray(base + 128, base + CHUNK_HEADER_SIZE), crc32(file.subarray(base, base + 120))), base + 124);
}

/** Recomputes the file header checksum. */
export function fixFileHeader(file: Buffer): void {
  file.writeUInt32LE(crc32(file.subarray(0, 120)), 124);
}

/**
 * Rewinds a chunk header to an earlier moment, as a file not closed cleanly leaves it: the header
 * (and its checksums) announce only the first `keep` records while the later ones are on disk.
 */
export function rewindChunk(file: Buffer, chunk: number, keep: number): void {
  const records = recordsIn(file, chunk);
  const last = records[keep - 1]!;
  const base = chunkAt(chunk);
  file.writeBigUInt64LE(records[0]!.id + BigInt(keep - 1), base + 16);
  file.writeBigUInt64LE(last.id, base + 32);
  file.writeUInt32LE(last.offset - base, base + 44);
  file.writeUInt32LE(last.offset + last.size - base, base + 48);
  fixChunk(file, chunk);
}
