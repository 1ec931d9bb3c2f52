import { createReadStream } from "node:fs";
import { open } from "node:fs/promises";
import { basename } from "node:path";
import type { EventDraft } from "../contract/index.ts";
import type { ReadProblem } from "../windows/record.ts";
import { listZipMembers, readZipMember } from "../windows/input/zip.ts";
import { CaptureFilter, type FrameMap } from "./capture-stream.ts";
import { parseLine } from "./fields.ts";
import { NetworkMapper, type NetworkStats } from "./map.ts";
import { feedCapture, openCapturePipe, type FeedOutcome } from "./pipe.ts";
import { describeTsharkMessage, runTshark, type TsharkInput, type TsharkOptions } from "./tshark.ts";

/** Identity, keys and callbacks of a network read. */
export interface ReadNetworkOptions extends TsharkOptions {
  tenantId: string;
  sensorId: string;
  /** The capturing host, as `origin.computer`. */
  computer?: string;
  /** Every unreadable line, tshark warning and damaged capture; reading goes on. */
  onProblem?: (problem: ReadProblem) => void;
  stats?: NetworkStats;
  /** Stops a live capture (and a file read) when aborted. */
  signal?: AbortSignal;
  /** Where the pipe to tshark is named for a moment (default the OS temporary directory). */
  tempDir?: string;
  /**
   * Drop frames no mapper can use before tshark sees them (default true; files and zips only, a live
   * capture has its capture filter instead).
   */
  prefilter?: boolean;
}

const PCAP_MAGICS = ["d4c3b2a1", "a1b2c3d4", "4d3cb2a1", "a1b23c4d", "0a0d0d0a"];

/** True when the first bytes are a pcap or pcapng header. */
export function isPcapHead(head: Uint8Array): boolean {
  return head.length >= 4 && PCAP_MAGICS.includes(Buffer.from(head.subarray(0, 4)).toString("hex"));
}

const isZipHead = (head: Uint8Array) => head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04;

/**
 * What a file holds for the network source, by its magic bytes (never its name): a capture, a zip
 * whose members include captures, or neither.
 */
export async function sniffCapture(path: string): Promise<"capture" | "zip" | undefined> {
  const handle = await open(path, "r").catch(() => undefined);
  if (!handle) return undefined;
  try {
    const head = Buffer.alloc(8);
    const { bytesRead } = await handle.read(head, 0, 8, 0);
    const h = head.subarray(0, bytesRead);
    if (isPcapHead(h)) return "capture";
    if (!isZipHead(h)) return undefined;
    const size = (await handle.stat()).size;
    const members = await listZipMembers(handle, size).catch(() => []);
    for (const m of members) {
      if (m.name.endsWith("/") || m.size < 24) continue;
      const chunk = await firstBytes(readZipMember(path, handle, m, () => undefined)).catch(() => undefined);
      if (chunk && isPcapHead(chunk)) return "zip";
    }
    return undefined;
  } finally {
    await handle.close();
  }
}

async function firstBytes(chunks: AsyncGenerator<Uint8Array>): Promise<Uint8Array | undefined> {
  for await (const chunk of chunks) {
    await chunks.return(undefined);
    return chunk;
  }
  return undefined;
}

/**
 * Reads a capture file, every capture inside a zip, or a live interface through tshark and yields
 * event drafts (`origin.format = "pcap"`). Lines tshark prints that are not packets, truncated or
 * damaged captures and zip members that are not captures are reported through `onProblem`; the
 * packets before the damage are kept. Throws only when tshark is missing.
 *
 * Files and zip members are streamed to tshark through a pipe, minus the frames no mapper can use
 * (capture-stream.ts, prefilter.ts; `prefilter: false` sends every frame); event ids keep naming the
 * frames as numbered in the file.
 */
export async function* readNetworkEvents(
  source: { file: string } | { interface: string },
  options: ReadNetworkOptions,
): AsyncGenerator<EventDraft> {
  if ("interface" in source) {
    yield* readOne({ interface: source.interface }, `${source.interface}@${new Date().toISOString()}`, source.interface, options);
    return;
  }
  const kind = await sniffCapture(source.file);
  if (kind === "capture") {
    if (options.prefilter === false) yield* readOne({ file: source.file }, basename(source.file), source.file, options);
    else yield* readPiped(createReadStream(source.file, { highWaterMark: 1 << 18 }), basename(source.file), source.file, options);
    return;
  }
  if (kind !== "zip") {
    options.onProblem?.({ file: source.file, position: 0, unit: "byte", reason: "not a pcap / pcapng capture or a zip of captures" });
    return;
  }
  const handle = await open(source.file, "r");
  try {
    const members = await listZipMembers(handle, (await handle.stat()).size);
    for (const member of members) {
      if (member.name.endsWith("/")) continue;
      const name = `${source.file}!${member.name}`;
      const head = await firstBytes(readZipMember(source.file, handle, member, () => undefined)).catch(() => undefined);
      if (!head || !isPcapHead(head)) {
        options.onProblem?.({ file: name, position: 0, unit: "byte", reason: "zip member is not a capture; skipped" });
        continue;
      }
      yield* readPiped(
        readZipMember(source.file, handle, member, () => undefined),
        `${basename(source.file)}!${member.name}`,
        name,
        options,
      );
    }
  } finally {
    await handle.close();
  }
}

/** One capture streamed into tshark's stdin while its output is mapped (inflating zips on the way). */
async function* readPiped(
  bytes: AsyncIterable<Uint8Array>,
  capture: string,
  file: string,
  options: ReadNetworkOptions,
): AsyncGenerator<EventDraft> {
  const pipe = await openCapturePipe(options.tempDir);
  const filter = options.prefilter === false ? undefined : new CaptureFilter();
  const feeding: { done?: Promise<FeedOutcome> } = {};
  try {
    yield* readOne({ stdin: pipe.reader.fd }, capture, file, options, {
      ...(filter ? { frames: filter.frames } : {}),
      started: async () => {
        // tshark holds the read end now: closing ours lets the writer see EPIPE if tshark exits.
        await pipe.reader.close();
        feeding.done = feedCapture(bytes, pipe.writer, filter);
        // Awaited below; when the reader stops early nobody does, and tshark's exit ends it (EPIPE).
        feeding.done.catch(() => undefined);
      },
    });
  } finally {
    if (!feeding.done) {
      await pipe.reader.close().catch(() => undefined);
      await pipe.writer.close().catch(() => undefined);
    }
  }
  const outcome = await feeding.done;
  if (outcome && !outcome.ok && !outcome.tsharkGone) {
    if (options.stats) options.stats.problems++;
    options.onProblem?.({
      file,
      position: 0,
      unit: "byte",
      reason: `capture is damaged (${outcome.error.message}); reading what was extracted`,
    });
  }
  if (filter && options.stats) {
    options.stats.frames += filter.stats.frames;
    options.stats.dropped += filter.stats.dropped;
  }
}

async function* readOne(
  target: TsharkInput,
  capture: string,
  file: string,
  options: ReadNetworkOptions,
  piped?: { frames?: FrameMap; started: () => Promise<void> },
): AsyncGenerator<EventDraft> {
  const mapper = new NetworkMapper({
    tenantId: options.tenantId,
    sensorId: options.sensorId,
    capture,
    ...(options.computer ? { computer: options.computer } : {}),
    ...(options.stats ? { stats: options.stats } : {}),
  });
  const report = (position: number, unit: ReadProblem["unit"], reason: string) => {
    if (options.stats) options.stats.problems++;
    options.onProblem?.({ file, position, unit, reason });
  };
  const run = runTshark(target, options);
  await piped?.started();
  const onAbort = () => run.stop();
  options.signal?.addEventListener("abort", onAbort, { once: true });
  try {
    yield* mapLines(run.lines, mapper, (line, reason) => report(line, "line", reason), piped?.frames);
  } finally {
    options.signal?.removeEventListener("abort", onAbort);
    run.stop();
  }
  const { code, signal, stderr } = await run.finished;
  for (const message of stderr) {
    const reason = describeTsharkMessage(message);
    if (reason) report(0, "byte", reason);
  }
  if (code !== 0 && code !== null && stderr.length === 0) report(0, "byte", `tshark exited with code ${code}`);
  void signal;
}

/**
 * Maps tshark output lines to drafts: a line that is not a packet is reported (1-based line number)
 * and skipped, the packets around it mapped as usual; requests still waiting at the end are flushed.
 */
export async function* mapLines(
  lines: AsyncIterable<string>,
  mapper: NetworkMapper,
  report: (line: number, reason: string) => void,
  frames?: Pick<FrameMap, "original">,
): AsyncGenerator<EventDraft> {
  let lineNo = 0;
  for await (const line of lines) {
    lineNo++;
    if (line === "") continue;
    const packet = parseLine(line);
    if (typeof packet === "string") {
      report(lineNo, packet);
      continue;
    }
    if (frames) packet.frame = frames.original(packet.frame);
    const drafts = mapper.map(packet);
    if (drafts.length) yield* drafts;
  }
  yield* mapper.flush();
}
