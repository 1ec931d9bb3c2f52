import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const runner = fileURLToPath(new URL("run.ts", import.meta.url));

describe("evaluation on the public attack samples", () => {
  it("raises every required id and no unjustified alert (npm run eval)", () => {
    const r = spawnSync(process.execPath, ["--import", "tsx", runner], { encoding: "utf8", timeout: 600_000 });
    const summary = /recall (\d+)\/(\d+) required ids; (\d+) false positive/.exec(r.stdout);
    expect(summary, r.stdout + r.stderr).not.toBeNull();
    const [, found, required, falsePositives] = summary!;
    expect({ found: Number(found), falsePositives: Number(falsePositives) }, r.stdout).toEqual({
      found: Number(required),
      falsePositives: 0,
    });
    expect(r.status).toBe(0);
  }, 600_000);
});
