/**
 * Processes and checks shared by the partitioned resilience test: `vigil` children with their output
 * kept (for failure messages and for waiting on log lines), tenants with a registered sensor, a
 * drained check over every partition durable, and a comparable outcome (alerts + graph counts).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import type { JetStreamManager } from "@nats-io/jetstream";
import type { RelationalStore } from "@vigil/db";
import type { IdentityGraph } from "@vigil/graph-model";
import { sensorKeyHash } from "@vigil/sensor/contract";

const bin = new URL("../cli/bin/vigil.js", import.meta.url).pathname;
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A running `vigil` child; `logs` holds its output lines. */
export interface Child {
  label: string;
  proc: ChildProcess;
  logs: string[];
  exited: Promise<number | null>;
}

/** Every child spawned, so the suite can SIGKILL leftovers. */
export const children = new Set<ChildProcess>();

/** Spawn `vigil <args>` with exactly the given environment (pass PATH). */
export function spawnVigil(label: string, args: string[], env: NodeJS.ProcessEnv, timeline: string[]): Child {
  const proc = spawn(process.execPath, [bin, ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
  children.add(proc);
  const logs: string[] = [];
  const keep = (d: Buffer) => {
    for (const line of d.toString().trimEnd().split("\n")) {
      logs.push(line);
      if (/partition \d+: (restored|lease lost|could not start)|SIGTERM|failed|cannot start/.test(line))
        timeline.push(`[${label}] ${line}`);
    }
  };
  proc.stdout!.on("data", keep);
  proc.stderr!.on("data", keep);
  const exited = new Promise<number | null>((resolve) =>
    proc.on("exit", (code) => {
      children.delete(proc);
      resolve(code);
    }),
  );
  return { label, proc, logs, exited };
}

/** Waits until a line matching `pattern` appears (or the child exits / time runs out). */
export async function waitForLine(child: Child, pattern: RegExp, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until && child.proc.exitCode === null) {
    if (child.logs.some((l) => pattern.test(l))) return;
    await sleep(200);
  }
  throw new Error(`${child.label}: no line matching ${pattern}\n${child.logs.slice(-30).join("\n")}`);
}

/** A tenant with one sensor and the key it signs with. */
export interface TenantRun {
  tenant: string;
  sensorId: string;
  sensorKey: string;
}

/** Creates the tenant row and registers its sensor as the API would. */
export async function createTenantRun(store: RelationalStore, tenant: string): Promise<TenantRun> {
  const run = { tenant, sensorId: `${tenant}-dc01`, sensorKey: `vgl_${randomBytes(32).toString("base64url")}` };
  await store.prisma.tenant.create({ data: { id: tenant, name: tenant } });
  await store.forTenant(tenant).sensor.create({
    data: {
      id: run.sensorId,
      tenantId: tenant,
      name: run.sensorId,
      kind: "dc",
      keyHash: sensorKeyHash(run.sensorKey),
      keyPrefix: run.sensorKey.slice(0, 12),
    },
  });
  return run;
}

/** Every event stored and every partition durable with nothing pending or unacked. */
export async function drained(
  jsm: JetStreamManager,
  stream: string,
  durables: string[],
  events: number,
  timeoutMs: number,
  context: () => string,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  let last = "";
  while (Date.now() < until) {
    try {
      const si = await jsm.streams.info(stream);
      const cis = await Promise.all(durables.map((d) => jsm.consumers.info(stream, d)));
      const pending = cis.reduce((n, c) => n + c.num_pending + c.num_ack_pending, 0);
      last = `stream ${si.state.messages} msgs; ${pending} pending or unacked over ${durables.length} durables`;
      if (si.state.messages >= events && pending === 0) return;
    } catch (err) {
      last = (err as Error).message; // a leader election in progress, or a durable being recreated
    }
    await sleep(500);
  }
  throw new Error(`not drained after ${timeoutMs} ms: ${last}\n${context()}`);
}

/** What a tenant's run produced, without ids and processing times, so two runs compare equal. */
export async function outcome(store: RelationalStore, graph: IdentityGraph, tenant: string) {
  const alerts = await store.forTenant(tenant).alert.findMany({
    where: { tenantId: tenant },
    include: { _count: { select: { evidence: true } } },
  });
  const rows = alerts
    .map(
      (a) =>
        `${a.detectionId} ${a.primaryEntity} ${a.severity} ${a.firstSeen.toISOString()} ${a.lastSeen.toISOString()} count=${a.count} evidence=${a._count.evidence}`,
    )
    .sort();
  return { alerts: rows, graph: await graph.counts(tenant) };
}
