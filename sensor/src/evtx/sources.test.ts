import { mkdtempSync, readFileSync, writeFileSync, openSync, writeSync, closeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { buildZip } from "../windows/fixtures/zip-writer.ts";
import { detectFormat, readLocatedRecords, readWindowsEvents, type ReadProblem, type ReadProgress } from "../windows/index.ts";
import { readEvtx, type EvtxRecord } from "./index.ts";
import { CHUNK_SIZE, FILE_HEADER_SIZE } from "./layout.ts";
import { findAttackSamples } from "./samples.ts";
import { chunkAt, recordsIn, rewindChunk } from "./surgery.ts";

/** EVTX through every door: plain files, gzip, zip, streams, format detection, progress, following. */
const ROOT = findAttackSamples();
const BIG = "zerologon/sb__etw_rpc_zerologon.evtx";
const SMALL = "dcsync/sb__CA_DCSync_4662.evtx";
const dir = mkdtempSync(join(tmpdir(), "vigil-evtx-sources-"));
const sample = (name: string) => readFileSync(join(ROOT!, name));
const write = (name: string, data: Uint8Array) => {
  const path = join(dir, name);
  writeFileSync(path, data);
  return path;
};

async function located(source: string | Readable) {
  const problems: ReadProblem[] = [];
  const out: { file: string; position: number; format: string; recordId?: string }[] = [];
  for await (const r of readLocatedRecords(source, { onProblem: (p) => problems.push(p) }))
    out.push({ file: r.file.replace(`${dir}/`, ""), position: r.position, format: r.format, recordId: r.record.EventRecordID });
  return { out, problems };
}

describe.skipIf(!ROOT)("EVTX sources", () => {
  it("plain, gzip, zip and stream input give the same records at the same byte positions", async () => {
    const plain = await located(write("a.evtx", sample(SMALL)));
    expect(plain.problems).toEqual([]);
    expect(plain.out.map((r) => r.recordId)).toEqual(["202791", "202792", "202793"]);
    expect(plain.out.every((r) => r.format === "evtx" && r.file === "a.evtx")).toBe(true);
    const strip = (rs: typeof plain.out) => rs.map(({ position, recordId }) => ({ position, recordId }));
    const gz = await located(write("a.evtx.gz", gzipSync(sample(SMALL))));
    expect(gz.problems).toEqual([]);
    expect(strip(gz.out)).toEqual(strip(plain.out));
    const zip = await located(
      write(
        "logs.zip",
        buildZip([
          { name: "dc/Security.evtx", data: sample(SMALL), deflate: true },
          { name: "b.evtx", data: sample(BIG) },
        ]),
      ),
    );
    expect(zip.problems).toEqual([]);
    expect(zip.out.filter((r) => r.file === "logs.zip!dc/Security.evtx").map((r) => r.recordId)).toEqual(["202791", "202792", "202793"]);
    expect(zip.out.filter((r) => r.file === "logs.zip!b.evtx")).toHaveLength(415);
    const stream = await located(Readable.from([sample(SMALL).subarray(0, 5000), sample(SMALL).subarray(5000)]));
    expect(strip(stream.out)).toEqual(strip(plain.out));
  });

  it("detectFormat recognizes EVTX, also inside gzip and zip", async () => {
    const evtx = { encoding: "utf-16le", syntax: "evtx" };
    await expect(detectFormat(write("d.evtx", sample(SMALL)))).resolves.toEqual({ container: "plain", ...evtx });
    await expect(detectFormat(write("d.evtx.gz", gzipSync(sample(SMALL))))).resolves.toEqual({ container: "gzip", ...evtx });
    await expect(detectFormat(write("d.zip", buildZip([{ name: "x.evtx", data: sample(SMALL) }])))).resolves.toEqual({
      container: "zip",
      ...evtx,
    });
    await expect(detectFormat(sample(SMALL))).resolves.toEqual({ container: "plain", ...evtx });
  });

  it("EVTX events reach the mapping with origin format evtx", async () => {
    const drafts = [];
    for await (const d of readWindowsEvents(write("m.evtx", sample(SMALL)), { tenantId: "acme", sensorId: "s1" })) drafts.push(d);
    expect(drafts.map((d) => [d.origin.format, d.origin.recordId, d.origin.eventId])).toEqual([
      ["evtx", "202791", 4662],
      ["evtx", "202792", 4662],
      ["evtx", "202793", 4662],
    ]);
  });

  it("reports progress up to the file size", async () => {
    const path = write("p.evtx", sample(BIG));
    const progress: ReadProgress[] = [];
    for await (const _ of readEvtx(path, { onProgress: (p) => progress.push(p) })) void _;
    const size = sample(BIG).length;
    expect(progress.at(-1)).toEqual({ file: path, bytesRead: size, totalBytes: size });
  });

  it("follows a log being written: records added in place, a record half written, new chunks", async () => {
    const full = sample(BIG);
    const path = join(dir, "live.evtx");
    // Step 1: the first chunk holds 50 records and half of the 51st; nothing after it yet.
    const first = Buffer.from(full.subarray(0, chunkAt(1)));
    const r51 = recordsIn(first, 0)[50]!;
    rewindChunk(first, 0, 50);
    first.fill(0, r51.offset + (r51.size >> 1), chunkAt(1));
    writeFileSync(path, first);
    const controller = new AbortController();
    const got: EvtxRecord[] = [];
    const problems: ReadProblem[] = [];
    const reading = (async () => {
      for await (const r of readEvtx(path, {
        follow: true,
        pollIntervalMs: 10,
        signal: controller.signal,
        onProblem: (p) => problems.push(p),
      }))
        got.push(r);
    })();
    const until = async (n: number) => {
      for (let i = 0; i < 500 && got.length < n; i++) await sleep(10);
      expect(got.length).toBe(n);
    };
    await until(50);
    // Step 2: Windows finishes the chunk in place.
    const fd = openSync(path, "r+");
    writeSync(fd, full, FILE_HEADER_SIZE, CHUNK_SIZE, FILE_HEADER_SIZE);
    await until(189);
    // Step 3: two more chunks are appended.
    writeSync(fd, full, chunkAt(1), 2 * CHUNK_SIZE, chunkAt(1));
    closeSync(fd);
    await until(415);
    controller.abort();
    await reading;
    expect(got.map((r) => r.recordId)).toEqual(Array.from({ length: 415 }, (_, i) => String(i + 1)));
    expect(problems).toEqual([]);
  });
});
