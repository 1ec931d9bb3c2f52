import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const runner = fileURLToPath(new URL("run.ts", import.meta.url));
const samples = fileURLToPath(new URL("../../../shared/datasets/attack-samples/EXPECTED.tsv", import.meta.url));

describe.skipIf(!existsSync(samples))("evaluation of the network source on the public attack samples", () => {
  it("raises every required_N id a capture holds evidence for, and no unjustified alert (npm run eval -- --network)", () => {
    const r = spawnSync(process.execPath, ["--import", "tsx", runner, "--network"], { encoding: "utf8", timeout: 600_000 });
    const summary = /recall (\d+)\/(\d+) required ids; (\d+) false positive/.exec(r.stdout);
    expect(summary, r.stdout + r.stderr).not.toBeNull();
    const [, found, required, falsePositives] = summary!;
    expect(Number(required)).toBeGreaterThanOrEqual(11);
    expect({ found: Number(found), falsePositives: Number(falsePositives) }, r.stdout).toEqual({
      found: Number(required),
      falsePositives: 0,
    });
    expect(r.status).toBe(0);
  }, 600_000);
});
