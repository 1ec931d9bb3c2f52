import type { ReadProblem } from "../windows/record.ts";
import { finalizeEvent, InvalidEventError } from "../contract/index.ts";
import type { Publisher, PublishOutcome } from "../runtime/publisher.ts";
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
  let pending: Promise<void>[] = [];
  let failure: { error: unknown } | undefined;
  const count = (outcome: PublishOutcome) => void summary[outcome]++;
  const fail = (error: unknown) => void (failure ??= { error });
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
      if (failure) break;
      let event;
      try {
        event = finalizeEvent(draft);
      } catch (error) {
        if (!(error instanceof InvalidEventError)) throw error;
        report({ file: name, position: Number(draft.origin.recordId?.split(".")[0] ?? 0), unit: "index", reason: error.message });
        continue;
      }
      summary.events++;
      pending.push(o.publisher.publish(event).then(count, fail));
      if (pending.length >= (o.window ?? 256)) {
        await Promise.all(pending);
        pending = [];
      }
    }
  } finally {
    await Promise.all(pending);
    summary.records += stats.packets - packetsSeen;
  }
  if (failure) throw failure.error;
}
