/**
 * Feeding a capture to tshark through its stdin. tshark refuses a socket as stdin (and a Node child's
 * piped stdin is a socket pair), but reads a pipe: so a named pipe is made in a private directory,
 * opened at both ends and unlinked at once. Opening order matters: a temporary read-write descriptor
 * lets both real ends open without blocking, and is closed before tshark starts, so tshark holds the
 * only read end (it sees end-of-file when the writer closes) and the writer gets EPIPE, never a hang,
 * when tshark exits early.
 */
import { execFile } from "node:child_process";
import { constants } from "node:fs";
import { mkdtemp, open, rm, type FileHandle } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { CaptureFilter, type CaptureFilterStats } from "./capture-stream.ts";

/** Both ends of a pipe: `reader` goes to tshark as stdin (then closed here), `writer` is ours. */
export interface CapturePipe {
  reader: FileHandle;
  writer: FileHandle;
}

/** Makes a pipe tshark accepts as stdin; `tempDir` holds its name for a moment (default the OS temp). */
export async function openCapturePipe(tempDir?: string): Promise<CapturePipe> {
  const dir = await mkdtemp(join(tempDir ?? tmpdir(), "vigil-pipe-"));
  try {
    const path = join(dir, "capture");
    await promisify(execFile)("mkfifo", ["-m", "600", path]);
    const both = await open(path, constants.O_RDWR);
    try {
      const reader = await open(path, constants.O_RDONLY);
      const writer = await open(path, constants.O_WRONLY);
      return { reader, writer };
    } finally {
      await both.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** How feeding ended: every byte written, tshark gone first (EPIPE), or the source failed. */
export type FeedOutcome = { ok: true } | { ok: false; tsharkGone: true } | { ok: false; tsharkGone: false; error: Error };

/**
 * Writes a capture's bytes through a CaptureFilter into the pipe, then closes it (tshark reads the
 * end of the file). A source that fails part-way ends the capture where it failed: tshark reports the
 * cut, the frames before it are read.
 */
export async function feedCapture(
  source: AsyncIterable<Uint8Array>,
  writer: FileHandle,
  filter: CaptureFilter | undefined,
): Promise<FeedOutcome> {
  try {
    try {
      for await (const chunk of source) {
        const out = filter ? filter.push(chunk) : [Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)];
        if (out.length) await writeAll(writer, out);
      }
    } catch (error) {
      if (isEpipe(error)) return { ok: false, tsharkGone: true };
      if (filter) await writeAll(writer, filter.end()).catch(() => undefined);
      return { ok: false, tsharkGone: false, error: error as Error };
    }
    if (filter) await writeAll(writer, filter.end());
    return { ok: true };
  } catch (error) {
    if (isEpipe(error)) return { ok: false, tsharkGone: true };
    throw error;
  } finally {
    await writer.close().catch(() => undefined);
  }
}

async function writeAll(writer: FileHandle, buffers: Buffer[]): Promise<void> {
  let list = buffers;
  while (list.length) {
    const { bytesWritten } = await writer.writev(list);
    let n = bytesWritten;
    let i = 0;
    while (i < list.length && n >= list[i]!.length) n -= list[i++]!.length;
    list = list.slice(i);
    if (n > 0) list[0] = list[0]!.subarray(n);
  }
}

const isEpipe = (error: unknown) => (error as NodeJS.ErrnoException | undefined)?.code === "EPIPE";

export type { CaptureFilterStats };
