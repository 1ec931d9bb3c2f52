import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import {
  isSambaAuditFile,
  parseRadiusClients,
  runSambaAudit,
  startRadiusServer,
  type RadiusSecrets,
  type ReadProblem,
  type RunSummary,
  type Publisher,
} from "@vigil/sensor";
import { StartupError } from "../adapters.ts";
import type { VigilEnv } from "../env.ts";
import { UsageError } from "./command.ts";

/** The sensor's non-file sources: Samba audit logs to follow, and the RADIUS accounting port. */
export interface SourceArgs {
  /** Arguments left for the file reader. */
  rest: string[];
  sambaAudit: string[];
  /** Host name of the Samba DC whose logs are followed (the JSON never names it); sets `dc` on its events. */
  sambaDc?: string;
  radiusPort?: number;
}

export const SOURCES_USAGE = "       vigil sensor [--samba-audit FILE|DIR ... [--samba-dc HOST]] [--radius [PORT]] [FILE|DIR|- ...]";

/** Takes `--samba-audit PATH` (repeatable), `--samba-dc HOST` and `--radius [PORT]` (default 1813) out of the arguments. */
export function takeSourceArgs(args: string[]): SourceArgs {
  const out: SourceArgs = { rest: [], sambaAudit: [] };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--") {
      out.rest.push(...args.slice(i));
      break;
    }
    if (arg === "--samba-audit") {
      const path = args[++i];
      if (!path || path.startsWith("-")) throw new UsageError(`vigil sensor: --samba-audit needs a FILE or DIR\n${SOURCES_USAGE}`);
      out.sambaAudit.push(path);
    } else if (arg === "--samba-dc") {
      const host = args[++i];
      if (!host || host.startsWith("-")) throw new UsageError(`vigil sensor: --samba-dc needs the DC's host name\n${SOURCES_USAGE}`);
      out.sambaDc = host;
    } else if (arg === "--radius") {
      const next = args[i + 1];
      if (next !== undefined && /^\d+$/.test(next)) {
        i++;
        const port = Number(next);
        if (port > 65535) throw new UsageError(`vigil sensor: --radius port ${next} is not a UDP port\n${SOURCES_USAGE}`);
        out.radiusPort = port;
      } else out.radiusPort = 1813;
    } else out.rest.push(arg);
  }
  return out;
}

/** The RADIUS shared secrets from VIGIL_RADIUS_SECRET / VIGIL_RADIUS_CLIENTS; at least one is required. */
export function radiusSecretsFromEnv(env: VigilEnv): RadiusSecrets {
  const secrets: RadiusSecrets = {};
  if (env.VIGIL_RADIUS_SECRET) secrets.default = env.VIGIL_RADIUS_SECRET;
  if (env.VIGIL_RADIUS_CLIENTS) {
    try {
      secrets.clients = parseRadiusClients(env.VIGIL_RADIUS_CLIENTS);
    } catch (error) {
      throw new StartupError([`VIGIL_RADIUS_CLIENTS: ${(error as Error).message}`]);
    }
  }
  if (!secrets.default && !secrets.clients)
    throw new StartupError(["VIGIL_RADIUS_SECRET: required for vigil sensor --radius (or VIGIL_RADIUS_CLIENTS with per-NAS secrets)"]);
  return secrets;
}

/**
 * Paths given to --samba-audit: a FILE as is; a DIR by its files that are Samba audit logs by
 * content, or named `*.json.log` (Samba's `class:level@file` convention) even while still empty.
 */
export async function expandSambaInputs(paths: string[]): Promise<string[]> {
  const inputs: string[] = [];
  for (const path of paths) {
    const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
      throw new UsageError(`vigil sensor: cannot read ${path} (${error.code ?? error.message})\n${SOURCES_USAGE}`);
    });
    if (!info.isDirectory()) {
      inputs.push(path);
      continue;
    }
    const files = (await readdir(path, { withFileTypes: true })).filter((e) => e.isFile()).map((e) => join(path, e.name));
    for (const file of files.sort()) if (file.endsWith(".json.log") || (await isSambaAuditFile(file))) inputs.push(file);
  }
  return inputs;
}

export interface ExtraSourcesOptions {
  sambaInputs: string[];
  sambaDc?: string;
  radiusPort?: number;
  radiusSecrets?: RadiusSecrets;
  publisher: Pick<Publisher, "publish">;
  tenantId: string;
  sensorId: string;
  signal: AbortSignal;
  summary: RunSummary;
  /**
   * Heartbeat counters this fills: `radiusEvents` (sessions recorded), `radiusProblems` (datagrams
   * dropped or giving no event) and `radiusBadAuthenticator` (requests signed with another secret,
   * which the health checks raise).
   */
  counters: Record<string, number>;
  log: (line: string) => void;
  onProblem: (problem: ReadProblem) => void;
}

/** Starts following Samba logs and the RADIUS server; `done` settles when both end (on abort). */
export async function startExtraSources(o: ExtraSourcesOptions): Promise<{ done: Promise<void>; stop(): Promise<void> }> {
  let radius: Awaited<ReturnType<typeof startRadiusServer>> | undefined;
  if (o.radiusPort !== undefined && o.radiusSecrets) {
    Object.assign(o.counters, { radiusEvents: 0, radiusProblems: 0, radiusBadAuthenticator: 0 });
    try {
      radius = await startRadiusServer({
        tenantId: o.tenantId,
        sensorId: o.sensorId,
        port: o.radiusPort,
        secrets: o.radiusSecrets,
        onEvent: async (event) => {
          o.summary.events++;
          const outcome = await o.publisher.publish(event);
          o.summary[outcome]++;
          o.counters.radiusEvents = (o.counters.radiusEvents ?? 0) + 1;
          // Answer the NAS only for what is on the bus or in the spool; otherwise it retransmits.
          if (outcome === "dropped" || outcome === "failed") throw new Error(`event ${outcome}`);
        },
        onProblem: (p) => {
          o.counters.radiusProblems = (o.counters.radiusProblems ?? 0) + 1;
          if (p.reason === "bad-authenticator") o.counters.radiusBadAuthenticator = (o.counters.radiusBadAuthenticator ?? 0) + 1;
          o.summary.problems++;
          o.onProblem({ file: `radius:${p.client}`, position: 0, unit: "index", reason: `${p.reason}: ${p.detail}` });
        },
      });
    } catch (error) {
      throw new StartupError([`--radius ${o.radiusPort}: cannot listen on UDP (${(error as Error).message})`]);
    }
    o.log(`RADIUS accounting: listening on UDP ${radius.port}`);
  }
  if (o.sambaInputs.length > 0) o.log(`Samba audit: following ${o.sambaInputs.length} file(s)`);
  const samba = runSambaAudit({
    inputs: o.sambaInputs,
    publisher: o.publisher,
    tenantId: o.tenantId,
    sensorId: o.sensorId,
    follow: true,
    ...(o.sambaDc ? { dc: o.sambaDc } : {}),
    signal: o.signal,
    summary: o.summary,
    onProblem: o.onProblem,
  });
  const untilAborted = radius
    ? new Promise<void>((resolve) => o.signal.addEventListener("abort", () => resolve(), { once: true }))
    : undefined;
  return {
    done: Promise.all([samba, untilAborted]).then(() => undefined),
    stop: async () => {
      await radius?.close();
    },
  };
}
