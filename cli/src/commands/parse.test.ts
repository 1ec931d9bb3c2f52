import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import type { VigilEnv } from "../env.ts";
import { UsageError } from "./command.ts";
import { run } from "./parse.ts";

/** The public samples live beside the repository (`../shared/datasets`); found by walking up. */
function sample(name: string): string {
  for (let dir = import.meta.dirname; dirname(dir) !== dir; dir = dirname(dir)) {
    const path = join(dir, "shared", "datasets", "attack-samples", name);
    if (existsSync(path)) return path;
  }
  return join("missing", name);
}
const SAMPLE = sample("dcsync/sb__CA_DCSync_4662.evtx");

async function parse(...args: string[]) {
  const out: string[] = [];
  const log: string[] = [];
  const code = await run({ env: {} as VigilEnv, args, log: (l) => log.push(l), out: (l) => out.push(l) });
  return { code, out, log };
}

describe("vigil parse", () => {
  it.skipIf(!existsSync(SAMPLE))("prints EVTX records as oracle-shaped JSON lines; a missing file is a problem, not a stop", async () => {
    const missing = join(tmpdir(), "vigil-parse-missing.evtx");
    const { code, out, log } = await parse(SAMPLE, missing);
    expect(code).toBe(0);
    expect(out).toHaveLength(3);
    const first = JSON.parse(out[0]!);
    expect(Object.keys(first)).toEqual([
      "EventRecordID",
      "EventID",
      "TimeCreated",
      "Computer",
      "Channel",
      "Provider",
      "UserID",
      "EventData",
      "_source",
    ]);
    expect(first).toMatchObject({ EventRecordID: 202791, EventID: 4662, Computer: "DC1.insecurebank.local", Channel: "Security" });
    expect(first.EventData.AccessMask).toBe("0x00000100");
    expect(log).toContainEqual(expect.stringMatching(/vigil-parse-missing\.evtx:byte 0: cannot open: .*ENOENT/));
  });

  it.skipIf(!existsSync(SAMPLE))("--xml prints event XML for EVTX input", async () => {
    const { code, out } = await parse("--xml", SAMPLE);
    expect(code).toBe(0);
    expect(out[0]).toMatch(
      /^<Event xmlns="http:\/\/schemas\.microsoft\.com\/win\/2004\/08\/events\/event"><System>.*<EventRecordID>202791<\/EventRecordID>/,
    );
  });

  it("reads event XML and JSON too, and exits 1 when nothing could be read", async () => {
    const dir = mkdtempSync(join(tmpdir(), "vigil-parse-"));
    writeFileSync(
      join(dir, "a.jsonl"),
      `${JSON.stringify({ EventID: 4624, TimeCreated: "2024-01-01T00:00:00Z", EventData: { LogonType: "3" } })}\n`,
    );
    const ok = await parse(join(dir, "a.jsonl"));
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.out[0]!)).toMatchObject({ EventRecordID: null, EventID: 4624, EventData: { LogonType: "3" } });
    writeFileSync(join(dir, "b.txt"), "not a log\n");
    const bad = await parse(join(dir, "b.txt"));
    expect(bad.code).toBe(1);
    expect(bad.log[0]).toMatch(/b\.txt:line 1: not Windows event XML or JSON/);
    await expect(parse()).rejects.toBeInstanceOf(UsageError);
    await expect(parse("--bogus", "x")).rejects.toBeInstanceOf(UsageError);
  });
});
