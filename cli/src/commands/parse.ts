import { open, readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { readEvtx, readWindowsRecords, type ReadProblem, type ReadProgress, type WindowsRecord } from "@vigil/sensor";
import { UsageError, type CommandContext } from "./command.ts";

const USAGE = "vigil parse [--xml] FILE|DIR|- ...";
const PROGRESS_EVERY_BYTES = 64 * 1024 * 1024;
/** Problems printed per file; a badly damaged file would otherwise bury the output. */
const PROBLEMS_PER_FILE = 100;

/**
 * One record as a JSON line in the oracle's shape (python-evtx `evtx_dump`-style lines the test
 * oracle uses): System fields first, then the EventData map. Absent fields are null, as there.
 */
export function recordLine(record: WindowsRecord, source: string): string {
  const id = record.EventRecordID;
  return JSON.stringify({
    EventRecordID: id !== undefined && /^\d{1,15}$/.test(id) ? Number(id) : (id ?? null),
    EventID: record.EventID,
    TimeCreated: record.TimeCreated,
    Computer: record.Computer ?? null,
    Channel: record.Channel ?? null,
    Provider: record.Provider ?? null,
    UserID: record.UserID ?? "",
    EventData: record.EventData,
    _source: source,
  });
}

async function expand(paths: string[]): Promise<string[]> {
  const files: string[] = [];
  for (const path of paths) {
    if (path === "-") {
      files.push(path);
      continue;
    }
    const info = await stat(path).catch(() => undefined);
    // A missing path is left to the reader, which reports it like any unreadable file.
    if (info?.isDirectory()) {
      const names = (await readdir(path)).filter((n) => !n.startsWith(".")).sort();
      files.push(...(await expand(names.map((n) => join(path, n)))));
    } else files.push(path);
  }
  return files;
}

async function isEvtxFile(path: string): Promise<boolean> {
  const handle = await open(path, "r").catch(() => undefined);
  if (!handle) return false;
  try {
    const head = Buffer.alloc(8);
    await handle.read(head, 0, 8, 0);
    return head.toString("latin1") === "ElfFile\0";
  } finally {
    await handle.close();
  }
}

/**
 * `vigil parse [--xml] FILE|DIR|- ...`: every record of EVTX, event XML or event JSON input (plain,
 * .gz, .zip; `-` for stdin) as one JSON object per line on stdout — Vigil's own `evtx_dump`.
 * `--xml` prints EVTX records as event XML instead. Problems go to stderr with file and position
 * (byte offset, line or index). Exit code 0 unless no file could be read at all.
 */
export async function run({ args, log, out }: CommandContext): Promise<number> {
  const xml = args.includes("--xml");
  const unknown = args.find((a) => a.startsWith("--") && a !== "--xml");
  if (unknown) throw new UsageError(`unknown option ${unknown}; usage: ${USAGE}`);
  const paths = args.filter((a) => a !== "--xml");
  if (paths.length === 0) throw new UsageError(`vigil parse needs at least one FILE or DIR; usage: ${USAGE}`);
  const files = await expand(paths);
  let readable = 0;
  let total = 0;
  for (const file of files) {
    let problems = 0;
    let records = 0;
    let nextReport = PROGRESS_EVERY_BYTES;
    const onProblem = (p: ReadProblem) => {
      problems++;
      if (problems <= PROBLEMS_PER_FILE)
        log(`${p.file}:${p.unit} ${p.position}: ${p.reason}${p.recordId ? ` (record ${p.recordId})` : ""}`);
    };
    const onProgress = (p: ReadProgress) => {
      if (p.bytesRead < nextReport) return;
      nextReport += PROGRESS_EVERY_BYTES;
      const pct = p.totalBytes ? ` (${Math.round((100 * p.bytesRead) / p.totalBytes)}%)` : "";
      log(`${p.file}: ${Math.round(p.bytesRead / 1048576)} MiB read${pct}`);
    };
    const source = file === "-" ? "<stdin>" : file;
    if (xml && file !== "-" && (await isEvtxFile(file))) {
      for await (const r of readEvtx(file, { xml: true, onProblem, onProgress })) {
        records++;
        out(r.xml ?? "");
      }
    } else {
      if (xml) log(`${source}: --xml applies to EVTX files; printing JSON lines`);
      const input = file === "-" ? process.stdin : file;
      for await (const record of readWindowsRecords(input, { onProblem, onProgress, ...(file === "-" ? { name: "<stdin>" } : {}) })) {
        records++;
        out(recordLine(record, source));
      }
    }
    if (problems > PROBLEMS_PER_FILE) log(`${source}: ${problems - PROBLEMS_PER_FILE} more problem(s) not shown`);
    if (records > 0 || problems === 0) readable++;
    total += records;
    if (files.length > 1) log(`${source}: ${records} record(s), ${problems} problem(s)`);
  }
  log(`${files.length} file(s), ${total} record(s)`);
  return readable > 0 ? 0 : 1;
}
