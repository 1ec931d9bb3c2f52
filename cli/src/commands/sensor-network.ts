import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { runNetworkSensor, type Publisher, type ReadProblem, type RunSummary } from "@vigil/sensor";
import { UsageError } from "./command.ts";

/** The sensor's network source: capture files, a live interface, and the keytab that opens them. */
export interface NetworkArgs {
  /** Arguments left for the other sources. */
  rest: string[];
  pcap: string[];
  interface?: string;
  keytab?: string;
}

export const NETWORK_USAGE =
  "       vigil sensor --pcap FILE|DIR ... | --interface IF  [--keytab FILE]   (captures are dissected by tshark)";

/** Takes `--pcap PATH` (repeatable), `--interface IF` and `--keytab FILE` out of the arguments. */
export function takeNetworkArgs(args: string[]): NetworkArgs {
  const out: NetworkArgs = { rest: [], pcap: [] };
  const value = (i: number, what: string) => {
    const v = args[i];
    if (!v || v.startsWith("-")) throw new UsageError(`vigil sensor: ${args[i - 1]} needs ${what}\n${NETWORK_USAGE}`);
    return v;
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--") {
      out.rest.push(...args.slice(i));
      break;
    }
    if (arg === "--pcap") out.pcap.push(value(++i, "a FILE or DIR"));
    else if (arg === "--interface" || arg === "-i") {
      if (out.interface) throw new UsageError(`vigil sensor: one --interface per sensor\n${NETWORK_USAGE}`);
      out.interface = value(++i, "an interface name");
    } else if (arg === "--keytab") out.keytab = value(++i, "a FILE");
    else out.rest.push(arg);
  }
  if (out.keytab && out.pcap.length === 0 && !out.interface)
    throw new UsageError(`vigil sensor: --keytab is for --pcap / --interface\n${NETWORK_USAGE}`);
  return out;
}

/** True when the network source has something to read. */
export const hasNetworkInput = (n: NetworkArgs): boolean => n.pcap.length > 0 || n.interface !== undefined;

/** `--pcap` paths as files: a DIR by its files in name order (which are captures is decided by content). */
export async function expandCaptures(paths: string[]): Promise<string[]> {
  const files: string[] = [];
  for (const path of paths) {
    const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
      throw new UsageError(`vigil sensor: cannot read ${path} (${error.code ?? error.message})\n${NETWORK_USAGE}`);
    });
    if (!info.isDirectory()) files.push(path);
    else
      files.push(
        ...(await readdir(path, { withFileTypes: true }))
          .filter((e) => e.isFile())
          .map((e) => join(path, e.name))
          .sort(),
      );
  }
  return files;
}

/** Reads the captures, then the interface until `signal` aborts, publishing every event. */
export function runNetworkSource(
  n: NetworkArgs,
  captures: string[],
  o: {
    publisher: Pick<Publisher, "publish">;
    tenantId: string;
    sensorId: string;
    signal: AbortSignal;
    summary: RunSummary;
    log: (line: string) => void;
    onProblem: (p: ReadProblem) => void;
  },
): Promise<RunSummary> {
  if (!hasNetworkInput(n)) return Promise.resolve(o.summary);
  o.log(
    `network: ${captures.length} capture(s)${n.interface ? `, then interface ${n.interface}` : ""} through tshark${n.keytab ? ", with keytab" : ""}`,
  );
  return runNetworkSensor({
    captures,
    ...(n.interface ? { interface: n.interface } : {}),
    ...(n.keytab ? { keytab: n.keytab } : {}),
    publisher: o.publisher,
    tenantId: o.tenantId,
    sensorId: o.sensorId,
    signal: o.signal,
    summary: o.summary,
    onProblem: o.onProblem,
  });
}
