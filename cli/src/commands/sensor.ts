import { readdir, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { createRunSummary, HEARTBEAT_INTERVAL_MS, runSensor, startHeartbeat, type ReadProblem, type ReadProgress } from "@vigil/sensor";
import { StartupError } from "../adapters.ts";
import { openSensorPublisher } from "../sensor-publisher.ts";
import { UsageError, type CommandContext, type Running } from "./command.ts";
import { expandSambaInputs, radiusSecretsFromEnv, SOURCES_USAGE, startExtraSources, takeSourceArgs } from "./sensor-sources.ts";
import { expandCaptures, hasNetworkInput, runNetworkSource, takeNetworkArgs } from "./sensor-network.ts";

const USAGE = "usage: vigil sensor [--follow] FILE|DIR|- ...   (a DIR means every file in it, - means stdin)";

/** Timings of the sensor command; tests shorten them. */
export interface SensorCommandOptions {
  /** Default HEARTBEAT_INTERVAL_MS (30 s). */
  heartbeatMs?: number;
  /** Wait between connect attempts while NATS is unreachable (default 5 s). */
  connectRetryMs?: number;
  /** How long startup waits for the first connection before it starts reading and spooling (default 3 s). */
  firstConnectWaitMs?: number;
  /** At most one progress line per file this often (default 5 s). */
  progressEveryMs?: number;
  /** Problems listed one by one before the rest are only counted (default 100). */
  listProblems?: number;
}

/** `vigil sensor`: reads Windows event files or stdin and publishes them to NATS, spooling through outages. */
export function run(ctx: CommandContext): Promise<Running> {
  return runSensorCommand(ctx, {});
}

/** `vigil sensor` with adjustable timings. */
export async function runSensorCommand({ env, args, log }: CommandContext, options: SensorCommandOptions): Promise<Running> {
  const network = takeNetworkArgs(args);
  const sources = takeSourceArgs(network.rest);
  const { follow, paths } = parseArgs(
    sources.rest,
    sources.sambaAudit.length > 0 || sources.radiusPort !== undefined || hasNetworkInput(network),
  );
  const radiusSecrets = sources.radiusPort !== undefined ? radiusSecretsFromEnv(env) : undefined;
  const missing = (["NATS_URL", "VIGIL_SENSOR_TENANT", "VIGIL_SENSOR_ID", "VIGIL_SENSOR_KEY"] as const).filter((name) => !env[name]);
  if (missing.length > 0) throw new StartupError(missing.map((name) => `${name}: required for vigil sensor`));
  const tenantId = env.VIGIL_SENSOR_TENANT!;
  const sensorId = env.VIGIL_SENSOR_ID!;
  const inputs = await expandInputs(paths, log);
  const sambaInputs = await expandSambaInputs(sources.sambaAudit);
  const captures = await expandCaptures(network.pcap);
  const spoolDir = join(resolve(env.VIGIL_DATA_DIR), "spool", sensorId);
  const { bus, publisher } = await openSensorPublisher({
    env,
    tenantId,
    sensorId,
    clientName: `vigil-sensor-${sensorId}`,
    spoolDir,
    what: "events",
    log,
    ...(options.connectRetryMs !== undefined ? { connectRetryMs: options.connectRetryMs } : {}),
    ...(options.firstConnectWaitMs !== undefined ? { firstConnectWaitMs: options.firstConnectWaitMs } : {}),
  });
  log(`sensor ${sensorId} of tenant ${tenantId}: reading ${inputs.length} input(s)${follow ? ", following them" : ""}; spool ${spoolDir}`);

  const live = createRunSummary();
  // Filled by the Samba / RADIUS sources (radiusBadAuthenticator… for the health checks); read by every beat.
  const sourceCounters: Record<string, number> = {};
  const heartbeat = startHeartbeat({
    publisher,
    tenantId,
    sensorId,
    intervalMs: options.heartbeatMs ?? HEARTBEAT_INTERVAL_MS,
    counters: () => ({ records: live.records, events: live.events, problems: live.problems, ...sourceCounters }),
    onError: (error) => log(`heartbeat not sent: ${(error as Error).message}`),
  });
  const abort = new AbortController();
  let extra;
  try {
    extra = await startExtraSources({
      sambaInputs,
      ...(sources.sambaDc ? { sambaDc: sources.sambaDc } : {}),
      ...(sources.radiusPort !== undefined ? { radiusPort: sources.radiusPort } : {}),
      ...(radiusSecrets ? { radiusSecrets } : {}),
      publisher,
      tenantId,
      sensorId,
      signal: abort.signal,
      summary: live,
      counters: sourceCounters,
      log,
      onProblem: problemLogger(log, options.listProblems ?? 100),
    });
  } catch (error) {
    await heartbeat.stop();
    await publisher.close();
    await bus.close();
    throw error;
  }
  const summary = () => {
    const s = publisher.stats();
    return (
      `${live.records} records read, ${live.events} events; ${s.published} published, ${s.spooled} spooled, ` +
      `${s.drained} drained from the spool, ${s.duplicates} already on the bus, ${s.dropped} dropped, ${s.failed} refused; ` +
      `${live.problems} problems`
    );
  };
  let finished = false;
  const done = (async () => {
    const files = runSensor({
      inputs,
      follow,
      publisher,
      tenantId,
      sensorId,
      signal: abort.signal,
      summary: live,
      onProblem: problemLogger(log, options.listProblems ?? 100),
      onProgress: progressLogger(log, live, options.progressEveryMs ?? 5000),
    });
    const net = runNetworkSource(network, captures, {
      publisher,
      tenantId,
      sensorId,
      signal: abort.signal,
      summary: live,
      log,
      onProblem: problemLogger(log, options.listProblems ?? 100),
    });
    await Promise.all([files, extra.done, net]);
    if (abort.signal.aborted) return;
    if (publisher.stats().spooling) log(`all input read; waiting for the spool (${publisher.stats().spoolBytes} bytes) to drain`);
    await publisher.drained(abort.signal);
    finished = true;
    log(`finished: ${summary()}`);
  })().catch((error: unknown) => {
    // Stopping aborts the reads and the wait for the drain; that is not a failure.
    if (!abort.signal.aborted) throw error;
  });

  return {
    done,
    stop: async () => {
      abort.abort();
      await done.catch(() => undefined);
      await extra.stop();
      await heartbeat.stop();
      await publisher.close();
      await bus.close();
      const left = publisher.stats();
      if (left.spoolBytes > 0) log(`stopped with ${left.spoolBytes} bytes spooled in ${spoolDir}; the next start drains them first`);
      if (!finished) log(`stopped: ${summary()}`);
    },
  };
}

function parseArgs(args: string[], pathsOptional = false): { follow: boolean; paths: string[] } {
  let follow = false;
  let optionsEnded = false;
  const paths: string[] = [];
  for (const arg of args) {
    if (!optionsEnded && arg === "--") optionsEnded = true;
    else if (!optionsEnded && (arg === "--follow" || arg === "-f")) follow = true;
    else if (!optionsEnded && arg.startsWith("-") && arg !== "-") throw new UsageError(`vigil sensor: unknown option ${arg}\n${USAGE}`);
    else paths.push(arg);
  }
  if (paths.length === 0 && !pathsOptional)
    throw new UsageError(`vigil sensor: give at least one FILE, DIR or -, or --samba-audit / --radius\n${USAGE}\n${SOURCES_USAGE}`);
  if (paths.filter((p) => p === "-").length > 1) throw new UsageError(`vigil sensor: stdin (-) can be read only once\n${USAGE}`);
  return { follow, paths };
}

/** Paths as given, a directory replaced by its files in name order (not recursive). */
async function expandInputs(paths: string[], log: (line: string) => void): Promise<string[]> {
  const inputs: string[] = [];
  for (const path of paths) {
    if (path === "-") {
      inputs.push(path);
      continue;
    }
    const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
      throw new UsageError(`vigil sensor: cannot read ${path} (${error.code ?? error.message})\n${USAGE}`);
    });
    if (!info.isDirectory()) {
      inputs.push(path);
      continue;
    }
    const files = (await readdir(path, { withFileTypes: true }))
      .filter((entry) => entry.isFile())
      .map((entry) => join(path, entry.name))
      .sort();
    if (files.length === 0) log(`${path}: no files in this directory`);
    inputs.push(...files);
  }
  return inputs;
}

function problemLogger(log: (line: string) => void, limit: number): (problem: ReadProblem) => void {
  let listed = 0;
  return (p) => {
    if (listed++ < limit)
      log(`problem: ${p.file} ${p.unit} ${p.position}: ${p.reason}${p.eventId !== undefined ? ` (event ${p.eventId})` : ""}`);
    else if (listed === limit + 1) log(`more than ${limit} problems; the rest are counted in the summary, not listed`);
  };
}

function progressLogger(log: (line: string) => void, live: { events: number }, everyMs: number): (p: ReadProgress) => void {
  const last = new Map<string, number>();
  const mib = (bytes: number) => (bytes / 1024 ** 2).toFixed(1);
  return (p) => {
    const now = Date.now();
    if (now - (last.get(p.file) ?? 0) < everyMs) return;
    last.set(p.file, now);
    const of =
      p.totalBytes && p.bytesRead <= p.totalBytes
        ? ` of ${mib(p.totalBytes)} MiB (${Math.floor((100 * p.bytesRead) / p.totalBytes)}%)`
        : " MiB";
    log(`reading ${p.file}: ${mib(p.bytesRead)}${of}; ${live.events} events so far`);
  };
}
