import { Readable, pipeline } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import type { FileHandle } from "node:fs/promises";
import { createGunzip } from "node:zlib";
import { concat } from "./text.ts";

/** Splits off the first bytes of a stream (at least `min`, unless it ends) without losing them. */
export async function peek(chunks: AsyncIterable<Uint8Array>, min: number): Promise<{ head: Uint8Array; rest: AsyncIterable<Uint8Array> }> {
  const iterator = chunks[Symbol.asyncIterator]();
  const parts: Uint8Array[] = [];
  let size = 0;
  let done = false;
  while (size < min) {
    const next = await iterator.next();
    if (next.done) {
      done = true;
      break;
    }
    parts.push(next.value);
    size += next.value.length;
  }
  const head = concat(parts);
  async function* rest(): AsyncGenerator<Uint8Array> {
    if (head.length > 0) yield head;
    if (done) return;
    try {
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
    } finally {
      await iterator.return?.();
    }
  }
  return { head, rest: rest() };
}

export const isGzip = (head: Uint8Array) => head[0] === 0x1f && head[1] === 0x8b;
export const isZip = (head: Uint8Array) =>
  head[0] === 0x50 && head[1] === 0x4b && (head[2] === 0x03 || head[2] === 0x05) && (head[3] === 0x04 || head[3] === 0x06);
export const isEvtx = (head: Uint8Array) => Buffer.from(head.subarray(0, 8)).toString("latin1") === "ElfFile\0";

/** Decompresses a gzip stream (all members, as `cat a.gz b.gz` produces); damage surfaces as a thrown error. */
export async function* gunzip(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const source = Readable.from(chunks, { objectMode: false });
  const gz = createGunzip();
  pipeline(source, gz, () => undefined);
  try {
    for await (const chunk of gz as AsyncIterable<Buffer>) yield chunk;
  } finally {
    source.destroy();
    gz.destroy();
  }
}

/** Passes chunks through, counting their bytes (compressed bytes, for progress over the file). */
export async function* counted(chunks: AsyncIterable<Uint8Array>, onBytes: (n: number) => void): AsyncGenerator<Uint8Array> {
  for await (const chunk of chunks) {
    onBytes(chunk.length);
    yield chunk;
  }
}

export interface FollowOptions {
  signal?: AbortSignal;
  pollIntervalMs: number;
  /** Called when the file shrank (rotated or truncated); reading restarts at its beginning. */
  onTruncated: (at: number) => void;
}

/**
 * Reads a file that is still being written (`tail -f`): at end of file it waits and polls for more
 * until the signal aborts. Only complete lines are ever parsed by the line splitters, so a record
 * being written while we read is simply waited for.
 */
export async function* followFile(file: FileHandle, options: FollowOptions): AsyncGenerator<Uint8Array> {
  const buffer = Buffer.alloc(64 * 1024);
  let position = 0;
  while (!options.signal?.aborted) {
    const { bytesRead } = await file.read(buffer, 0, buffer.length, position);
    if (bytesRead > 0) {
      position += bytesRead;
      yield Buffer.from(buffer.subarray(0, bytesRead)); // a copy: the read buffer is reused
      continue;
    }
    const { size } = await file.stat();
    if (size < position) {
      options.onTruncated(position);
      position = 0;
      continue;
    }
    try {
      await sleep(options.pollIntervalMs, undefined, { signal: options.signal });
    } catch {
      return;
    }
  }
}

/** Reports progress at most once per `step` bytes, plus once at the end. */
export class ProgressMeter {
  private bytesRead = 0;
  private lastReported = -1;

  constructor(
    private readonly report: ((p: { file: string; bytesRead: number; totalBytes?: number }) => void) | undefined,
    private readonly file: string,
    private readonly totalBytes: number | undefined,
    private readonly step = 1024 * 1024,
  ) {}

  readonly add = (n: number): void => {
    this.bytesRead += n;
    if (this.bytesRead - this.lastReported >= this.step) this.flush();
  };

  flush(): void {
    if (!this.report || this.bytesRead === this.lastReported) return;
    this.lastReported = this.bytesRead;
    this.report({ file: this.file, bytesRead: this.bytesRead, ...(this.totalBytes !== undefined ? { totalBytes: this.totalBytes } : {}) });
  }
}
