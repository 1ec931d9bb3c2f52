/**
 * The network half of `npm run eval`: capture files (pcap, pcapng, zips of them, recognised by
 * content) are scored against EXPECTED.tsv's `required_N`; Windows-event files against `required_E`.
 * `npm run eval -- --network` scores the captures; the default run leaves them out, so the Windows
 * evaluation keeps meaning what it did before captures became readable.
 *
 * network-unreachable.md lists required ids a capture holds no evidence for (the packets are not in the
 * file, are encrypted with keys nobody has, or show something else than the row says); they are
 * reported, and not counted as found or missed. network-justified.md lists alerts beyond required_N
 * and optional that are right (as justified.md does for the Windows files).
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { sniffCapture } from "@vigil/sensor";
import { readJustified, type Expectation } from "./expected.ts";

/** `required_N` per file, as EXPECTED.tsv lists it. */
export function readRequiredN(path: string): Map<string, string[]> {
  const [header, ...rows] = readFileSync(path, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "");
  const cols = (header ?? "").split("\t");
  const [dest, req] = [cols.indexOf("dest"), cols.indexOf("required_N")];
  if (dest < 0 || req < 0) throw new Error(`${path}: no 'dest' / 'required_N' column`);
  return new Map(
    rows.map((row) => {
      const c = row.split("\t");
      const cell = c[req]?.trim() ?? "none";
      return [c[dest] ?? "", cell === "none" || cell === "" ? [] : cell.split(",").map((s) => s.trim())];
    }),
  );
}

/** Ids a capture cannot show, per file (same line format as justified.md). */
export function readUnreachable(path: string): Map<string, Set<string>> {
  return readJustified(path);
}

/**
 * The rows one evaluation scores: Windows-event files as they are (default), or captures with their
 * `required_N` as the required ids minus the unreachable ones (`network`).
 */
export async function selectExpectations(
  all: Expectation[],
  samplesDir: string,
  network: boolean,
  unreachable: Map<string, Set<string>> = new Map(),
): Promise<Expectation[]> {
  const requiredN = readRequiredN(`${samplesDir}EXPECTED.tsv`);
  const justified = network
    ? readJustified(fileURLToPath(new URL("network-justified.md", import.meta.url)))
    : new Map<string, Set<string>>();
  const picked: Expectation[] = [];
  for (const e of all) {
    const capture = (await sniffCapture(`${samplesDir}${e.file}`)) !== undefined;
    if (capture !== network) continue;
    if (!network) picked.push(e);
    else {
      const skip = unreachable.get(e.file) ?? new Set<string>();
      const required = (requiredN.get(e.file) ?? []).filter((id) => !skip.has(id));
      // An unreachable id is not wrong when it does fire: keep it optional, like the justified ones.
      picked.push({ ...e, requiredE: required, optional: [...e.optional, ...skip, ...(justified.get(e.file) ?? [])] });
    }
  }
  return picked;
}
