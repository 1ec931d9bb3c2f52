/**
 * EVTX reader throughput: `node --import tsx bench/evtx.ts [MiB]`.
 * 1. The sample with the most records, read again and again for a few seconds.
 * 2. A large synthetic log (default 256 MiB) made of the samples' real chunks, read once, to show
 *    throughput and that memory stays flat (one 64 KiB chunk at a time) whatever the file size.
 */
import { mkdtempSync, openSync, readFileSync, rmSync, writeSync, closeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readEvtx } from "../sensor/src/evtx/index.ts";
import { CHUNK_SIZE, FILE_HEADER_SIZE, isChunkMagic } from "../sensor/src/evtx/layout.ts";
import { findAttackSamples, listEvtx } from "../sensor/src/evtx/samples.ts";

const root = findAttackSamples();
if (!root) {
  console.error("attack samples not found (../shared/datasets/attack-samples)");
  process.exit(1);
}
const targetMiB = Number(process.argv[2] ?? 256);

async function readAll(path: string): Promise<{ records: number; problems: number }> {
  let records = 0;
  let problems = 0;
  for await (const _ of readEvtx(path, { onProblem: () => void problems++ })) records++;
  return { records, problems };
}

const files = listEvtx(root).map((f) => join(root, f));
const counts = await Promise.all(files.map(async (f) => ({ f, n: (await readAll(f)).records })));
const largest = counts.sort((a, b) => b.n - a.n)[0]!;
const size = readFileSync(largest.f).length;
let rounds = 0;
let records = 0;
const started = performance.now();
while (performance.now() - started < 3000) {
  records += (await readAll(largest.f)).records;
  rounds++;
}
let seconds = (performance.now() - started) / 1000;
console.log(
  `largest sample ${largest.f.slice(root.length + 1)} (${largest.n} records, ${(size / 1048576).toFixed(2)} MiB) × ${rounds}: ` +
    `${Math.round(records / seconds)} records/s, ${((rounds * size) / 1048576 / seconds).toFixed(1)} MB/s of file`,
);

// Every non-empty chunk of every sample, repeated up to the target size behind one file header.
const chunks: Buffer[] = [];
for (const f of files) {
  const bytes = readFileSync(f);
  for (let at = FILE_HEADER_SIZE; at + CHUNK_SIZE <= bytes.length; at += CHUNK_SIZE)
    if (isChunkMagic(bytes, at)) chunks.push(bytes.subarray(at, at + CHUNK_SIZE));
}
const dir = mkdtempSync(join(tmpdir(), "vigil-evtx-bench-"));
const big = join(dir, "big.evtx");
const fd = openSync(big, "w");
writeSync(fd, readFileSync(largest.f).subarray(0, FILE_HEADER_SIZE));
const total = Math.floor((targetMiB * 1048576) / CHUNK_SIZE);
for (let i = 0; i < total; i++) writeSync(fd, chunks[i % chunks.length]!);
closeSync(fd);
const bigSize = FILE_HEADER_SIZE + total * CHUNK_SIZE;
const rssBefore = process.memoryUsage().rss;
let peakRss = rssBefore;
const timer = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
const t0 = performance.now();
const result = await readAll(big);
seconds = (performance.now() - t0) / 1000;
clearInterval(timer);
rmSync(dir, { recursive: true, force: true });
console.log(
  `synthetic ${(bigSize / 1048576).toFixed(0)} MiB log (${total} real chunks, ${result.records} records, ${result.problems} problems): ` +
    `${Math.round(result.records / seconds)} records/s, ${(bigSize / 1048576 / seconds).toFixed(1)} MB/s, ` +
    `${seconds.toFixed(1)} s, RSS ${(rssBefore / 1048576).toFixed(0)} → peak ${(peakRss / 1048576).toFixed(0)} MiB`,
);
