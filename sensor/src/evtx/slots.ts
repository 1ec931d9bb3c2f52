import type { FileHandle } from "node:fs/promises";
import { CHUNK_HEADER_SIZE, CHUNK_SIZE, FILE_HEADER_SIZE, isBlank, isChunkMagic, RECORD_HEADER_SIZE } from "./layout.ts";

/** A 64 KiB chunk slot found in a file: where it is and what its header says about its records. */
export interface Slot {
  index: number;
  offset: number;
  /** Bytes of the slot in the file (less than CHUNK_SIZE for a file cut short). */
  length: number;
  /** Id of its first record: the order chunks are read in, oldest first. */
  firstId: bigint;
  lastId: bigint;
}

/** A slot that holds something but no chunk signature and no record: reported, never decoded. */
export interface DeadSlot {
  index: number;
  offset: number;
}

const PROBE = CHUNK_HEADER_SIZE + RECORD_HEADER_SIZE;
const RECORD_MAGIC = Buffer.from([0x2a, 0x2a, 0x00, 0x00]);

/**
 * Finds the chunks of a file by their signatures at every 64 KiB slot rather than trusting the
 * file header's count, which is stale in files not closed cleanly (Event Viewer reads them the
 * same way). Only each slot's first bytes are read. Chunks are returned oldest first, by their
 * first record id, since a full circular log wraps around and reuses its earliest slots.
 */
export async function scanSlots(handle: FileHandle, size: number): Promise<{ slots: Slot[]; dead: DeadSlot[] }> {
  const slots: Slot[] = [];
  const dead: DeadSlot[] = [];
  const probe = Buffer.alloc(PROBE);
  for (let index = 0, offset = FILE_HEADER_SIZE; offset < size; index++, offset += CHUNK_SIZE) {
    const length = Math.min(CHUNK_SIZE, size - offset);
    probe.fill(0);
    await handle.read(probe, 0, Math.min(PROBE, length), offset);
    const slot = probeSlot(probe, index, offset, length);
    if (slot === "dead") dead.push({ index, offset });
    else if (slot) slots.push(slot);
  }
  slots.sort((a, b) => (a.firstId < b.firstId ? -1 : a.firstId > b.firstId ? 1 : a.index - b.index));
  return { slots, dead };
}

/** Classifies a slot from its first bytes: a chunk, a headerless run of records, blank, or dead. */
export function probeSlot(probe: Buffer, index: number, offset: number, length: number): Slot | "dead" | undefined {
  const recordId = probe.subarray(CHUNK_HEADER_SIZE, CHUNK_HEADER_SIZE + 4).equals(RECORD_MAGIC)
    ? probe.readBigUInt64LE(CHUNK_HEADER_SIZE + 8)
    : undefined;
  if (isChunkMagic(probe)) {
    // The first record's own id is more reliable than a possibly damaged header.
    return { index, offset, length, firstId: recordId ?? probe.readBigUInt64LE(24), lastId: probe.readBigUInt64LE(32) };
  }
  if (recordId !== undefined) return { index, offset, length, firstId: recordId, lastId: recordId };
  return isBlank(probe) ? undefined : "dead";
}

/** Reads one slot into `buf`, zero-filling what the file does not have. Returns the bytes read. */
export async function readSlot(handle: FileHandle, slot: { offset: number; length: number }, buf: Buffer): Promise<number> {
  let got = 0;
  while (got < slot.length) {
    const { bytesRead } = await handle.read(buf, got, slot.length - got, slot.offset + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  buf.fill(0, got);
  return got;
}

/**
 * Cuts a byte stream (a zip member, a gunzipped file, stdin) into the file header and 64 KiB
 * chunks, one buffer at a time, so memory stays at one chunk whatever the input size. The last
 * piece may be short (a file cut short); it comes zero-filled with its real length.
 */
export async function* streamSlots(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<{ index: number; buf: Buffer; length: number }> {
  let index = -1;
  let want = FILE_HEADER_SIZE;
  let buf = Buffer.alloc(want);
  let filled = 0;
  for await (const piece of chunks) {
    let at = 0;
    while (at < piece.length) {
      const n = Math.min(want - filled, piece.length - at);
      buf.set(piece.subarray(at, at + n), filled);
      filled += n;
      at += n;
      if (filled === want) {
        yield { index, buf, length: want };
        index++;
        if (want !== CHUNK_SIZE) {
          want = CHUNK_SIZE;
          buf = Buffer.alloc(CHUNK_SIZE);
        }
        filled = 0;
      }
    }
  }
  if (filled > 0) {
    buf.fill(0, filled);
    yield { index, buf, length: filled };
  }
}
