import { appendFile, readdir, readFile, rm, stat, truncate, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { isSensorError } from "./errors.ts";
import { tempDir } from "./events.fixture.ts";
import { Spool, type SpoolDamage } from "./spool.ts";
import { segmentFileName } from "./spool-format.ts";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function freshDir(): Promise<string> {
  const t = await tempDir("spool");
  cleanups.push(t.remove);
  return t.dir;
}

const body = (i: number) => Buffer.from(JSON.stringify({ n: i, pad: "x".repeat(40) }));
const numbers = (records: { body: Buffer }[]) => records.map((r) => (JSON.parse(r.body.toString()) as { n: number }).n);

async function appendAll(spool: Spool, from: number, to: number): Promise<void> {
  const writes: Promise<void>[] = [];
  for (let i = from; i <= to; i++) writes.push(spool.append(body(i))!);
  await Promise.all(writes);
}

/** Reads and acks everything, checkpointing each batch, as the drainer does. */
async function drainAll(spool: Spool, batch = 7): Promise<number[]> {
  const seen: number[] = [];
  for (let records = await spool.readBatch(batch); records.length > 0; records = await spool.readBatch(batch)) {
    seen.push(...numbers(records));
    for (const r of records) spool.ack(r);
    await spool.checkpoint();
  }
  return seen;
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, k) => from + k);

describe("spool", () => {
  it("returns records in append order across segments and deletes drained segments", async () => {
    const dir = await freshDir();
    const spool = await Spool.open({ dir, segmentBytes: 300 });
    for (let i = 1; i <= 40; i += 5) await appendAll(spool, i, i + 4); // several group commits
    expect((await readdir(dir)).filter((f) => f.endsWith(".spool")).length).toBeGreaterThan(3);
    expect(await drainAll(spool)).toEqual(range(1, 40));
    expect(spool.isEmpty).toBe(true);
    expect(spool.bytes).toBe(0);
    expect((await readdir(dir)).filter((f) => f.endsWith(".spool")).length).toBe(1); // only the active one
    await spool.compact();
    expect((await readdir(dir)).filter((f) => f.endsWith(".spool"))).toEqual([]);
    await appendAll(spool, 41, 42);
    expect(await drainAll(spool)).toEqual([41, 42]);
    await spool.close();
  });

  it("resumes from the durable checkpoint after a restart", async () => {
    const dir = await freshDir();
    const first = await Spool.open({ dir, segmentBytes: 500 });
    await appendAll(first, 1, 30);
    const batch = await first.readBatch(12);
    for (const r of batch) first.ack(r);
    await first.checkpoint();
    await first.close();

    const second = await Spool.open({ dir, segmentBytes: 500 });
    expect(second.isEmpty).toBe(false);
    await appendAll(second, 31, 35); // goes to a new segment, after the old ones
    expect(await drainAll(second)).toEqual(range(13, 35));
    await second.close();
  });

  it("detects, reports and skips a torn tail left by a crash, and keeps appending after it", async () => {
    const dir = await freshDir();
    const first = await Spool.open({ dir });
    await appendAll(first, 1, 10);
    await first.close();
    const file = join(dir, segmentFileName(1));
    const size = (await stat(file)).size;
    await truncate(file, size - 5); // the last frame was half written when the power went

    const damage: SpoolDamage[] = [];
    const second = await Spool.open({ dir, onDamage: (d) => damage.push(d) });
    await appendAll(second, 11, 12);
    expect(await drainAll(second)).toEqual([...range(1, 9), 11, 12]);
    expect(damage).toHaveLength(1);
    const lastFrame = 8 + body(10).length;
    expect(damage[0]).toMatchObject({ file, offset: size - lastFrame, bytes: lastFrame - 5, reason: expect.stringMatching(/cut short/) });
    expect(second.bytes).toBe(0);
    await second.close();
  });

  it("skips the rest of a segment after a checksum mismatch and goes on with the next segment", async () => {
    const dir = await freshDir();
    const damage: SpoolDamage[] = [];
    const spool = await Spool.open({ dir, segmentBytes: 600, onDamage: (d) => damage.push(d) });
    for (let i = 1; i <= 20; i += 2) await appendAll(spool, i, i + 1);
    const file = join(dir, segmentFileName(1));
    const bytes = await readFile(file);
    const at = bytes.length - 70; // inside the body of the segment's second-to-last frame
    bytes.writeUInt8(bytes.readUInt8(at) ^ 0xff, at);
    await writeFile(file, bytes);
    const seen = await drainAll(spool);
    expect(damage).toEqual([expect.objectContaining({ file, reason: "checksum mismatch" })]);
    expect(seen[0]).toBe(1);
    expect(seen.at(-1)).toBe(20);
    expect(seen.length).toBeLessThan(20);
    expect(spool.bytes).toBe(0);
    await spool.close();
  });

  it("reports a segment file deleted behind its back and drains the others", async () => {
    const dir = await freshDir();
    const damage: SpoolDamage[] = [];
    const spool = await Spool.open({ dir, segmentBytes: 100, onDamage: (d) => damage.push(d) });
    for (let i = 1; i <= 6; i += 2) await appendAll(spool, i, i + 1); // one segment per pair
    await rm(join(dir, segmentFileName(2)));
    expect(await drainAll(spool)).toEqual([1, 2, 5, 6]);
    expect(damage).toEqual([expect.objectContaining({ offset: 0, reason: "segment file is gone" })]);
    expect(spool.bytes).toBe(0);
    await spool.close();
  });

  it("refuses appends beyond maxBytes and takes them again once drained", async () => {
    const dir = await freshDir();
    const frame = 8 + body(1).length;
    const spool = await Spool.open({ dir, maxBytes: frame * 3 });
    await appendAll(spool, 1, 3);
    expect(spool.append(body(4))).toBeUndefined();
    expect(spool.bytes).toBe(frame * 3);
    const [head] = await spool.readBatch(1);
    spool.ack(head!);
    await expect(spool.append(body(5))).resolves.toBeUndefined();
    expect(await drainAll(spool)).toEqual([2, 3, 5]);
    await spool.close();
  });

  it("holds a lock so a second sensor cannot share the directory, and takes over a stale one", async () => {
    const dir = await freshDir();
    const spool = await Spool.open({ dir });
    const err = await Spool.open({ dir }).catch((e: unknown) => e);
    expect(isSensorError(err, "SENSOR_SPOOL_LOCKED")).toBe(true);
    await spool.close();
    await writeFile(join(dir, "lock"), "2147483646"); // a pid no process has
    const again = await Spool.open({ dir });
    await again.close();
  });

  it("reports an unreadable checkpoint and drains from the oldest segment", async () => {
    const dir = await freshDir();
    const first = await Spool.open({ dir });
    await appendAll(first, 1, 4);
    await first.close();
    await appendFile(join(dir, "checkpoint.json"), "{not json");
    const damage: SpoolDamage[] = [];
    const second = await Spool.open({ dir, onDamage: (d) => damage.push(d) });
    expect(damage).toEqual([expect.objectContaining({ reason: expect.stringMatching(/unreadable checkpoint/) })]);
    expect(await drainAll(second)).toEqual([1, 2, 3, 4]);
    await second.close();
  });
});
