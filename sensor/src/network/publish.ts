import type { ReadProblem } from "../windows/record.ts";
import type { Publisher } from "../runtime/publisher.ts";
import { createPublishWindow, finalizeOrReport } from "../runtime/publish-window.ts";
import { createRunSummary, type RunSummary } from "../runtime/run-sensor.ts";
import { createNetworkStats } from "./map.ts";
import { readNetworkEvents } from "./read.ts";
import type { TsharkOptions } from "./tshark.ts";

/** Captures and interfaces of one network sensor run, with identity and callbacks. */
export interface RunNetworkSensorOptions extends TsharkOptions {
  /** Capture files (pcap, pcapng, zips of them), read one after another. */
  captures?: string[];
  /** Live interface, read after the captures until `signal` aborts. */
  interface?: string;
  publisher: Pick<Publisher, "publish">;
  tenantId: string;
  sensorId: string;
  /** The capturing host, as `origin.computer`. */
  computer?: string;
  onProblem?: (problem: ReadProblem) => void;
  signal?: AbortSignal;
  /** Publishes awaited together (default 256). */
  window?: number;
  /** Filled while running: `records` counts packets. */
  summary?: RunSummary;
}

/**
 * The network half of `vigil sensor`: dissects each capture (then the live interface) through tshark
 * and publishes every event in capture order. Unreadable lines, damaged captures and events the
 * contract refuses are counted and reported, never fatal; a missing tshark is (TsharkMissingError).
 */
export async function runNetworkSensor(o: RunNetworkSensorOptions): Promise<RunSummary> {
  const summary = o.summary ?? createRunSummary();
  const sources = [...(o.captures ?? []).map((file) => ({ file })), ...(o.interface ? [{ interface: o.interface }] : [])];
  for (const source of sources) {
    if (o.signal?.aborted) break;
    await readOne(source, o, summary);
  }
  return summary;
}

async function readOne(source: { file: string } | { interface: string }, o: RunNetworkSensorOptions, summary: RunSummary): Promise<void> {
  const stats = createNetworkStats();
  const name = "file" in source ? source.file : source.interface;
  const report = (problem: ReadProblem) => {
    summary.problems++;
    o.onProblem?.(problem);
  };
  const window = createPublishWindow(o.publisher, summary, o.window);
  let packetsSeen = 0;
  try {
    for await (const draft of readNetworkEvents(source, {
      tenantId: o.tenantId,
      sensorId: o.sensorId,
      ...(o.computer ? { computer: o.computer } : {}),
      ...(o.keytab ? { keytab: o.keytab } : {}),
      ...(o.tshark ? { tshark: o.tshark } : {}),
      ...(o.captureFilter ? { captureFilter: o.captureFilter } : {}),
      ...(o.signal ? { signal: o.signal } : {}),
      stats,
      onProblem: report,
    })) {
      summary.records += stats.packets - packetsSeen;
      packetsSeen = stats.packets;
      if (window.failed) break;
      const position = Number(draft.origin.recordId?.split(".")[0] ?? 0);
      const event = finalizeOrReport(draft, (reason) => report({ file: name, position, unit: "index", reason }));
      if (event) await window.publish(event);
    }
  } finally {
    await window.settle();
    summary.records += stats.packets - packetsSeen;
  }
  window.throwIfFailed();
}
