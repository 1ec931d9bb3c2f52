import { appendFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import type { ReadProblem, ReadProgress } from "../windows/index.ts";
import { eventually, logonEvent, logonRecordLine, SENSOR, SENSOR_KEY, TENANT, tempDir } from "./events.fixture.ts";
import { OutageBus } from "./outage-bus.fixture.ts";
import { createPublisher } from "./publisher.ts";
import { createRunSummary, runSensor } from "./run-sensor.ts";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup() {
  const t = await tempDir("run-sensor");
  cleanups.push(t.remove);
  const bus = new OutageBus();
  const publisher = await createPublisher({
    bus,
    tenantId: TENANT,
    sensorId: SENSOR,
    sensorKey: SENSOR_KEY,
    spoolDir: join(t.dir, "spool"),
    retry: { minMs: 10, maxMs: 40 },
  });
  cleanups.push(() => publisher.close());
  return { bus, publisher, dir: t.dir, base: { publisher, tenantId: TENANT, sensorId: SENSOR } };
}

const lines = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, k) => logonRecordLine(from + k)).join("\n") + "\n";

describe("runSensor", () => {
  it("publishes every event in file order and reports malformed records with file and line, never failing", async () => {
    const { bus, dir, base } = await setup();
    const file = join(dir, "security.jsonl");
    await writeFile(file, lines(1, 150) + "{broken json\n" + lines(151, 300) + '{"EventID": 4624}\n');
    const problems: ReadProblem[] = [];
    const progress: ReadProgress[] = [];
    const summary = await runSensor({ ...base, inputs: [file], onProblem: (p) => problems.push(p), onProgress: (p) => progress.push(p) });
    expect(summary).toMatchObject({ records: 300, events: 300, problems: 2, published: 300, spooled: 0, dropped: 0 });
    expect(problems).toEqual([
      expect.objectContaining({ file, position: 151, unit: "line", reason: expect.stringMatching(/malformed JSON/) }),
      expect.objectContaining({ file, position: 302, unit: "line" }),
    ]);
    expect(progress.at(-1)).toMatchObject({ file, bytesRead: expect.any(Number), totalBytes: progress.at(-1)!.bytesRead });
    // Same source record → same event id as the fixture's, so this checks order and identity at once.
    expect(bus.accepted.map((a) => a.msgId)).toEqual(Array.from({ length: 300 }, (_, k) => logonEvent(k + 1).id));
  });

  it("reads a directory's files one after another and `-` from stdin, spooling while the bus is down", async () => {
    const { bus, publisher, dir, base } = await setup();
    const a = join(dir, "a.jsonl");
    await writeFile(a, lines(1, 20));
    bus.down = true;
    const summary = await runSensor({ ...base, inputs: [a, "-"], stdin: Readable.from([lines(21, 40)]) });
    expect(summary).toMatchObject({ events: 40, spooled: 40, published: 0, problems: 0 });
    bus.down = false;
    await publisher.drained();
    expect(bus.inner.stats().events).toBe(40);
  });

  it("follows a growing file until aborted, filling the live summary", async () => {
    const { bus, dir, base } = await setup();
    const file = join(dir, "live.jsonl");
    await writeFile(file, lines(1, 5));
    const abort = new AbortController();
    const summary = createRunSummary();
    const run = runSensor({ ...base, inputs: [file], follow: true, signal: abort.signal, pollIntervalMs: 20, summary });
    await eventually(() => summary.published === 5, "first lines published");
    await appendFile(file, lines(6, 12));
    await eventually(() => summary.published === 12, "appended lines published");
    abort.abort();
    await expect(run).resolves.toBe(summary);
    expect(bus.inner.stats().events).toBe(12);
  });

  it("reports an unreadable input and goes on with the next one", async () => {
    const { dir, base } = await setup();
    const good = join(dir, "good.jsonl");
    await writeFile(good, lines(1, 3));
    const problems: ReadProblem[] = [];
    const missing = join(dir, "missing.jsonl");
    const summary = await runSensor({ ...base, inputs: [missing, good], onProblem: (p) => problems.push(p) });
    expect(summary).toMatchObject({ events: 3, problems: 1 });
    expect(problems[0]).toMatchObject({ file: missing, reason: expect.stringMatching(/cannot open/) });
  });
});
