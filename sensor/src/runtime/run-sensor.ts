import type { Readable } from "node:stream";
import { mapWindowsRecord, readLocatedRecords, type ReadProblem, type ReadProgress } from "../windows/index.ts";
import type { Publisher } from "./publisher.ts";
import { createPublishWindow, finalizeOrReport } from "./publish-window.ts";

/** Inputs, identity and callbacks of one sensor run. */
export interface RunSensorOptions {
  /** File paths, or `-` for `stdin`. */
  inputs: string[];
  /** Keep reading plain files as they grow until `signal` aborts; all inputs are then read at once. */
  follow?: boolean;
  publisher: Pick<Publisher, "publish">;
  tenantId: string;
  sensorId: string;
  /** Every malformed record or unmappable event, with file and position; reading goes on. */
  onProblem?: (problem: ReadProblem) => void;
  /** Bytes read per file, about every MiB. */
  onProgress?: (progress: ReadProgress) => void;
  signal?: AbortSignal;
  /** What `-` reads (default `process.stdin`). */
  stdin?: Readable;
  pollIntervalMs?: number;
  /** Publishes awaited together (default 256): lets spool appends share an fsync. */
  window?: number;
  /** Filled while running (see createRunSummary), for heartbeats and progress lines. */
  summary?: RunSummary;
}

/** Counts of one run. */
export interface RunSummary {
  records: number;
  events: number;
  problems: number;
  published: number;
  spooled: number;
  dropped: number;
  failed: number;
}

/** A zeroed summary to pass as `summary` and read while the run goes on. */
export function createRunSummary(): RunSummary {
  return { records: 0, events: 0, problems: 0, published: 0, spooled: 0, dropped: 0, failed: 0 };
}

/**
 * Reads every input (files one after another; all at once when following), maps records to events and
 * hands each to the publisher in read order. Malformed records are counted and reported, never fatal.
 * Resolves with the counts once every input has ended (or `signal` aborted) and every event is settled.
 */
export async function runSensor(options: RunSensorOptions): Promise<RunSummary> {
  const summary = options.summary ?? createRunSummary();
  if (options.follow) await Promise.all(options.inputs.map((input) => readInput(input, options, summary)));
  else for (const input of options.inputs) await readInput(input, options, summary);
  return summary;
}

async function readInput(input: string, o: RunSensorOptions, summary: RunSummary): Promise<void> {
  const report = (problem: ReadProblem) => {
    summary.problems++;
    o.onProblem?.(problem);
  };
  const window = createPublishWindow(o.publisher, summary, o.window);
  const source = input === "-" ? (o.stdin ?? process.stdin) : input;
  const records = readLocatedRecords(source, {
    ...(input === "-" ? { name: "<stdin>" } : {}),
    ...(o.follow ? { follow: true } : {}),
    ...(o.signal ? { signal: o.signal } : {}),
    ...(o.onProgress ? { onProgress: o.onProgress } : {}),
    ...(o.pollIntervalMs !== undefined ? { pollIntervalMs: o.pollIntervalMs } : {}),
    onProblem: report,
  });
  try {
    for await (const { record, file, position, unit, format } of records) {
      if (o.signal?.aborted || window.failed) break;
      summary.records++;
      const where = { file, position, unit, eventId: record.EventID, ...(record.EventRecordID ? { recordId: record.EventRecordID } : {}) };
      const drafts = mapWindowsRecord(record, {
        tenantId: o.tenantId,
        sensorId: o.sensorId,
        format,
        onProblem: (p) => report({ ...where, reason: p.reason }),
      });
      for (const draft of drafts) {
        const event = finalizeOrReport(draft, (reason) => report({ ...where, reason }));
        if (event) await window.publish(event);
      }
    }
  } finally {
    await window.settle();
  }
  window.throwIfFailed();
}
