import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { createMapStats, readAnyEvents, type ReadProblem } from "@vigil/sensor";
import { finalizeEvent, InvalidEventError, type VigilEvent } from "@vigil/sensor/contract";
import { allDetections, createEngine, type Alert } from "@vigil/stream-processor";
import { UsageError, type CommandContext } from "./command.ts";

/** Offline runs have no tenant; one fixed id keeps alert ids stable between runs of the same files. */
const OFFLINE_TENANT = "offline";
const OFFLINE_SENSOR = "detect";
const PROGRESS_EVERY_BYTES = 16 * 1024 * 1024;

async function expand(paths: string[]): Promise<string[]> {
  const files: string[] = [];
  for (const path of paths) {
    const info = await stat(path).catch(() => undefined);
    if (!info) throw new UsageError(`no such file or directory: ${path}`);
    if (info.isDirectory()) {
      const names = (await readdir(path)).sort();
      files.push(...(await expand(names.filter((n) => !n.startsWith(".")).map((n) => join(path, n)))));
    } else files.push(path);
  }
  return files;
}

/** `--keytab FILE` (decrypts Kerberos tickets and SMB3 / sealed RPC in captures) and the remaining paths. */
function keytabOption(args: string[]): { keytab?: string; paths: string[] } {
  const i = args.indexOf("--keytab");
  if (i < 0) return { paths: args };
  const keytab = args[i + 1];
  if (!keytab) throw new UsageError("vigil detect: --keytab needs a FILE");
  return { keytab, paths: [...args.slice(0, i), ...args.slice(i + 2)] };
}

/** The line `vigil detect` prints per alert: the stable fields analysts and the evaluation read. */
export function alertLine(alert: Alert): string {
  return JSON.stringify({
    type: alert.detectionId,
    severity: alert.severity,
    title: alert.title,
    description: alert.description,
    entities: alert.entities,
    firstSeen: alert.firstSeen,
    lastSeen: alert.lastSeen,
    evidenceCount: alert.evidenceCount,
    mitre: alert.mitre,
    id: alert.id,
  });
}

/**
 * `vigil detect FILE|DIR...`: the detections over event files, offline, one JSON alert per line on
 * stdout. Events are sorted by event time before they reach the engine, because windows run on event
 * time and exports (and several files together) are not in order; only mapped events are held, so
 * memory follows the number of security-relevant events, not the size of the files.
 */
export async function run({ args, log, out }: CommandContext): Promise<number> {
  const { keytab, paths } = keytabOption(args);
  if (paths.length === 0) throw new UsageError("vigil detect needs at least one FILE or DIR");
  const files = await expand(paths);
  const events: VigilEvent[] = [];
  let problems = 0;
  const report = (p: ReadProblem) => {
    problems += 1;
    if (problems <= 20) log(`${p.file}:${p.unit} ${p.position}: ${p.reason}`);
    else if (problems === 21) log("more problems follow; only their count is reported");
  };
  for (const file of files) {
    const stats = createMapStats();
    let nextReport = PROGRESS_EVERY_BYTES;
    const before = events.length;
    try {
      for await (const draft of readAnyEvents(file, {
        tenantId: OFFLINE_TENANT,
        sensorId: OFFLINE_SENSOR,
        ...(keytab ? { keytab } : {}),
        stats,
        onProblem: report,
        onProgress: (p) => {
          if (p.bytesRead < nextReport) return;
          nextReport += PROGRESS_EVERY_BYTES;
          const pct = p.totalBytes ? ` (${Math.round((100 * p.bytesRead) / p.totalBytes)}%)` : "";
          log(`${p.file}: ${Math.round(p.bytesRead / 1048576)} MiB read${pct}`);
        },
      })) {
        try {
          events.push(finalizeEvent(draft));
        } catch (error) {
          if (!(error instanceof InvalidEventError)) throw error;
          report({ file, position: 0, unit: "index", reason: error.message });
        }
      }
    } catch (error) {
      // A file that cannot be read at all (unknown format, unreadable) must not stop the others.
      problems += 1;
      log(`${file}: ${error instanceof Error ? error.message : String(error)}`);
      continue;
    }
    log(`${file}: ${events.length - before} security events`);
  }
  events.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const engine = createEngine({ detections: allDetections });
  const alerts = new Map<string, Alert>();
  for (const event of events) for (const update of engine.process(event)) alerts.set(update.alert.id, update.alert);
  for (const alert of alerts.values()) out(alertLine(alert));
  log(`${files.length} file(s), ${events.length} events, ${alerts.size} alert(s), ${problems} problem(s)`);
  return 0;
}
