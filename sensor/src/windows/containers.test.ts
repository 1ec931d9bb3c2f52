import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { buildZip } from "./fixtures/zip-writer.ts";
import { readLocatedRecords, type ReadProblem, type ReadProgress } from "./index.ts";

const fixture = (name: string) => readFileSync(join(import.meta.dirname, "fixtures", name));
const dir = mkdtempSync(join(tmpdir(), "vigil-containers-"));
const write = (name: string, data: Uint8Array | string) => {
  const path = join(dir, name);
  writeFileSync(path, data);
  return path;
};

/** Paths relative to the temp dir, so archive members keep their folders (`lab.zip!dc01/events.xml`). */
const local = (file: string) => (file.startsWith(`${dir}/`) ? file.slice(dir.length + 1) : file);

async function readAll(source: string | Readable, options: Parameters<typeof readLocatedRecords>[1] = {}) {
  const problems: ReadProblem[] = [];
  const records: { file: string; id: number; recordId?: string }[] = [];
  for await (const r of readLocatedRecords(source, { ...options, onProblem: (p) => problems.push(p) })) {
    records.push({ file: local(r.file), id: r.record.EventID, ...(r.record.EventRecordID ? { recordId: r.record.EventRecordID } : {}) });
  }
  return { records, problems: problems.map((p) => ({ ...p, file: local(p.file) })) };
}

describe("gzip", () => {
  it("reads a .gz by its magic bytes, whatever its name, with the same problems as the plain file", async () => {
    const { records, problems } = await readAll(write("events.bin", gzipSync(fixture("events.xml"))));
    expect(records.map((r) => r.recordId)).toEqual(["1001", "1003", "1005", "1006", "1008", "1009"]);
    expect(problems.map((p) => [p.file, p.position])).toEqual([
      ["events.bin", 3],
      ["events.bin", 25],
      ["events.bin", 26],
      ["events.bin", 29],
      ["events.bin", 35],
    ]);
  });

  it("reads concatenated gzip members (cat a.gz b.gz) and gzip from a stream", async () => {
    const both = Buffer.concat([gzipSync(fixture("records.jsonl")), gzipSync(fixture("records.jsonl"))]);
    expect((await readAll(write("two.gz", both))).records).toHaveLength(6);
    expect((await readAll(Readable.from([both]))).records).toHaveLength(6);
  });

  it("keeps the records before damage and reports where a truncated .gz stops", async () => {
    const whole = gzipSync(Buffer.concat([fixture("records.jsonl"), Buffer.alloc(200_000, 0x20), fixture("records.jsonl")]));
    const { records, problems } = await readAll(write("cut.gz", whole.subarray(0, whole.length - 40)));
    expect(records.length).toBeGreaterThanOrEqual(3);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ file: "cut.gz", unit: "byte", reason: expect.stringMatching(/input damaged/) });
  });
});

describe("zip", () => {
  const archive = () =>
    buildZip([
      { name: "dc01/events.xml", data: fixture("events-wrapped.xml"), deflate: true },
      { name: "logs/", data: new Uint8Array() },
      { name: "dc01/nxlog.jsonl", data: fixture("nxlog.jsonl") },
      { name: "dc02/records.jsonl.gz", data: gzipSync(fixture("records.jsonl")), deflate: true },
      { name: "__MACOSX/dc01/._events.xml", data: Buffer.from("junk") },
      { name: "damaged.jsonl", data: fixture("records.jsonl"), deflate: true, corruptCrc: true },
      { name: "notes.txt", data: Buffer.from("collected by the IR team\n") },
    ]);

  it("reads every member (stored, deflated, gzip inside), naming problems archive!member", async () => {
    const { records, problems } = await readAll(write("lab.zip", archive()));
    const perMember = Object.fromEntries(
      ["events.xml", "nxlog.jsonl", "records.jsonl.gz", "damaged.jsonl"].map((m) => [m, records.filter((r) => r.file.endsWith(m)).length]),
    );
    expect(perMember).toEqual({ "events.xml": 2, "nxlog.jsonl": 4, "records.jsonl.gz": 3, "damaged.jsonl": 3 });
    expect(problems.map((p) => [p.file, p.unit, p.position])).toEqual([
      ["lab.zip!dc01/events.xml", "line", 6],
      ["lab.zip!dc01/nxlog.jsonl", "line", 3],
      ["lab.zip!dc01/nxlog.jsonl", "line", 4],
      ["lab.zip!dc01/nxlog.jsonl", "line", 6],
      ["lab.zip!dc01/nxlog.jsonl", "line", 8],
      ["lab.zip!damaged.jsonl", "byte", expect.any(Number)],
      ["lab.zip!notes.txt", "line", 1],
    ]);
    expect(problems.find((p) => p.file.endsWith("damaged.jsonl"))?.reason).toMatch(/fails its integrity check/);
    expect(problems.at(-1)?.reason).toMatch(/not Windows event XML or JSON/);
  });

  it("reports an archive with no central directory instead of throwing", async () => {
    const zip = archive();
    const { records, problems } = await readAll(write("cut.zip", zip.subarray(0, zip.length - 30)));
    expect(records).toEqual([]);
    expect(problems).toEqual([
      { file: "cut.zip", position: expect.any(Number), unit: "byte", reason: expect.stringMatching(/end-of-central-directory/) },
    ]);
  });

  it("refuses a zip on a stream with a clear problem (it needs random access)", async () => {
    const { problems } = await readAll(Readable.from([archive()]), { name: "<stdin>" });
    expect(problems).toEqual([
      { file: "<stdin>", position: 0, unit: "byte", reason: expect.stringMatching(/zip archive inside a stream/) },
    ]);
  });
});

describe("streams, growing files and progress", () => {
  it("reads JSON lines from stdin-like streams split mid-line", async () => {
    const text = fixture("nxlog.jsonl").toString("utf8");
    const pieces = text.match(/[\s\S]{1,33}/g)!;
    const { records, problems } = await readAll(Readable.from(pieces), { name: "<stdin>" });
    expect(records.map((r) => r.id)).toEqual([4662, 4776, 7045, 4799]);
    expect(problems.map((p) => [p.file, p.position])).toEqual([
      ["<stdin>", 3],
      ["<stdin>", 4],
      ["<stdin>", 6],
      ["<stdin>", 8],
    ]);
  });

  it("follows a growing file, waiting for half-written lines, until aborted", async () => {
    const lines = fixture("records.jsonl").toString("utf8").trim().split("\n");
    const path = write("growing.jsonl", `${lines[0]}\n${lines[1]!.slice(0, 40)}`);
    const controller = new AbortController();
    const seen: number[] = [];
    const problems: ReadProblem[] = [];
    const reading = (async () => {
      for await (const r of readLocatedRecords(path, {
        follow: true,
        pollIntervalMs: 20,
        signal: controller.signal,
        onProblem: (p) => problems.push(p),
      })) {
        seen.push(r.position);
        if (seen.length === 1) appendFileSync(path, `${lines[1]!.slice(40)}\n`);
        if (seen.length === 2) appendFileSync(path, `${lines[2]}\n`);
        if (seen.length === 3) controller.abort();
      }
    })();
    await reading;
    expect(seen).toEqual([1, 2, 3]);
    expect(problems).toEqual([]);
  });

  it("reports progress in compressed bytes up to the file size", async () => {
    const path = write("big.json.gz", gzipSync(Buffer.from(fixture("records.jsonl").toString("utf8").repeat(3000))));
    const progress: ReadProgress[] = [];
    await readAll(path, { onProgress: (p) => progress.push(p) });
    const size = readFileSync(path).length;
    expect(progress.at(-1)).toEqual({ file: path, bytesRead: size, totalBytes: size });
    expect(progress.map((p) => p.bytesRead)).toEqual([...progress.map((p) => p.bytesRead)].sort((a, b) => a - b));
  });

  it("reports unreadable input and EVTX instead of throwing", async () => {
    const missing = await readAll(join(dir, "nope.xml"));
    expect(missing.problems).toEqual([
      { file: "nope.xml", position: 0, unit: "byte", reason: expect.stringMatching(/^cannot open: .*ENOENT/) },
    ]);
    const evtx = await readAll(write("log.evtx", Buffer.concat([Buffer.from("ElfFile\0"), Buffer.alloc(4088)])));
    expect(evtx.problems).toEqual([{ file: "log.evtx", position: 0, unit: "byte", reason: expect.stringMatching(/EVTX binary log/) }]);
  });
});
