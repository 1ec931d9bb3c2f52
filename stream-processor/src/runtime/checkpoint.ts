/**
 * Acks wait for the snapshot that covers them. A message whose writes committed is not acked at once:
 * it joins `pending`, and only after a snapshot taken after it is durably on disk (temp file, fsync,
 * rename) are those messages acked. A crash before the snapshot therefore leaves them unacked, the bus
 * redelivers them into the older engine state, and the idempotent sinks make the second pass
 * identical to the first. The caller takes snapshots only between two messages, never while one is
 * half processed. Where a snapshot goes is a `SnapshotSink`: a local file (one processor), or a
 * partition's fenced slot in shared storage (partitions/partition-sink.ts).
 */
import { mkdir, open, readFile, rename, rm } from "node:fs/promises";
import { dirname } from "node:path";
import type { BusMessage } from "@vigil/sensor/bus";
import type { EngineSnapshot } from "../engine/engine.ts";
import type { SinkWork } from "./outbox.ts";

/** What the snapshot file holds. */
export interface ProcessorSnapshot {
  v: 1;
  consumer: string;
  writtenAt: string;
  engine: EngineSnapshot;
  outbox: SinkWork[];
}

/** Reads a snapshot file; undefined when there is none. A file that is not a snapshot throws (an operator must look). */
export async function readSnapshot(file: string): Promise<ProcessorSnapshot | undefined> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
  let parsed: Partial<ProcessorSnapshot>;
  try {
    parsed = JSON.parse(text) as Partial<ProcessorSnapshot>;
  } catch (err) {
    throw new Error(`processor snapshot ${file} is not JSON (${(err as Error).message}); move it away to start from an empty state`);
  }
  if (parsed.v !== 1 || !parsed.engine || !Array.isArray(parsed.outbox)) {
    throw new Error(`processor snapshot ${file} is not a version 1 processor snapshot; move it away to start from an empty state`);
  }
  return parsed as ProcessorSnapshot;
}

/** Writes `text` to `file` atomically: readers see the old file or the new one, never a torn one. */
export async function writeFileAtomic(file: string, text: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  const handle = await open(temp, "w");
  try {
    await handle.writeFile(text, "utf8");
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temp, file);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}

/** Where snapshots are written; `save` resolves only once the snapshot is durable. */
export interface SnapshotSink {
  /** For log lines, e.g. the file name. */
  readonly where: string;
  save(snapshot: ProcessorSnapshot): Promise<void>;
}

/** Snapshots to one local file, replaced atomically. */
export function fileSnapshotSink(file: string): SnapshotSink {
  return { where: file, save: (snapshot) => writeFileAtomic(file, JSON.stringify(snapshot)) };
}

/** Pending acks and the snapshot writes that release them. */
export class Checkpointer {
  #pending: BusMessage[] = [];
  #writing: Promise<void> | undefined;
  #snapshots = 0;
  #acked = 0;
  #lastAt: Date | undefined;

  constructor(
    private readonly sink: SnapshotSink,
    private readonly log: (line: string) => void,
  ) {}

  /** Hold a committed message's ack until the next snapshot. */
  defer(msg: BusMessage): void {
    this.#pending.push(msg);
  }

  get pending(): number {
    return this.#pending.length;
  }

  /** A snapshot write is in flight. */
  get busy(): boolean {
    return this.#writing !== undefined;
  }

  get stats(): { snapshots: number; acked: number; lastSnapshotAt: string | undefined } {
    return { snapshots: this.#snapshots, acked: this.#acked, lastSnapshotAt: this.#lastAt?.toISOString() };
  }

  /**
   * Captures the state NOW (synchronously: call it only between messages), writes it, then acks the
   * messages pending at capture time. A failed write keeps them pending for the next attempt.
   */
  checkpoint(capture: () => ProcessorSnapshot): Promise<void> {
    if (this.#writing) return this.#writing;
    const covered = this.#pending;
    this.#pending = [];
    const snapshot = capture();
    this.#writing = this.sink
      .save(snapshot)
      .then(
        async () => {
          this.#snapshots++;
          this.#lastAt = new Date(snapshot.writtenAt);
          // Settle methods never reject; a lost ack only means a redelivery the engine will skip.
          await Promise.all(covered.map((m) => m.ack()));
          this.#acked += covered.length;
        },
        (err: unknown) => {
          this.#pending = [...covered, ...this.#pending];
          this.log(`snapshot to ${this.sink.where} failed (acks held back): ${(err as Error).message}`);
        },
      )
      .finally(() => {
        this.#writing = undefined;
      });
    return this.#writing;
  }

  /** Resolves when no write is in flight. */
  async idle(): Promise<void> {
    while (this.#writing) await this.#writing;
  }
}
