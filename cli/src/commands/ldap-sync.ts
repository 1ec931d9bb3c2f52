/**
 * `vigil ldap-sync`: the LDAP entity sync as its own sensor process. A separate command rather than
 * `vigil sensor --ldap` because its input is a directory on a timer, not files to read to the end:
 * it has its own credentials, its own loop and lifetime (runs forever, or `--once`), and keeping it
 * apart leaves `vigil sensor`'s file-argument parsing and shutdown unchanged.
 */
import { join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { createLdapSync, HEARTBEAT_INTERVAL_MS, isLdapSyncError, startHeartbeat, type LdapSyncResult } from "@vigil/sensor";
import { StartupError } from "../adapters.ts";
import { ldapConnectionFromEnv } from "../ldap-env.ts";
import { openSensorPublisher } from "../sensor-publisher.ts";
import { UsageError, type CommandContext, type Running } from "./command.ts";

const USAGE = "usage: vigil ldap-sync [--once] [--full]   (--once: one sync, then exit; --full: ignore the saved USN state)";

/** Timings of the ldap-sync command; tests shorten them. */
export interface LdapSyncCommandOptions {
  heartbeatMs?: number;
  connectRetryMs?: number;
  firstConnectWaitMs?: number;
}

/** `vigil ldap-sync`: syncs the tenant's directory every VIGIL_LDAP_INTERVAL_S and publishes snapshots. */
export function run(ctx: CommandContext): Promise<Running> {
  return runLdapSyncCommand(ctx, {});
}

/** `vigil ldap-sync` with adjustable timings. */
export async function runLdapSyncCommand({ env, args, log }: CommandContext, options: LdapSyncCommandOptions): Promise<Running> {
  const { once, full } = parseArgs(args);
  const required = [
    "NATS_URL",
    "VIGIL_SENSOR_TENANT",
    "VIGIL_SENSOR_ID",
    "VIGIL_SENSOR_KEY",
    "VIGIL_LDAP_URL",
    "VIGIL_LDAP_BIND_DN",
    "VIGIL_LDAP_PASSWORD",
  ] as const;
  const missing = required.filter((name) => !env[name]);
  if (missing.length > 0) throw new StartupError(missing.map((name) => `${name}: required for vigil ldap-sync`));
  const tenantId = env.VIGIL_SENSOR_TENANT!;
  const sensorId = env.VIGIL_SENSOR_ID!;
  const dataDir = resolve(env.VIGIL_DATA_DIR);
  const sync = createLdapSync({
    ...(await ldapConnectionFromEnv(env)),
    tenantId,
    sensorId,
    stateFile: join(dataDir, "ldap", `${sensorId}.json`),
  });
  // Its own spool: a `vigil sensor` with the same id may run beside it and holds the other spool's lock.
  const spoolDir = join(dataDir, "spool", `${sensorId}-ldap`);
  const { bus, publisher } = await openSensorPublisher({
    env,
    tenantId,
    sensorId,
    clientName: `vigil-ldap-sync-${sensorId}`,
    spoolDir,
    what: "snapshots",
    log,
    ...(options.connectRetryMs !== undefined ? { connectRetryMs: options.connectRetryMs } : {}),
    ...(options.firstConnectWaitMs !== undefined ? { firstConnectWaitMs: options.firstConnectWaitMs } : {}),
  });
  const totals = { syncs: 0, failures: 0, snapshots: 0, problems: 0 };
  const heartbeat = startHeartbeat({
    publisher,
    tenantId,
    sensorId,
    intervalMs: options.heartbeatMs ?? HEARTBEAT_INTERVAL_MS,
    counters: () => ({ ...totals }),
    onError: (error) => log(`heartbeat not sent: ${(error as Error).message}`),
  });
  const abort = new AbortController();
  const intervalMs = env.VIGIL_LDAP_INTERVAL_S * 1000;
  log(`ldap-sync ${sensorId} of tenant ${tenantId}: ${env.VIGIL_LDAP_URL} ${once ? "once" : `every ${env.VIGIL_LDAP_INTERVAL_S} s`}`);

  const syncOnce = (forceFull: boolean): Promise<LdapSyncResult> =>
    sync.sync({
      full: forceFull,
      signal: abort.signal,
      onSnapshot: (event) => publisher.publish(event),
      onProblem: (p) => log(`problem: ${p.dn ?? ""}${p.attribute ? ` ${p.attribute}` : ""}: ${p.reason}`),
    });

  let failed = false;
  const done = (async () => {
    let first = true;
    while (!abort.signal.aborted) {
      try {
        const r = await syncOnce(full && first);
        totals.syncs++;
        totals.snapshots += r.snapshots;
        totals.problems += r.problems;
        log(
          `${r.mode} sync of ${r.baseDn} from ${r.dc}: ${r.snapshots} snapshots (${r.deleted} deletions, by ${r.deletionsBy}), ` +
            `${r.problems} problems, ${r.pages} pages; USN ${r.fromUsn ?? 0} → ${r.toUsn}${r.fullReason ? ` (full: ${r.fullReason})` : ""}`,
        );
      } catch (error) {
        if (abort.signal.aborted) break;
        totals.failures++;
        failed = true;
        log(`sync failed: ${isLdapSyncError(error) ? `${error.code}: ${error.message}` : (error as Error).message}`);
      }
      first = false;
      if (once) break;
      await sleep(intervalMs, undefined, { signal: abort.signal }).catch(() => undefined);
    }
    if (once && !abort.signal.aborted) await publisher.drained(abort.signal).catch(() => undefined);
  })();

  return {
    done: once ? done.then(() => (failed ? Promise.reject(new Error("ldap sync failed")) : undefined)) : done,
    stop: async () => {
      abort.abort();
      await done.catch(() => undefined);
      await heartbeat.stop();
      await publisher.close();
      await bus.close();
      const left = publisher.stats();
      if (left.spoolBytes > 0) log(`stopped with ${left.spoolBytes} bytes spooled in ${spoolDir}; the next start drains them first`);
    },
  };
}

function parseArgs(args: string[]): { once: boolean; full: boolean } {
  let once = false;
  let full = false;
  for (const arg of args) {
    if (arg === "--once") once = true;
    else if (arg === "--full") full = true;
    else throw new UsageError(`vigil ldap-sync: unknown argument ${arg}\n${USAGE}`);
  }
  return { once, full };
}
