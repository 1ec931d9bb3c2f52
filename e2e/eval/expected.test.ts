import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readExpectations, readJustified, scoreFile } from "./expected.ts";

describe("evaluation scoring", () => {
  const dir = mkdtempSync(join(tmpdir(), "vigil-eval-"));
  const tsv = join(dir, "EXPECTED.tsv");
  writeFileSync(
    tsv,
    "dest\tclass\trequired_E\toptional\trequired_N\tnote\na/x.evtx\tc\tdcsync,spn-added\tbrute-force\tnone\tn\nb/y.zip\td\tnone\tnone\tdcsync\tm\n",
  );
  const md = join(dir, "justified.md");
  writeFileSync(md, "# why\n- `a/x.evtx` `golden-ticket`: the lab really forged one\n- not a justification line\n");

  it("reads required and optional ids, 'none' as empty", () => {
    expect(readExpectations(tsv)).toEqual([
      { file: "a/x.evtx", attackClass: "c", requiredE: ["dcsync", "spn-added"], optional: ["brute-force"], note: "n" },
      { file: "b/y.zip", attackClass: "d", requiredE: [], optional: [], note: "m" },
    ]);
  });

  it("counts missing required ids and unlisted, unjustified alerts", () => {
    const [x, y] = readExpectations(tsv);
    const justified = readJustified(md);
    expect(scoreFile(x!, ["dcsync", "brute-force", "golden-ticket", "dcsync"], justified.get("a/x.evtx"))).toEqual({
      file: "a/x.evtx",
      attackClass: "c",
      raised: ["brute-force", "dcsync", "golden-ticket"],
      missing: ["spn-added"],
      falsePositives: [],
    });
    expect(scoreFile(y!, ["dcsync"], justified.get("b/y.zip")).falsePositives).toEqual(["dcsync"]);
  });
});
