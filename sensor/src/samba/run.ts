import type { Publisher } from "../runtime/publisher.ts";
import { createPublishWindow, finalizeOrReport } from "../runtime/publish-window.ts";
import type { RunSummary } from "../runtime/run-sensor.ts";
import type { ReadProblem } from "../windows/record.ts";
import { readSambaEvents } from "./read.ts";

/** Files to follow, identity, and where events and problems go. */
export interface RunSambaAuditOptions {
  /** Samba JSON audit class files (auth.json.log, dsdb.json.log, …), all followed at once. */
  inputs: string[];
  publisher: Pick<Publisher, "publish">;
  tenantId: string;
  sensorId: string;
  /** Host name of the DC whose logs these are, when known. */
  dc?: string;
  /** Until this aborts, the files are followed (across rotation); without it they are read once. */
  signal?: AbortSignal;
  follow?: boolean;
  pollIntervalMs?: number;
  onProblem?: (problem: ReadProblem) => void;
  /** Counts shared with the Windows reader's summary (records, events, problems, outcomes). */
  summary: RunSummary;
  /** Publishes awaited together (default 256). */
  window?: number;
}

/**
 * `vigil sensor --samba-audit`: follows every Samba audit file and publishes its events in order,
 * as runSensor does for Windows files. Bad lines are counted and reported, never fatal; a publish
 * failure (spool unusable) stops the run with that error.
 */
export async function runSambaAudit(options: RunSambaAuditOptions): Promise<void> {
  await Promise.all(options.inputs.map((input) => followOne(input, options)));
}

async function followOne(input: string, o: RunSambaAuditOptions): Promise<void> {
  const summary = o.summary;
  const report = (problem: ReadProblem) => {
    summary.problems++;
    o.onProblem?.(problem);
  };
  const window = createPublishWindow(o.publisher, summary, o.window);
  const drafts = readSambaEvents(input, {
    tenantId: o.tenantId,
    sensorId: o.sensorId,
    ...(o.dc ? { dc: o.dc } : {}),
    ...(o.follow ? { follow: true } : {}),
    ...(o.signal ? { signal: o.signal } : {}),
    ...(o.pollIntervalMs !== undefined ? { pollIntervalMs: o.pollIntervalMs } : {}),
    onProblem: report,
  });
  try {
    for await (const draft of drafts) {
      if (o.signal?.aborted || window.failed) break;
      summary.records++;
      const event = finalizeOrReport(draft, (reason) => report({ file: input, position: 0, unit: "line", reason }));
      if (event) await window.publish(event);
    }
  } finally {
    await window.settle();
  }
  window.throwIfFailed();
}
