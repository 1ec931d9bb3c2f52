import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { ReadProblem } from "../windows/index.ts";
import { readEvtx, type EvtxRecord } from "./index.ts";
import { CHUNK_SIZE } from "./layout.ts";
import { findAttackSamples } from "./samples.ts";
import { chunkAt, fixChunk, fixFileHeader, recordsIn, rewindChunk } from "./surgery.ts";

/**
 * Damage is reported precisely (which chunk / record, where, why) and costs only what is damaged.
 * The base file is a real log of three chunks (189, 180 and 46 records).
 */
const ROOT = findAttackSamples();
const BASE = "zerologon/sb__etw_rpc_zerologon.evtx";
const dir = mkdtempSync(join(tmpdir(), "vigil-evtx-damage-"));
let serial = 0;

function variant(edit: (file: Buffer) => Buffer | void): string {
  const file = readFileSync(join(ROOT!, BASE));
  const path = join(dir, `v${serial++}.evtx`);
  writeFileSync(path, edit(file) ?? file);
  return path;
}

async function readAll(path: string) {
  const problems: ReadProblem[] = [];
  const records: EvtxRecord[] = [];
  for await (const r of readEvtx(path, { onProblem: (p) => problems.push(p) })) records.push(r);
  return { records, problems: problems.map((p) => ({ ...p, file: "" })) };
}

const ids = (records: EvtxRecord[]) => records.map((r) => r.recordId);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => String(from + i));

describe.skipIf(!ROOT)("EVTX damage", () => {
  it("reads the intact base file without problems", async () => {
    const { records, problems } = await readAll(variant(() => undefined));
    expect(problems).toEqual([]);
    expect(ids(records)).toEqual(range(1, 415));
  });

  it("a file cut inside a chunk: the cut and the cut record are reported, everything before is read", async () => {
    const cut = chunkAt(1) + 30_000;
    let straddling: { offset: number; id: bigint } | undefined;
    const path = variant((file) => {
      straddling = recordsIn(file, 1).find((r) => r.offset + r.size > cut);
      return file.subarray(0, cut);
    });
    const { records, problems } = await readAll(path);
    const lastWhole = Number(straddling!.id) - 1;
    expect(ids(records)).toEqual(range(1, lastWhole));
    expect(problems).toEqual([
      {
        file: "",
        position: cut,
        unit: "byte",
        reason: "chunk 1: file ends 30000 bytes into this 64 KiB chunk (cut short); records before the cut are read",
      },
      {
        file: "",
        position: straddling!.offset,
        unit: "byte",
        recordId: String(straddling!.id),
        reason: expect.stringMatching(
          new RegExp(
            `^chunk 1, record ${straddling!.id} at chunk offset 0x[0-9a-f]+: cut short \\(needs \\d+ bytes, the file ends after \\d+\\); rest of the chunk skipped$`,
          ),
        ),
      },
    ]);
  });

  it("a file cut inside its header: one header problem, no records", async () => {
    const { records, problems } = await readAll(variant((file) => file.subarray(0, 100)));
    expect(records).toEqual([]);
    expect(problems).toEqual([
      {
        file: "",
        position: 0,
        unit: "byte",
        reason: "EVTX binary log with a damaged header (file header cut short (100 of 4096 bytes)); its chunks are still read",
      },
    ]);
  });

  it("a chunk without its signature: reported, its records recovered by scanning", async () => {
    const { records, problems } = await readAll(variant((file) => void (file[chunkAt(1)] = 0x58)));
    expect(problems).toEqual([
      { file: "", position: chunkAt(1), unit: "byte", reason: "chunk 1: no ElfChnk signature; records recovered by scanning" },
    ]);
    expect(ids(records)).toEqual(range(1, 415));
  });

  it("a flipped byte in a chunk header: checksum mismatch reported, records still read", async () => {
    const { records, problems } = await readAll(
      variant((file) => void file.writeUInt8(file.readUInt8(chunkAt(1) + 0x50) ^ 0xff, chunkAt(1) + 0x50)),
    );
    expect(problems).toEqual([
      {
        file: "",
        position: chunkAt(1),
        unit: "byte",
        reason: "chunk 1: header checksum mismatch; records still read, each checked on its own",
      },
    ]);
    expect(ids(records)).toEqual(range(1, 415));
  });

  it("an overwritten chunk: skipped with its reason, the chunks around it are read", async () => {
    const { records, problems } = await readAll(variant((file) => void file.fill(0xab, chunkAt(1), chunkAt(1) + 2048)));
    expect(problems).toEqual([
      { file: "", position: chunkAt(1), unit: "byte", reason: "chunk 1: no ElfChnk signature and no records; chunk skipped" },
    ]);
    expect(ids(records)).toEqual([...range(1, 189), ...range(370, 415)]);
  });

  it("a record whose size disagrees with its trailing copy: that record is reported, the rest of its chunk read", async () => {
    let bad: { offset: number; size: number; id: bigint } | undefined;
    const { records, problems } = await readAll(
      variant((file) => {
        bad = recordsIn(file, 0)[2]!;
        file.writeUInt32LE(bad.size + 8, bad.offset + bad.size - 4);
      }),
    );
    expect(problems).toEqual([
      {
        file: "",
        position: chunkAt(0) + 52,
        unit: "byte",
        reason: "chunk 0: event records checksum mismatch; records still read, each checked on its own",
      },
      {
        file: "",
        position: bad!.offset,
        unit: "byte",
        recordId: "3",
        reason: `chunk 0, record 3 at chunk offset 0x${(bad!.offset - chunkAt(0)).toString(16)}: size ${bad!.size} does not match its trailing copy ${bad!.size + 8}; skipped`,
      },
    ]);
    expect(ids(records)).toEqual(range(1, 415).filter((id) => id !== "3"));
  });

  it("a record with damaged BinXML: reported; later records still decode its template", async () => {
    let first: { offset: number } | undefined;
    const path = variant((file) => {
      first = recordsIn(file, 0)[0]!;
      // The first record defines the chunk's template inline; its instance token is destroyed.
      file[first.offset + 24 + 4] = 0x77;
      fixChunk(file, 0);
    });
    const { records, problems } = await readAll(path);
    expect(problems).toEqual([
      {
        file: "",
        position: first!.offset,
        unit: "byte",
        recordId: "1",
        reason: "chunk 0, record 1: BinXML damaged: unexpected token 0x77 where an element was expected",
      },
    ]);
    expect(ids(records)).toEqual(range(2, 415));
  });

  it("a dirty file with a stale header and a chunk not flushed: read as Windows recovers it, without problems", async () => {
    const path = variant((file) => {
      file.writeUInt16LE(1, 42); // chunk count: only the first chunk announced
      file.writeBigUInt64LE(0n, 16); // last chunk number
      file.writeUInt32LE(0x1, 120); // dirty
      fixFileHeader(file);
      rewindChunk(file, 2, 10); // the last chunk's header still announces 10 of its 46 records
    });
    const { records, problems } = await readAll(path);
    expect(problems).toEqual([]);
    expect(ids(records)).toEqual(range(1, 415));
  });

  it("stale bytes past a chunk's free space that do not continue its records are not read", async () => {
    const path = variant((file) => {
      rewindChunk(file, 2, 10);
      const stale = recordsIn(file, 2).length; // recordsIn follows the rewound header
      expect(stale).toBe(10);
      const next = chunkAt(2) + file.readUInt32LE(chunkAt(2) + 48);
      file.writeBigUInt64LE(9999n, next + 8); // a leftover from an older generation of the chunk
    });
    const { records, problems } = await readAll(path);
    expect(problems).toEqual([]);
    expect(ids(records)).toEqual(range(1, 379));
  });

  it("chunks are read oldest first when a full log has wrapped around", async () => {
    const path = variant((file) => {
      const first = Buffer.from(file.subarray(chunkAt(0), chunkAt(1)));
      file.copy(file, chunkAt(0), chunkAt(2), chunkAt(2) + CHUNK_SIZE);
      first.copy(file, chunkAt(2));
    });
    const { records, problems } = await readAll(path);
    expect(problems).toEqual([]);
    expect(ids(records)).toEqual(range(1, 415));
    expect(records[0]!.chunk).toBe(2);
  });

  it("a chunk stored twice is read twice: no record is dropped for having been seen", async () => {
    const path = variant((file) => void file.copy(file, chunkAt(2), chunkAt(1), chunkAt(1) + CHUNK_SIZE));
    const { records, problems } = await readAll(path);
    expect(problems).toEqual([]);
    expect(ids(records)).toEqual([...range(1, 189), ...range(190, 369), ...range(190, 369)]);
  });

  it("reports a missing file and a directory instead of throwing", async () => {
    const missing = await readAll(join(dir, "nope.evtx"));
    expect(missing.problems).toEqual([{ file: "", position: 0, unit: "byte", reason: expect.stringMatching(/^cannot open: .*ENOENT/) }]);
    const folder = await readAll(dir);
    expect(folder.problems).toEqual([{ file: "", position: 0, unit: "byte", reason: "is a directory, not a file" }]);
  });
});
