import { spawn } from "node:child_process";
import type { Readable } from "node:stream";
import { AGGREGATOR, FIELDS } from "./fields.ts";

/** Ports a domain controller serves: Kerberos, LDAP / LDAPS / GC, SMB, NetBIOS, RPC endpoint mapper, DNS, kpasswd. */
export const DC_PORTS = [88, 389, 636, 3268, 3269, 445, 139, 135, 53, 464] as const;

/**
 * The capture filter (BPF) for a live interface: the DC ports, plus dynamic RPC (DRSUAPI, Netlogon,
 * SAM-R over TCP land on 49152-65535). Without DC addresses dynamic RPC means every high TCP port;
 * with them, only high ports on the DCs' side of a connection.
 */
export function captureFilter(dcAddresses: string[] = []): string {
  const ports = DC_PORTS.map((p) => `port ${p}`).join(" or ");
  const dynamic =
    dcAddresses.length === 0
      ? "tcp portrange 49152-65535"
      : dcAddresses
          .map((ip) => `(tcp and ((dst host ${ip} and dst portrange 49152-65535) or (src host ${ip} and src portrange 49152-65535)))`)
          .join(" or ");
  return `${ports} or ${dynamic}`;
}

/** Only packets some mapper reads are printed: tshark still dissects the rest (reassembly needs it). */
export const DISPLAY_FILTER = "kerberos or ntlmssp or smb2 or smb or ldap or dcerpc or dns";

/** What to run tshark on and with which keys. */
export interface TsharkOptions {
  /** tshark executable (default `tshark` on PATH). */
  tshark?: string;
  /** Keytab for Kerberos tickets, PACs and the SMB3 / sealed DCE-RPC sessions they key. */
  keytab?: string;
  /** Live capture filter (default captureFilter()). */
  captureFilter?: string;
}

/** Where packets come from: a capture file or a live interface. */
export type TsharkInput = { file: string } | { interface: string };

/** The command line for one tshark run (exported for the bench and the tests). */
export function tsharkArgs(input: TsharkInput, options: TsharkOptions = {}): string[] {
  const args = ["-n", "-Q"];
  if ("file" in input) args.push("-r", input.file);
  else args.push("-i", input.interface, "-l", "-f", options.captureFilter ?? captureFilter());
  if (options.keytab) args.push("-o", "kerberos.decrypt:TRUE", "-o", `kerberos.file:${options.keytab}`);
  // tshark 4.0's LSARPC dissector cannot decode NDR64 requests (mimikatz sends them), so LSA stubs are
  // taken raw and the secret name read from them (rpc.ts); the interface is known from the bind.
  args.push("--disable-protocol", "lsarpc");
  args.push("-Y", DISPLAY_FILTER, "-T", "fields", "-E", "header=n", "-E", "separator=/t", "-E", "quote=n", "-E", "occurrence=a");
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
  const child = spawn(command, tsharkArgs(target, options), { stdio: ["ignore", "pipe", "pipe"] });
  const stderr: string[] = [];
  let spawnError: Error | undefined;
  child.on("error", (error: NodeJS.ErrnoException) => {
    spawnError = error.code === "ENOENT" ? new TsharkMissingError(command) : error;
  });
  let errText = "";
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (d: string) => {
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
  return { lines: splitLines(child.stdout, () => spawnError), finished, stop: () => void child.kill("SIGTERM") };
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
