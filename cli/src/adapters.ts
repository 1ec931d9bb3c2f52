import { mkdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import { openRelationalStore, type RelationalStore } from "@vigil/db";
import { createMemoryGraph, createNeo4jGraph, type IdentityGraph, type MemoryIdentityGraph } from "@vigil/graph-model";
import { connectJetStreamBus, createMemoryBus, type EventBus } from "@vigil/sensor/bus";
import { readNatsCreds } from "./commands/nats-auth.ts";
import type { VigilEnv } from "./env.ts";
import type { HealthCheck } from "./health-server.ts";

/** The three stores of DESIGN.md §3, each the real adapter when its URL is set, else the embedded one. */
export interface Adapters {
  store: RelationalStore;
  bus: EventBus;
  graph: IdentityGraph;
  /** Human-readable "which adapter is this" lines for the start banner. */
  describe: string[];
  checks: HealthCheck[];
  close(): Promise<void>;
}

/** Raised when one or more stores cannot be opened; one line per store, naming its variable. */
export class StartupError extends Error {
  constructor(readonly problems: string[]) {
    super(`cannot start:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "StartupError";
  }
}

function assertOk(ok: boolean, why: string): void {
  if (!ok) throw new Error(why);
}

const reason = (error: unknown) => (error instanceof Error ? error.message : String(error));

interface Opened<T> {
  value: T;
  describe: string;
  close(): Promise<void>;
}

async function openStore(env: VigilEnv, dataDir: string): Promise<Opened<RelationalStore>> {
  if (env.DATABASE_URL) {
    const store = await openRelationalStore({ databaseUrl: env.DATABASE_URL, migrate: true });
    const url = new URL(env.DATABASE_URL);
    return {
      value: store,
      describe: `relational store: PostgreSQL at ${url.hostname}:${url.port || 5432}${url.pathname}`,
      close: () => store.close(),
    };
  }
  const dir = join(dataDir, "pglite");
  const store = await openRelationalStore({ dataDir: dir, migrate: true });
  return { value: store, describe: `relational store: embedded PGlite in ${dir}`, close: () => store.close() };
}

async function openBus(env: VigilEnv): Promise<Opened<EventBus>> {
  if (env.NATS_URL) {
    const servers = env.NATS_URL.split(",").map((s) => s.trim());
    const namespace = env.VIGIL_BUS_NAMESPACE;
    const replicas = env.VIGIL_NATS_REPLICAS;
    const creds = await readNatsCreds(env);
    const bus = await connectJetStreamBus({
      servers,
      name: "vigil",
      ...(namespace ? { namespace } : {}),
      ...(replicas !== undefined ? { replicas } : {}),
      ...(creds ? { creds } : {}),
    });
    return { value: bus, describe: `event bus: NATS JetStream at ${servers.join(", ")}`, close: () => bus.close() };
  }
  const bus = createMemoryBus();
  return { value: bus, describe: "event bus: in-process", close: () => bus.close() };
}

async function openGraph(env: VigilEnv, dataDir: string): Promise<Opened<IdentityGraph>> {
  if (env.NEO4J_URI) {
    const graph = createNeo4jGraph({ uri: env.NEO4J_URI, user: env.NEO4J_USER, password: env.NEO4J_PASSWORD ?? "" });
    try {
      await graph.ensureSchema();
    } catch (error) {
      await graph.close().catch(() => {});
      throw error;
    }
    return { value: graph, describe: `identity graph: Neo4j at ${env.NEO4J_URI}`, close: () => graph.close() };
  }
  const file = join(dataDir, "graph.json");
  const graph: MemoryIdentityGraph = createMemoryGraph({ snapshotFile: file });
  await graph.load(file);
  await graph.ensureSchema();
  return {
    value: graph,
    describe: `identity graph: in-memory, snapshot ${file}`,
    close: async () => {
      await graph.snapshot(file);
      await graph.close();
    },
  };
}

/**
 * Opens every store concurrently so a misconfigured deployment learns about all its problems in one
 * start, not one per restart. On any failure the stores that did open are closed again.
 */
export async function openAdapters(env: VigilEnv): Promise<Adapters> {
  const dataDir = resolve(env.VIGIL_DATA_DIR);
  await mkdir(dataDir, { recursive: true });
  const [store, bus, graph] = await Promise.allSettled([openStore(env, dataDir), openBus(env), openGraph(env, dataDir)]);
  const problems: string[] = [];
  if (store.status === "rejected") problems.push(`${env.DATABASE_URL ? "DATABASE_URL" : "VIGIL_DATA_DIR"}: ${reason(store.reason)}`);
  if (bus.status === "rejected") problems.push(`NATS_URL: ${reason(bus.reason)}`);
  if (graph.status === "rejected") problems.push(`${env.NEO4J_URI ? "NEO4J_URI" : "VIGIL_DATA_DIR"}: ${reason(graph.reason)}`);
  const opened = [store, bus, graph].flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
  if (problems.length > 0) {
    await Promise.allSettled(opened.map((o) => o.close()));
    throw new StartupError(problems);
  }
  const s = (store as PromiseFulfilledResult<Opened<RelationalStore>>).value;
  const b = (bus as PromiseFulfilledResult<Opened<EventBus>>).value;
  const g = (graph as PromiseFulfilledResult<Opened<IdentityGraph>>).value;
  return {
    store: s.value,
    bus: b.value,
    graph: g.value,
    describe: [s.describe, b.describe, g.describe],
    checks: [
      { name: "relational-store", check: () => s.value.health().then((h) => assertOk(h.ok, h.ok ? "" : h.error)) },
      { name: "event-bus", check: () => b.value.health().then((h) => assertOk(h.ok, h.detail)) },
      { name: "identity-graph", check: () => g.value.health().then((h) => assertOk(h.ok, h.error ?? `unhealthy (${h.target})`)) },
    ],
    close: async () => {
      // Reverse order of dependency: nothing should write to the store after the bus stops feeding it.
      await b.close();
      await Promise.allSettled([g.close(), s.close()]);
    },
  };
}
