import { createWriteStream } from "node:fs";
import { mkdtemp, open, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { pipeline } from "node:stream/promises";
import type { EventDraft } from "../contract/index.ts";
import type { ReadProblem } from "../windows/record.ts";
import { listZipMembers, readZipMember } from "../windows/input/zip.ts";
import { parseLine } from "./fields.ts";
import { NetworkMapper, type NetworkStats } from "./map.ts";
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
  /** Where zip members are extracted for tshark (default the OS temporary directory). */
  tempDir?: string;
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
    yield* readOne({ file: source.file }, basename(source.file), source.file, options);
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
      // tshark reads captures from files only (not from a socket, which is what a child's stdin is),
      // so each member is extracted to a private temporary directory and removed after.
      const dir = await mkdtemp(join(options.tempDir ?? tmpdir(), "vigil-pcap-"));
      try {
        const path = join(dir, "member.pcap");
        try {
          await pipeline(
            readZipMember(source.file, handle, member, () => undefined),
            createWriteStream(path),
          );
        } catch (error) {
          options.onProblem?.({
            file: name,
            position: 0,
            unit: "byte",
            reason: `zip member is damaged (${(error as Error).message}); reading what was extracted`,
          });
        }
        yield* readOne({ file: path }, `${basename(source.file)}!${member.name}`, name, options);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    }
  } finally {
    await handle.close();
  }
}

async function* readOne(target: TsharkInput, capture: string, file: string, options: ReadNetworkOptions): AsyncGenerator<EventDraft> {
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
  const onAbort = () => run.stop();
  options.signal?.addEventListener("abort", onAbort, { once: true });
  try {
    yield* mapLines(run.lines, mapper, (line, reason) => report(line, "line", reason));
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
    const drafts = mapper.map(packet);
    if (drafts.length) yield* drafts;
  }
  yield* mapper.flush();
}
