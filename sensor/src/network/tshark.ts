import { spawn } from "node:child_process";
import type { Readable } from "node:stream";
import { AGGREGATOR, FIELDS } from "./fields.ts";

/** Ports a domain controller serves: Kerberos, LDAP / LDAPS / GC, SMB, NetBIOS, RPC endpoint mapper, DNS, kpasswd. */
export const DC_PORTS = [88, 389, 636, 3268, 3269, 445, 139, 135, 53, 464] as const;

/**
 * The capture filter (BPF) for a live interface: the DC ports, plus dynamic RPC (DRSUAPI, Netlogon,
 * SAM-R over TCP land on 49152-65535). Without DC addresses dynamic RPC means TCP between two ports
 * that could be a client's ephemeral port and an RPC endpoint (the rule prefilter.ts applies to
 * files: RDP or HTTPS from a Windows client's high port is not kept); with them, only high ports on
 * the DCs' side of a connection. IP fragments are kept: only the first carries ports, and a fragmented
 * Kerberos-over-UDP answer needs all of them.
 */
export function captureFilter(dcAddresses: string[] = []): string {
  const ports = DC_PORTS.map((p) => `port ${p}`).join(" or ");
  const dynamic =
    dcAddresses.length === 0
      ? "(tcp src portrange 32768-65535 and tcp dst portrange 49152-65535) or (tcp src portrange 49152-65535 and tcp dst portrange 32768-65535)"
      : dcAddresses
          .map((ip) => `(tcp and ((dst host ${ip} and dst portrange 49152-65535) or (src host ${ip} and src portrange 49152-65535)))`)
          .join(" or ");
  return `${ports} or ${dynamic} or (ip and ip[6:2] & 0x3fff != 0) or (ip6 and ip6[6] == 44)`;
}

/**
 * Only packets some mapper reads are printed: tshark still dissects the rest (reassembly needs it).
 * Of SMB only session setups (NTLM results), tree connects and opens are read (smb.ts, ntlm.ts): the
 * reads, writes, closes and SMB3-encrypted frames that make most of a DC's SMB are not printed. DCE/RPC
 * carried over SMB matches `dcerpc` on its own.
 */
export const DISPLAY_FILTER = "kerberos or ntlmssp or smb2.cmd in {1,3,5} or smb.cmd in {0x73,0x75,0xa2} or ldap or dcerpc or dns";

/** What to run tshark on and with which keys. */
export interface TsharkOptions {
  /** tshark executable (default `tshark` on PATH). */
  tshark?: string;
  /** Keytab for Kerberos tickets, PACs and the SMB3 / sealed DCE-RPC sessions they key. */
  keytab?: string;
  /** Live capture filter (default captureFilter()). */
  captureFilter?: string;
  /** Which dissected packets are printed (default DISPLAY_FILTER; the bench passes the wider one it replaced). */
  displayFilter?: string;
}

/** Where packets come from: a capture file, a live interface, or a pipe's read end as stdin (see pipe.ts). */
export type TsharkInput = { file: string } | { interface: string } | { stdin: number };

/** The command line for one tshark run (exported for the bench and the tests). */
export function tsharkArgs(input: TsharkInput, options: TsharkOptions = {}): string[] {
  const args = ["-n", "-Q"];
  if ("file" in input) args.push("-r", input.file);
  else if ("stdin" in input) args.push("-r", "-");
  else args.push("-i", input.interface, "-l", "-f", options.captureFilter ?? captureFilter());
  if (options.keytab) args.push("-o", "kerberos.decrypt:TRUE", "-o", `kerberos.file:${options.keytab}`);
  // tshark 4.0's LSARPC dissector cannot decode NDR64 requests (mimikatz sends them), so LSA stubs are
  // taken raw and the secret name read from them (rpc.ts); the interface is known from the bind.
  args.push("--disable-protocol", "lsarpc");
  // Per-packet figures no mapper reads (TCP / UDP time deltas, bytes in flight); sequence analysis stays
  // on: it is what keeps retransmitted segments from being dissected, and mapped, twice.
  args.push("-o", "tcp.calculate_timestamps:FALSE", "-o", "tcp.track_bytes_in_flight:FALSE", "-o", "udp.calculate_timestamps:FALSE");
  args.push(
    "-Y",
    options.displayFilter ?? DISPLAY_FILTER,
    "-T",
    "fields",
    "-E",
    "header=n",
    "-E",
    "separator=/t",
    "-E",
    "quote=n",
    "-E",
    "occurrence=a",
  );
  args.push("-E", `aggregator=${AGGREGATOR}`);
  for (const f of FIELDS) args.push("-e", f);
  return args;
}

/** A running tshark: its output lines, and its warnings and exit once the lines end. */
export interface TsharkRun {
  lines: AsyncGenerator<string>;
  /** tshark's stderr lines (without the root warning) and exit code, after `lines` ended. */
  finished: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string[] }>;
  stop(): void;
}

/** Thrown when tshark cannot be started (not installed). */
export class TsharkMissingError extends Error {
  constructor(readonly command: string) {
    super(`cannot run ${command}: install Wireshark's tshark (Debian: apt-get install tshark; scripts/services.sh up does it)`);
    this.name = "TsharkMissingError";
  }
}

/**
 * Spawns tshark and streams its stdout line by line; reading is paced by the consumer (tshark
 * blocks on a full pipe), so memory stays flat whatever the capture size.
 */
export function runTshark(target: TsharkInput, options: TsharkOptions = {}): TsharkRun {
  const command = options.tshark ?? "tshark";
  const stdin = "stdin" in target ? target.stdin : "ignore";
  const child = spawn(command, tsharkArgs(target, options), { stdio: [stdin, "pipe", "pipe"] });
  // Both are pipes (stdio above); the typings cannot tell when stdin is a descriptor.
  const [out, err] = [child.stdout as Readable, child.stderr as Readable];
  const stderr: string[] = [];
  let spawnError: Error | undefined;
  child.on("error", (error: NodeJS.ErrnoException) => {
    spawnError = error.code === "ENOENT" ? new TsharkMissingError(command) : error;
  });
  let errText = "";
  err.setEncoding("utf8");
  err.on("data", (d: string) => {
    errText += d;
    if (errText.length > 64 * 1024) errText = errText.slice(-64 * 1024);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("close", (code, signal) => resolve({ code, signal })),
  );
  const finished = exited.then(({ code, signal }) => {
    if (spawnError) throw spawnError;
    for (const line of errText.split("\n")) {
      const l = line.trim();
      if (l && !/^Running as user "root"/.test(l)) stderr.push(l);
    }
    return { code, signal, stderr };
  });
  // The lines generator rethrows a spawn failure; whoever stops reading early never awaits this.
  finished.catch(() => undefined);
  return { lines: splitLines(out, () => spawnError), finished, stop: () => void child.kill("SIGTERM") };
}

async function* splitLines(stream: Readable, failed: () => Error | undefined): AsyncGenerator<string> {
  stream.setEncoding("utf8");
  let rest = "";
  for await (const chunk of stream as AsyncIterable<string>) {
    const text = rest + chunk;
    let start = 0;
    for (let nl = text.indexOf("\n", start); nl >= 0; nl = text.indexOf("\n", start)) {
      yield text.slice(start, nl);
      start = nl + 1;
    }
    rest = text.slice(start);
  }
  if (rest) yield rest;
  const error = failed();
  if (error) throw error;
}

/** What a tshark stderr line means for the capture, in words for the operator; undefined for noise. */
export function describeTsharkMessage(line: string): string | undefined {
  if (/cut short in the middle of a packet/i.test(line))
    return "capture is truncated (cut short in the middle of a packet); packets before the damage were read";
  if (/isn't a capture file in a format tshark understands|unknown file format/i.test(line)) return "not a capture file tshark can read";
  if (/has a packet with a network type that Wireshark doesn't support|appears to be damaged or corrupt/i.test(line))
    return `capture is damaged; packets before the damage were read (${line})`;
  // What tshark prints, and nothing else, when stopped with SIGTERM (the end of a live capture).
  if (/^\d+ packets? captured$/i.test(line) || /^tshark:\s*$/.test(line)) return undefined;
  return line;
}
