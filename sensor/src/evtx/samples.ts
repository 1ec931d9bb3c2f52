import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";

/**
 * Test and bench support: the public attack samples (EVTX files and their python-evtx oracle).
 * They live beside the repository (`../shared/datasets`), so they are found by walking up from this
 * file rather than by a fixed path; undefined when they are absent and the tests skip.
 */
export function findAttackSamples(from = dirname(fileURLToPath(import.meta.url))): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, "shared", "datasets", "attack-samples");
    if (existsSync(join(candidate, "oracle"))) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

/** Every `.evtx` under the samples, as paths relative to it (`dir/file.evtx`), sorted. */
export function listEvtx(root: string): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.toLowerCase().endsWith(".evtx")) found.push(relative(root, path));
    }
  };
  walk(root);
  return found;
}

/** One oracle line: System fields and the EventData map, as python-evtx decoded the record. */
export interface OracleRecord {
  EventRecordID: number;
  EventID: number;
  TimeCreated: string;
  Computer: string | null;
  Channel: string | null;
  Provider: string | null;
  UserID?: string | null;
  EventData: Record<string, string | null>;
}

/** The oracle of `dir/file.evtx`: `oracle/<dir>__<file stem>.jsonl.gz`. */
export function readOracle(root: string, evtx: string): OracleRecord[] {
  const stem = basename(evtx).replace(/\.evtx$/i, "");
  const file = join(root, "oracle", `${dirname(evtx).split(/[\\/]/).join("__")}__${stem}.jsonl.gz`);
  return gunzipSync(readFileSync(file))
    .toString("utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as OracleRecord);
}

/**
 * What python-evtx prints for a time Vigil renders at full FILETIME precision: it converts through a
 * double (`utcfromtimestamp(ft * 1e-7 - 11644473600)`), rounding to the microsecond half-to-even,
 * and drops a zero fraction. Reproducing that arithmetic checks the FILETIME decoding bit for bit.
 */
export function pythonEvtxTime(iso: string): string {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\.(\d{7})Z$/.exec(iso);
  if (!m) return iso;
  const unixSeconds = Date.parse(`${m[1]}Z`) / 1000;
  // float(qword): the exact 64-bit FILETIME rounded once to a double.
  const filetime = Number((BigInt(unixSeconds) + 11644473600n) * 10_000_000n + BigInt(m[2]!));
  const stamp = filetime * 1e-7 - 11644473600;
  let seconds = Math.floor(stamp);
  const micros = (stamp - seconds) * 1e6;
  let us = Math.round(micros);
  if (Math.abs(micros - Math.floor(micros) - 0.5) < 1e-9 && Math.floor(micros) % 2 === 0) us = Math.floor(micros);
  if (us >= 1_000_000) {
    us -= 1_000_000;
    seconds += 1;
  }
  const whole = new Date(seconds * 1000).toISOString().slice(0, 19);
  return `${whole}${us === 0 ? "" : `.${String(us).padStart(6, "0")}`}Z`;
}
