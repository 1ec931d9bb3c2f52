/**
 * On-disk format of the spool. A segment file is a run of frames `[u32be length][u32be crc32(body)]
 * [body]`; the body is the event's JSON exactly as it would have been published. Length prefixes let
 * the reader tell a frame cut short by a crash (length runs past the end of the file) from a whole one,
 * and the checksum catches torn or bit-rotted writes that happen to have a plausible length.
 */
import { open, rename, unlink } from "node:fs/promises";
import { join } from "node:path";
import { crc32 } from "node:zlib";

export const FRAME_HEADER_BYTES = 8;
/** Events are a few KB; anything claiming more is a damaged length field, not a record. */
export const MAX_FRAME_BODY_BYTES = 4 * 1024 * 1024;

/** Where the drainer stands: everything before `offset` in `segment` (and all earlier segments) is drained. */
export interface SpoolPosition {
  segment: number;
  offset: number;
}

/** One whole frame read back, and the position just after it. */
export interface SpoolRecord {
  body: Buffer;
  next: SpoolPosition;
  bytes: number;
}

const SEGMENT_FILE = /^(\d{10})\.spool$/;

/** `0000000042.spool`: zero-padded so a directory listing sorts in write order. */
export const segmentFileName = (segment: number) => `${String(segment).padStart(10, "0")}.spool`;

/** The segment number of a spool file name, or undefined for any other file. */
export function segmentOfFileName(name: string): number | undefined {
  const m = SEGMENT_FILE.exec(name);
  return m ? Number(m[1]) : undefined;
}

/** Frames one record body. */
export function encodeFrame(body: Uint8Array): Buffer {
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + body.length);
  frame.writeUInt32BE(body.length, 0);
  frame.writeUInt32BE(crc32(body), 4);
  frame.set(body, FRAME_HEADER_BYTES);
  return frame;
}

/** Result of decoding frames from a chunk that starts on a frame boundary. */
export interface DecodedFrames {
  /** Bodies with their end offsets relative to the chunk. */
  frames: { body: Buffer; end: number }[];
  /** Set when the data at `damageAt` (relative) is not a whole, valid frame and never will be. */
  damage?: { at: number; reason: string };
  /** Bytes the next frame needs when the chunk ended inside it (only when `damage` is unset). */
  needBytes?: number;
}

/**
 * Decodes whole frames from `chunk`. `remainingInFile` is how many bytes of the file follow the
 * chunk's start, so a frame running past the end of the file is recognized as a torn tail instead of
 * a request for more data.
 */
export function decodeFrames(chunk: Buffer, remainingInFile: number, maxFrames: number): DecodedFrames {
  const frames: DecodedFrames["frames"] = [];
  let at = 0;
  while (frames.length < maxFrames && at < chunk.length) {
    if (remainingInFile - at < FRAME_HEADER_BYTES) return { frames, damage: { at, reason: "torn frame header at end of segment" } };
    if (chunk.length - at < FRAME_HEADER_BYTES) return { frames, needBytes: FRAME_HEADER_BYTES };
    const length = chunk.readUInt32BE(at);
    if (length > MAX_FRAME_BODY_BYTES) return { frames, damage: { at, reason: `implausible frame length ${length}` } };
    const end = at + FRAME_HEADER_BYTES + length;
    if (end > remainingInFile) return { frames, damage: { at, reason: `frame of ${length} bytes cut short at end of segment` } };
    if (end > chunk.length) return { frames, needBytes: FRAME_HEADER_BYTES + length };
    const body = chunk.subarray(at + FRAME_HEADER_BYTES, end);
    if (crc32(body) !== chunk.readUInt32BE(at + 4)) return { frames, damage: { at, reason: "checksum mismatch" } };
    frames.push({ body, end });
    at = end;
  }
  return { frames };
}

const READ_CHUNK_BYTES = 1024 * 1024;

/**
 * Whole frames of one segment file from `offset` (a frame boundary) up to its readable `size`, or
 * where the first damaged frame starts: nothing after it in this segment can be trusted to be aligned.
 */
export async function readSegmentFrames(
  file: string,
  segment: number,
  offset: number,
  size: number,
  maxFrames: number,
): Promise<{ records: SpoolRecord[] } | { damage: { offset: number; reason: string } }> {
  const fh = await open(file, "r").catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return undefined;
    throw error;
  });
  if (!fh) return { damage: { offset, reason: "segment file is gone" } };
  try {
    let want = Math.min(size - offset, READ_CHUNK_BYTES);
    for (;;) {
      const chunk = Buffer.allocUnsafe(want);
      const { bytesRead } = await fh.read(chunk, 0, want, offset);
      // A file shorter than we recorded was truncated behind our back: whatever is missing is damage.
      const decoded = decodeFrames(chunk.subarray(0, bytesRead), bytesRead < want ? bytesRead : size - offset, maxFrames);
      if (decoded.frames.length > 0) {
        let start = 0;
        const records = decoded.frames.map(({ body, end }) => {
          const record = { body, next: { segment, offset: offset + end }, bytes: end - start };
          start = end;
          return record;
        });
        return { records };
      }
      if (decoded.needBytes === undefined) {
        return { damage: { offset: offset + (decoded.damage?.at ?? 0), reason: decoded.damage?.reason ?? "unreadable" } };
      }
      want = decoded.needBytes;
    }
  } finally {
    await fh.close();
  }
}

const CHECKPOINT_FILE = "checkpoint.json";

/** Reads the durable checkpoint; `undefined` when there is none, an Error when it is unreadable. */
export async function readCheckpoint(dir: string): Promise<SpoolPosition | undefined | Error> {
  let fh;
  try {
    fh = await open(join(dir, CHECKPOINT_FILE), "r");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    return error as Error;
  }
  try {
    const value: unknown = JSON.parse(await fh.readFile("utf8"));
    const { segment, offset } = (value ?? {}) as Partial<SpoolPosition>;
    if (Number.isSafeInteger(segment) && Number.isSafeInteger(offset) && segment! >= 0 && offset! >= 0)
      return { segment: segment!, offset: offset! };
    return new Error(`checkpoint holds ${JSON.stringify(value)}`);
  } catch (error) {
    return error as Error;
  } finally {
    await fh.close();
  }
}

/** Writes the checkpoint atomically: a crash leaves either the old or the new one, never half of one. */
export async function writeCheckpoint(dir: string, position: SpoolPosition): Promise<void> {
  const tmp = join(dir, `${CHECKPOINT_FILE}.tmp`);
  const fh = await open(tmp, "w");
  try {
    await fh.writeFile(JSON.stringify(position));
    await fh.datasync();
  } finally {
    await fh.close();
  }
  await rename(tmp, join(dir, CHECKPOINT_FILE));
  await syncDir(dir);
}

/** Makes a created, renamed or deleted directory entry durable (a no-op where directories cannot be synced). */
export async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, "r").catch(() => undefined);
  if (!fh) return;
  try {
    await fh.sync();
  } catch {
    // Some filesystems refuse fsync on a directory; the data files themselves are still synced.
  } finally {
    await fh.close();
  }
}

/** Deletes a file, ignoring one that is already gone. */
export async function removeFile(path: string): Promise<void> {
  await unlink(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== "ENOENT") throw error;
  });
}
