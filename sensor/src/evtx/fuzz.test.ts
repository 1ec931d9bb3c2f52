import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readWindowsRecords } from "../windows/index.ts";
import { readEvtx } from "./index.ts";
import { CHUNK_SIZE, FILE_HEADER_SIZE } from "./layout.ts";
import { findAttackSamples } from "./samples.ts";

/**
 * Seeded fuzzing: thousands of mutated copies of real EVTX files (byte flips, random 32-bit values
 * where sizes and offsets live, truncations, zeroed and spliced ranges, swapped and duplicated
 * chunks), read through every entry point. The reader must never throw out of its API, must finish
 * each case quickly (no hang), and its output must stay proportional to its input (no unbounded
 * allocation: every size read from the file is checked against the chunk before use, and a record
 * has a fixed expansion budget). A failing case prints its seed for replay.
 */
const ROOT = findAttackSamples();
const SEED = 0x5eed_e7c;
const CASES = 3000;
const CASE_LIMIT_MS = 2000;
const BASES = [
  "zerologon/sb__Zerologon_CVE-2020-1472_DFIR_System_NetLogon_Error_EventID_5805.evtx",
  "recon_smb_sessions/sb__discovery_sysmon_3_Invoke_UserHunter_SourceMachine.evtx",
  "remote_service_creation/sb__LM_Remote_Service02_7045.evtx",
  "controls_host_local/sb__CA_4624_4625_LogonType2_LogonProc_chrome.evtx",
  "dcsync/sb__CA_DCSync_4662.evtx",
  "zerologon/sb__etw_rpc_zerologon.evtx", // three chunks: swaps and duplicates
];
const dir = mkdtempSync(join(tmpdir(), "vigil-evtx-fuzz-"));

/** mulberry32: small, fast, good enough to spread mutations; the seed makes every case replayable. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  return { next, int };
}

type Rng = ReturnType<typeof prng>;

function mutate(base: Buffer, rng: Rng): Buffer {
  const chunks = Math.max(1, Math.floor((base.length - FILE_HEADER_SIZE) / CHUNK_SIZE));
  let file = Buffer.from(base);
  // Mostly where the structure is (chunk headers and records), sometimes anywhere.
  const hot = () =>
    Math.max(
      0,
      Math.min(
        file.length - 4,
        rng.next() < 0.8 ? FILE_HEADER_SIZE + rng.int(chunks) * CHUNK_SIZE + rng.int(12_000) : rng.int(file.length),
      ),
    );
  for (let m = 1 + rng.int(3); m > 0; m--) {
    switch (rng.int(7)) {
      case 0:
        for (let k = 1 + rng.int(32); k > 0 && file.length > 0; k--) {
          const at = hot();
          file.writeUInt8(file.readUInt8(at) ^ (1 << rng.int(8)), at);
        }
        break;
      case 1: {
        const at = hot();
        if (file.length < 4) break;
        const values = [0, 0xffffffff, 0x7fffffff, rng.int(0x10000), rng.int(0x100), rng.int(2 ** 32)];
        file.writeUInt32LE(values[rng.int(values.length)]!, at);
        break;
      }
      case 2:
        file = file.subarray(0, rng.int(file.length));
        break;
      case 3: {
        const at = hot();
        file.fill(rng.next() < 0.5 ? 0 : 0xff, at, Math.min(file.length, at + 1 + rng.int(2048)));
        break;
      }
      case 4: {
        const from = hot();
        const length = 1 + rng.int(512);
        file.copy(file, hot(), from, Math.min(from + length, file.length));
        break;
      }
      case 5:
      case 6: {
        const a = FILE_HEADER_SIZE + rng.int(chunks) * CHUNK_SIZE;
        const b = FILE_HEADER_SIZE + rng.int(chunks) * CHUNK_SIZE;
        if (chunks < 2 || Math.max(a, b) >= file.length) break;
        const saved = Buffer.from(file.subarray(a, a + CHUNK_SIZE));
        file.copy(file, a, b, b + CHUNK_SIZE);
        if (rng.int(2) === 0) saved.copy(file, b); // swap; otherwise a duplicate chunk
        break;
      }
    }
  }
  return file;
}

/** Feeds the bytes in random pieces, so the stream reader's chunk assembly is fuzzed too. */
async function* pieces(file: Buffer, rng: Rng): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < file.length;) {
    const n = 1 + rng.int(100_000);
    yield file.subarray(at, at + n);
    at += n;
  }
}

const figures = { cases: 0, records: 0, problems: 0, slowestMs: 0, totalMs: 0, peakHeapMb: 0 };

describe.skipIf(!ROOT)("EVTX fuzzing", () => {
  it(`survives ${CASES} mutated files`, { timeout: 180_000 }, async () => {
    const bases = BASES.map((b) => readFileSync(join(ROOT!, b)).subarray(0, FILE_HEADER_SIZE + 3 * CHUNK_SIZE));
    const heapBefore = process.memoryUsage().heapUsed;
    for (let i = 0; i < CASES; i++) {
      const seed = SEED + i;
      const rng = prng(seed);
      const file = mutate(bases[i % bases.length]!, rng);
      const route = rng.int(10);
      const started = performance.now();
      let output = 0;
      try {
        const onProblem = () => void figures.problems++;
        if (route < 7) {
          for await (const r of readEvtx(pieces(file, rng), { onProblem, xml: route === 0 })) {
            output += JSON.stringify(r.record).length + (r.xml?.length ?? 0);
            figures.records++;
          }
        } else {
          const path = join(dir, `case-${i % 16}.evtx`);
          writeFileSync(path, file);
          const records = route === 9 ? readWindowsRecords(path, { onProblem }) : readEvtxRecords(path, onProblem);
          for await (const r of records) {
            output += JSON.stringify(r).length;
            figures.records++;
          }
        }
      } catch (error) {
        throw new Error(`case ${i} (seed ${seed}) threw out of the API: ${(error as Error).stack}`);
      }
      const elapsed = performance.now() - started;
      figures.slowestMs = Math.max(figures.slowestMs, elapsed);
      figures.totalMs += elapsed;
      figures.cases++;
      expect(elapsed, `case ${i} (seed ${seed}) took ${elapsed.toFixed(0)} ms`).toBeLessThan(CASE_LIMIT_MS);
      expect(output, `case ${i} (seed ${seed}) produced ${output} characters from ${file.length} bytes`).toBeLessThan(
        64 * file.length + 1_000_000,
      );
      if (i % 100 === 0) figures.peakHeapMb = Math.max(figures.peakHeapMb, (process.memoryUsage().heapUsed - heapBefore) / 1048576);
    }
    expect(figures.peakHeapMb).toBeLessThan(256);
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
    const f = figures;
    console.log(
      `EVTX fuzz: ${f.cases} cases, ${f.records} records, ${f.problems} problems, ` +
        `${(f.totalMs / 1000).toFixed(1)} s total, slowest case ${f.slowestMs.toFixed(0)} ms, heap growth ≤ ${f.peakHeapMb.toFixed(0)} MB`,
    );
  });
});

async function* readEvtxRecords(path: string, onProblem: () => void) {
  for await (const r of readEvtx(path, { onProblem })) yield r.record;
}
