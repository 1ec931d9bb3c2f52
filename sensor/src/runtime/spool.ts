/**
 * The sensor's durable, bounded FIFO on disk: append-only segment files of checksummed frames
 * (spool-format.ts) plus a checkpoint naming the first frame not yet drained. Appends are group
 * committed (one write + fdatasync per batch of whatever arrived meanwhile). The checkpoint trails the
 * bus by at most one drained batch, so a crash re-publishes a few frames, which the bus's msgId
 * dedupe window drops. A new segment is started at every open and at `segmentBytes`, so nothing is
 * ever appended after a torn tail, and drained segments are deleted whole.
 */
import { mkdir, open, readdir, stat, type FileHandle } from "node:fs/promises";
import { join } from "node:path";
import { lockSpoolDir } from "./spool-lock.ts";
import {
  encodeFrame,
  readSegmentFrames,
  readCheckpoint,
  removeFile,
  segmentFileName,
  segmentOfFileName,
  syncDir,
  writeCheckpoint,
  type SpoolPosition,
  type SpoolRecord,
} from "./spool-format.ts";

export type { SpoolPosition, SpoolRecord } from "./spool-format.ts";

/** Spool location and limits. */
export interface SpoolOptions {
  dir: string;
  /** Undrained bytes at most (default 1 GiB); appends beyond it are refused, never silently. */
  maxBytes?: number;
  /** A new segment file is started once the current one holds this much (default 16 MiB). */
  segmentBytes?: number;
  /** A damaged region (torn tail after a crash, checksum mismatch) that was skipped. */
  onDamage?: (damage: SpoolDamage) => void;
}

/** Bytes of the spool that could not be read back and were skipped. */
export interface SpoolDamage {
  file: string;
  offset: number;
  bytes: number;
  reason: string;
}

interface ActiveSegment {
  segment: number;
  fh: FileHandle;
  size: number;
}

interface Waiter {
  resolve(): void;
  reject(error: unknown): void;
}

/** Open with `Spool.open`; one instance per directory (a lock file enforces it). */
export class Spool {
  /** Readable (durably written) size of every segment at or after the drained position. */
  readonly #sizes = new Map<number, number>();
  #drained: SpoolPosition;
  #saved: SpoolPosition;
  #lastSegment: number;
  #undrained: number;
  #active: ActiveSegment | undefined;
  #pending: Buffer[] = [];
  #waiters: Waiter[] = [];
  #writing: Promise<void> | undefined;
  #closed = false;

  private constructor(
    private readonly options: Required<Omit<SpoolOptions, "onDamage">> & Pick<SpoolOptions, "onDamage">,
    private readonly unlock: () => Promise<void>,
    start: SpoolPosition,
  ) {
    this.#drained = start;
    this.#saved = start;
    this.#lastSegment = start.segment;
    this.#undrained = 0;
  }

  /** Opens (creating) the spool directory, takes its lock and finds where draining resumes. */
  static async open(options: SpoolOptions): Promise<Spool> {
    await mkdir(options.dir, { recursive: true });
    const unlock = await lockSpoolDir(options.dir);
    try {
      let checkpoint = await readCheckpoint(options.dir);
      if (checkpoint instanceof Error) {
        options.onDamage?.({
          file: join(options.dir, "checkpoint.json"),
          offset: 0,
          bytes: 0,
          reason: `unreadable checkpoint (${checkpoint.message}); draining from the oldest segment, the bus drops what it already holds`,
        });
        checkpoint = undefined;
      }
      const segments = (await readdir(options.dir))
        .map(segmentOfFileName)
        .filter((n): n is number => n !== undefined)
        .sort((a, b) => a - b);
      const start = checkpoint ?? { segment: segments[0] ?? 0, offset: 0 };
      const spool = new Spool({ maxBytes: 1024 ** 3, segmentBytes: 16 * 1024 ** 2, ...options, onDamage: options.onDamage }, unlock, start);
      await spool.#load(segments, start);
      return spool;
    } catch (error) {
      await unlock();
      throw error;
    }
  }

  async #load(segments: number[], start: SpoolPosition): Promise<void> {
    for (const n of segments) {
      const path = join(this.options.dir, segmentFileName(n));
      // Drained before a crash that came between the checkpoint and the delete.
      if (n < start.segment) await removeFile(path);
      else this.#sizes.set(n, (await stat(path)).size);
      this.#lastSegment = Math.max(this.#lastSegment, n);
    }
    for (const size of this.#sizes.values()) this.#undrained += size;
    const first = this.#sizes.get(start.segment);
    if (first !== undefined) {
      const offset = Math.min(start.offset, first);
      this.#drained = this.#saved = { segment: start.segment, offset };
      this.#undrained -= offset;
    }
  }

  /** Bytes appended and not yet drained (including appends still being written). */
  get bytes(): number {
    return this.#undrained;
  }

  /** True when nothing is waiting to be written or drained. */
  get isEmpty(): boolean {
    if (this.#pending.length > 0 || this.#writing) return false;
    for (const [n, size] of this.#sizes) {
      if (n > this.#drained.segment ? size > 0 : n === this.#drained.segment && size > this.#drained.offset) return false;
    }
    return true;
  }

  /**
   * Queues a record behind every earlier one. Returns a promise that settles once the record is
   * fsync'd, or `undefined` when it would exceed `maxBytes` (the record is not spooled).
   */
  append(body: Uint8Array): Promise<void> | undefined {
    if (this.#closed) throw new Error("spool is closed");
    const frame = encodeFrame(body);
    if (this.#undrained + frame.length > this.options.maxBytes) return undefined;
    this.#undrained += frame.length;
    this.#pending.push(frame);
    const done = new Promise<void>((resolve, reject) => this.#waiters.push({ resolve, reject }));
    this.#startWriter();
    return done;
  }

  #startWriter(): void {
    if (this.#writing) return;
    this.#writing = this.#writeLoop().finally(() => {
      this.#writing = undefined;
      // An append may land between the loop's last check and this callback.
      if (this.#pending.length > 0) this.#startWriter();
    });
  }

  /** Resolves once every append so far has been written (or has failed). */
  async written(): Promise<void> {
    while (this.#writing) await this.#writing;
  }

  async #writeLoop(): Promise<void> {
    while (this.#pending.length > 0) {
      const batch = this.#pending.splice(0);
      const waiters = this.#waiters.splice(0);
      const data = batch.length === 1 ? batch[0]! : Buffer.concat(batch);
      try {
        const active = await this.#writable();
        for (let done = 0; done < data.length;) {
          done += (await active.fh.write(data, done, data.length - done, active.size + done)).bytesWritten;
        }
        await active.fh.datasync();
        active.size += data.length;
        this.#sizes.set(active.segment, active.size);
        for (const w of waiters) w.resolve();
      } catch (error) {
        this.#undrained -= data.length;
        // Part of the batch may be on disk past the readable size; a fresh segment keeps it out of the way.
        await this.#active?.fh.close().catch(() => {});
        this.#active = undefined;
        for (const w of waiters) w.reject(error);
      }
    }
  }

  async #writable(): Promise<ActiveSegment> {
    if (this.#active && this.#active.size < this.options.segmentBytes) return this.#active;
    await this.#active?.fh.close();
    const segment = ++this.#lastSegment;
    const fh = await open(join(this.options.dir, segmentFileName(segment)), "wx");
    await syncDir(this.options.dir);
    this.#sizes.set(segment, 0);
    this.#active = { segment, fh, size: 0 };
    return this.#active;
  }

  /**
   * Up to `maxFrames` records from the drained position on, in append order, without consuming them
   * (see `ack`). Damaged regions are reported through `onDamage` and skipped to the next segment.
   */
  async readBatch(maxFrames: number): Promise<SpoolRecord[]> {
    for (;;) {
      const { segment, offset } = this.#drained;
      const size = this.#sizes.get(segment);
      if (size === undefined || offset >= size) {
        const next = this.#nextSegment(segment);
        if (next === undefined) return [];
        this.#drained = { segment: next, offset: 0 };
        continue;
      }
      const records = await this.#readAt(segment, offset, size, maxFrames);
      if (records.length > 0) return records;
    }
  }

  async #readAt(segment: number, offset: number, size: number, maxFrames: number): Promise<SpoolRecord[]> {
    const file = join(this.options.dir, segmentFileName(segment));
    const read = await readSegmentFrames(file, segment, offset, size, maxFrames);
    if ("records" in read) return read.records;
    this.options.onDamage?.({ file, offset: read.damage.offset, bytes: size - read.damage.offset, reason: read.damage.reason });
    this.#undrained -= size - read.damage.offset;
    this.#drained = { segment, offset: size };
    return [];
  }

  #nextSegment(after: number): number | undefined {
    let next: number | undefined;
    for (const n of this.#sizes.keys()) if (n > after && (next === undefined || n < next)) next = n;
    return next;
  }

  /** Marks a record (and all before it) drained; durable at the next `checkpoint`. */
  ack(record: SpoolRecord): void {
    this.#drained = record.next;
    this.#undrained -= record.bytes;
  }

  /** Persists the drained position and deletes segments wholly before it. */
  async checkpoint(): Promise<void> {
    const at = this.#drained;
    if (at.segment === this.#saved.segment && at.offset === this.#saved.offset) return;
    await writeCheckpoint(this.options.dir, at);
    this.#saved = at;
    for (const n of [...this.#sizes.keys()]) {
      if (n >= at.segment || n === this.#active?.segment) continue;
      this.#sizes.delete(n);
      await removeFile(join(this.options.dir, segmentFileName(n)));
    }
  }

  /** Deletes every segment once the spool is empty, so an idle sensor keeps no spool files. */
  async compact(): Promise<void> {
    if (!this.isEmpty || this.#sizes.size === 0) return;
    await this.#active?.fh.close();
    this.#active = undefined;
    this.#drained = { segment: this.#lastSegment + 1, offset: 0 };
    // The checkpoint now lies past every segment, so it deletes them all.
    await this.checkpoint();
    this.#undrained = 0;
  }

  /** Waits for pending writes, saves the checkpoint, closes files and releases the lock. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.written();
    try {
      await this.checkpoint();
      await this.#active?.fh.close();
      this.#active = undefined;
    } finally {
      await this.unlock();
    }
  }
}
