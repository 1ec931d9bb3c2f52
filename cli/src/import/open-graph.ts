/**
 * The identity graph alone, chosen from env like `openAdapters` does (Neo4j when NEO4J_URI is set,
 * else the embedded graph's snapshot under VIGIL_DATA_DIR). An import needs neither the relational
 * store nor the bus, and must not fail because PostgreSQL or NATS is down; adapters.ts keeps its graph
 * opener private, so the same rules are repeated here.
 *
 * The embedded graph lives in one process: importing into its snapshot while `vigil start` runs on
 * the same data directory is overwritten by that process's next snapshot. Stop it first.
 */
import { mkdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import { createMemoryGraph, createNeo4jGraph, type IdentityGraph } from "@vigil/graph-model";
import type { VigilEnv } from "../env.ts";

/** An opened graph, where it is, and how to close it (the embedded one snapshots on close). */
export interface OpenedGraph {
  graph: IdentityGraph;
  describe: string;
  close(): Promise<void>;
}

/** Opens the configured identity graph. */
export async function openConfiguredGraph(env: VigilEnv): Promise<OpenedGraph> {
  if (env.NEO4J_URI) {
    const graph = createNeo4jGraph({ uri: env.NEO4J_URI, user: env.NEO4J_USER, password: env.NEO4J_PASSWORD ?? "" });
    try {
      await graph.ensureSchema();
    } catch (error) {
      await graph.close().catch(() => {});
      throw error;
    }
    return { graph, describe: `Neo4j at ${env.NEO4J_URI}`, close: () => graph.close() };
  }
  const dir = resolve(env.VIGIL_DATA_DIR);
  await mkdir(dir, { recursive: true });
  const file = join(dir, "graph.json");
  const graph = createMemoryGraph({ snapshotFile: file });
  await graph.load(file);
  await graph.ensureSchema();
  return {
    graph,
    describe: `embedded graph, snapshot ${file}`,
    close: async () => {
      await graph.snapshot(file);
      await graph.close();
    },
  };
}
