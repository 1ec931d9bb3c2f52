import { open, stat, type FileHandle } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";

export interface TailOptions {
  signal?: AbortSignal;
  /** Wait between polls at the end of the file (default 500 ms). */
  pollIntervalMs?: number;
  /** The path now names another file (logrotate renamed the old one); reading moves to the new one. */
  onRotated?: () => void;
  /** The file shrank under us (copytruncate); reading starts again at its beginning. */
  onTruncated?: (at: number) => void;
}

/**
 * Follows a growing log file by path until `signal` aborts, surviving rotation: when the path names
 * a new file (rename + create, logrotate's default) the old file is read to its end first, then
 * the new one from its start; a file that shrank (copytruncate) is read again from the start. A
 * missing path (between the rename and the create) is waited for. Yields bytes as written.
 */
export async function* tailFile(path: string, options: TailOptions = {}): AsyncGenerator<Uint8Array> {
  const pollMs = options.pollIntervalMs ?? 500;
  const buffer = Buffer.alloc(64 * 1024);
  let handle: FileHandle | undefined;
  let inode = -1;
  let position = 0;
  try {
    while (!options.signal?.aborted) {
      if (!handle) {
        handle = await open(path, "r").catch(() => undefined);
        if (!handle) {
          if (!(await pause(pollMs, options.signal))) return;
          continue;
        }
        inode = (await handle.stat()).ino;
        position = 0;
      }
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
      if (bytesRead > 0) {
        position += bytesRead;
        yield Buffer.from(buffer.subarray(0, bytesRead));
        continue;
      }
      const current = await stat(path).catch(() => undefined);
      if (current && current.ino !== inode) {
        // The old file is read to its end (this read gave 0 bytes): move to the new one. A newline
        // ends a last line the old file left unterminated, so it cannot glue onto the new file's first.
        await handle.close();
        handle = undefined;
        options.onRotated?.();
        yield Buffer.from("\n");
        continue;
      }
      if (current && current.size < position) {
        options.onTruncated?.(position);
        position = 0;
        yield Buffer.from("\n");
        continue;
      }
      if (!(await pause(pollMs, options.signal))) return;
    }
  } finally {
    await handle?.close();
  }
}

async function pause(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  try {
    await sleep(ms, undefined, signal ? { signal } : {});
    return true;
  } catch {
    return false;
  }
}
