import { readFileSync } from "node:fs";

/** One row of the datasets' EXPECTED.tsv: what a file must raise from its Windows events. */
export interface Expectation {
  file: string;
  attackClass: string;
  requiredE: string[];
  optional: string[];
  note: string;
}

const ids = (cell: string | undefined) =>
  !cell || cell.trim() === "none"
    ? []
    : cell
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean);

/** Parses EXPECTED.tsv (header: dest, class, required_E, optional, required_N, note). */
export function readExpectations(path: string): Expectation[] {
  const [header, ...rows] = readFileSync(path, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "");
  const cols = (header ?? "").split("\t");
  const at = (name: string) => {
    const i = cols.indexOf(name);
    if (i < 0) throw new Error(`${path}: no column '${name}'`);
    return i;
  };
  const [dest, cls, req, opt, note] = [at("dest"), at("class"), at("required_E"), at("optional"), at("note")];
  return rows.map((row) => {
    const c = row.split("\t");
    return { file: c[dest] ?? "", attackClass: c[cls] ?? "", requiredE: ids(c[req]), optional: ids(c[opt]), note: c[note] ?? "" };
  });
}

/** Ids justified as non-false-positives per file in justified.md: lines `- <file> <id>: reason`. */
export function readJustified(path: string): Map<string, Set<string>> {
  const justified = new Map<string, Set<string>>();
  for (const line of readFileSync(path, "utf8").split("\n")) {
    const m = /^- `?([^`\s]+)`? `?([a-z-]+)`?: \S/.exec(line.trim());
    if (!m?.[1] || !m[2]) continue;
    const set = justified.get(m[1]) ?? new Set<string>();
    set.add(m[2]);
    justified.set(m[1], set);
  }
  return justified;
}

/** How one file's alerts score against its expectation. */
export interface FileScore {
  file: string;
  attackClass: string;
  raised: string[];
  missing: string[];
  falsePositives: string[];
}

export function scoreFile(e: Expectation, raised: string[], justified: Set<string> | undefined): FileScore {
  const got = [...new Set(raised)].sort();
  return {
    file: e.file,
    attackClass: e.attackClass,
    raised: got,
    missing: e.requiredE.filter((id) => !got.includes(id)),
    falsePositives: got.filter((id) => !e.requiredE.includes(id) && !e.optional.includes(id) && !justified?.has(id)),
  };
}
