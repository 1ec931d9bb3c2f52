/**
 * `npm run eval`: runs `vigil detect` over every file of ../shared/datasets/attack-samples/ and scores it
 * against EXPECTED.tsv: every `required_E` id must be raised; `optional` ids are neither required nor
 * wrong; anything else is a false positive unless justified in e2e/eval/justified.md. Prints a table
 * per attack class and totals; exits 1 when a required id is missing or a false positive appears.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { readExpectations, readJustified, scoreFile, type Expectation, type FileScore } from "./expected.ts";
import { readUnreachable, selectExpectations } from "./network.ts";

const samples = fileURLToPath(new URL("../../../shared/datasets/attack-samples/", import.meta.url));
const bin = fileURLToPath(new URL("../../cli/bin/vigil.js", import.meta.url));
const PARALLEL = 2;

function detect(file: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, "detect", `${samples}${file}`], { stdio: ["ignore", "pipe", "ignore"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.on("exit", (code) => {
      if (code !== 0) return reject(new Error(`vigil detect ${file} exited ${code}`));
      resolve(
        out
          .split("\n")
          .filter((l) => l.trim())
          .map((l) => (JSON.parse(l) as { type: string }).type),
      );
    });
  });
}

// `--network` scores the capture files against required_N (network.ts); the default, the Windows-event files.
const network = process.argv.includes("--network");
const unreachable = network
  ? readUnreachable(fileURLToPath(new URL("network-unreachable.md", import.meta.url)))
  : new Map<string, Set<string>>();
const expectations = await selectExpectations(readExpectations(`${samples}EXPECTED.tsv`), samples, network, unreachable);
const justified = readJustified(fileURLToPath(new URL("justified.md", import.meta.url)));
const scores: FileScore[] = [];
const queue = [...expectations];
await Promise.all(
  Array.from({ length: PARALLEL }, async () => {
    for (let e: Expectation | undefined; (e = queue.shift());) scores.push(scoreFile(e, await detect(e.file), justified.get(e.file)));
  }),
);
scores.sort((a, b) => a.attackClass.localeCompare(b.attackClass) || a.file.localeCompare(b.file));

const required = expectations.reduce((n, e) => n + e.requiredE.length, 0);
const missing = scores.reduce((n, s) => n + s.missing.length, 0);
const fps = scores.reduce((n, s) => n + s.falsePositives.length, 0);
const byClass = new Map<string, FileScore[]>();
for (const s of scores) byClass.set(s.attackClass, [...(byClass.get(s.attackClass) ?? []), s]);

console.log(`${"class".padEnd(26)}${"files".padStart(6)}${"required".padStart(10)}${"detected".padStart(10)}${"false+".padStart(8)}`);
for (const [cls, list] of byClass) {
  const req = list.reduce((n, s) => n + (expectations.find((e) => e.file === s.file)?.requiredE.length ?? 0), 0);
  const miss = list.reduce((n, s) => n + s.missing.length, 0);
  const fp = list.reduce((n, s) => n + s.falsePositives.length, 0);
  console.log(
    `${cls.padEnd(26)}${String(list.length).padStart(6)}${String(req).padStart(10)}${String(req - miss).padStart(10)}${String(fp).padStart(8)}`,
  );
}
console.log(
  `${"TOTAL".padEnd(26)}${String(scores.length).padStart(6)}${String(required).padStart(10)}${String(required - missing).padStart(10)}${String(fps).padStart(8)}`,
);
console.log("");
for (const s of scores) {
  if (s.missing.length) console.log(`MISSED  ${s.file}: ${s.missing.join(", ")}`);
  if (s.falsePositives.length) console.log(`FALSE+  ${s.file}: ${s.falsePositives.join(", ")}`);
}
for (const [file, ids] of unreachable) console.log(`NOT IN CAPTURE  ${file}: ${[...ids].join(", ")}`);
console.log(`\nrecall ${required - missing}/${required} required ids; ${fps} false positive(s)`);
process.exit(missing === 0 && fps === 0 ? 0 : 1);
