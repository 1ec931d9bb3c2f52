/**
 * IdentityGraph on Neo4j 5. Every statement comes from cypher/ (see cypher.ts) and is parameterized
 * with $tenantId; labels and types are filled only from schema.ts whitelists. Tenant isolation: every
 * node carries tenantId inside its unique key, every MATCH anchors on (tenantId, objectId) or tenantId,
 * edges are only created between two nodes matched in the same tenant, and path search additionally
 * requires r.tenantId on every relationship.
 */
import { GraphError } from "../errors.ts";
import {
  checkNeighbourOptions,
  checkOlderThan,
  checkPathOptions,
  checkTenant,
  getNodeArgs,
  normalizeEdges,
  normalizeNodes,
  normalizeObjectId,
} from "../normalize.ts";
import type {
  GraphCounts,
  GraphHealth,
  GraphPath,
  IdentityGraph,
  Neighbour,
  NeighbourOptions,
  PathOptions,
  UpsertEdgesResult,
} from "../port.ts";
import {
  EDGE_KINDS,
  EDGE_SCHEMA,
  NODE_KINDS,
  type EdgeInput,
  type EdgeKind,
  type GraphNode,
  type NodeInput,
  type NodeKind,
} from "../schema.ts";
import { connect, type Connection, type Neo4jGraphOptions } from "./connection.ts";
import { render, type StatementName } from "./cypher.ts";
import { edgeParam, cypherInt, nodeParam, toGraphEdge, toGraphNode } from "./mapping.ts";
import { schemaStatements } from "./schema-statements.ts";

/** An IdentityGraph backed by Neo4j; connects lazily, creates its constraints on first use. */
export function createNeo4jGraph(options: Neo4jGraphOptions): IdentityGraph {
  return new Neo4jGraph(options);
}

class Neo4jGraph implements IdentityGraph {
  private readonly conn: Connection;
  private ready: Promise<void> | undefined;
  private closed = false;

  constructor(private readonly options: Neo4jGraphOptions) {
    this.conn = connect(options);
  }

  async upsertNodes(tenantId: string, nodes: readonly NodeInput[]): Promise<number> {
    checkTenant(tenantId);
    const normal = normalizeNodes(nodes);
    if (normal.length === 0) return 0;
    await this.prepare();
    const byKind = groupBy(normal, (n) => n.kind);
    await this.conn.writeTx("nodes/upsert", async (tx) => {
      for (const [kind, list] of byKind) {
        await tx.run(this.cypher("nodes/upsert", { label: kind }), { tenantId, kind, nodes: list.map(nodeParam) });
      }
    });
    return normal.length;
  }

  async upsertEdges(tenantId: string, edges: readonly EdgeInput[]): Promise<UpsertEdgesResult> {
    checkTenant(tenantId);
    const normal = normalizeEdges(edges);
    if (normal.length === 0) return { written: 0, skipped: [] };
    await this.prepare();
    const written = new Set<number>();
    const byKind = groupBy(
      normal.map((e, i) => ({ e, i })),
      (x) => x.e.kind,
    );
    await this.conn.writeTx("edges/upsert", async (tx) => {
      written.clear(); // a retried transaction starts over
      for (const [kind, list] of byKind) {
        const spec = EDGE_SCHEMA[kind];
        const result = await tx.run(this.cypher("edges/upsert", { relType: kind }), {
          tenantId,
          fromKinds: spec.from,
          toKinds: spec.to,
          edges: list.map(({ e, i }) => edgeParam(e, i)),
        });
        for (const r of result.records) written.add(Number(r.get("i")));
      }
    });
    const skippedAt = normal.flatMap((e, i) => (written.has(i) ? [] : e.inputs)).sort((x, y) => x - y);
    return { written: written.size, skipped: skippedAt.map((i) => edges[i]!) };
  }

  getNode(tenantId: string, objectId: string): Promise<GraphNode | null>;
  getNode(tenantId: string, kind: NodeKind | undefined, objectId: string): Promise<GraphNode | null>;
  async getNode(tenantId: string, a: unknown, b?: unknown): Promise<GraphNode | null> {
    checkTenant(tenantId);
    const { kind, objectId } = getNodeArgs(a, b);
    await this.prepare();
    const rows = await this.conn.read("nodes/get", this.cypher("nodes/get"), { tenantId, objectId, kind: kind ?? null });
    return rows[0] ? toGraphNode(rows[0].node as Record<string, unknown>) : null;
  }

  async neighbours(tenantId: string, objectId: string, options?: NeighbourOptions): Promise<Neighbour[]> {
    checkTenant(tenantId);
    const id = normalizeObjectId(objectId);
    const { edgeKinds, direction, limit } = checkNeighbourOptions(options);
    if (edgeKinds.length === 0) return [];
    await this.prepare();
    const name = `edges/neighbours-${direction}` as const;
    const rows = await this.conn.read(name, this.cypher(name), { tenantId, objectId: id, edgeKinds, limit: cypherInt(limit) });
    return rows.map((r) => ({
      node: toGraphNode(r.node as Record<string, unknown>),
      edge: toGraphEdge(r.edge as Record<string, unknown>),
    }));
  }

  async shortestPath(tenantId: string, fromObjectId: string, toObjectId: string, options: PathOptions): Promise<GraphPath | null> {
    checkTenant(tenantId);
    const from = normalizeObjectId(fromObjectId, "fromObjectId");
    const to = normalizeObjectId(toObjectId, "toObjectId");
    const { edgeKinds, maxHops } = checkPathOptions(options);
    if (from === to) {
      const node = await this.getNode(tenantId, from);
      return node ? { nodes: [node], edges: [] } : null;
    }
    if (edgeKinds.length === 0) return null;
    await this.prepare();
    const rows = await this.conn.read("paths/shortest", this.cypher("paths/shortest", { maxHops }), { tenantId, from, to, edgeKinds });
    const row = rows[0];
    if (!row) return null;
    return {
      nodes: (row.nodes as Record<string, unknown>[]).map(toGraphNode),
      edges: (row.edges as Record<string, unknown>[]).map(toGraphEdge),
    };
  }

  async removeExpiredSessions(tenantId: string, olderThan: Date): Promise<number> {
    checkTenant(tenantId);
    const cutoff = checkOlderThan(olderThan);
    await this.prepare();
    const rows = await this.conn.write("sessions/remove-expired", this.cypher("sessions/remove-expired"), {
      tenantId,
      olderThan: cypherInt(cutoff),
    });
    return Number(rows[0]?.removed ?? 0);
  }

  async counts(tenantId: string): Promise<GraphCounts> {
    checkTenant(tenantId);
    await this.prepare();
    const [nodeRows, edgeRows] = await Promise.all([
      this.conn.read("nodes/count-by-kind", this.cypher("nodes/count-by-kind"), { tenantId }),
      this.conn.read("edges/count-by-kind", this.cypher("edges/count-by-kind"), { tenantId }),
    ]);
    const counts: GraphCounts = {
      nodes: Object.fromEntries(NODE_KINDS.map((k) => [k, 0])) as GraphCounts["nodes"],
      edges: Object.fromEntries(EDGE_KINDS.map((k) => [k, 0])) as GraphCounts["edges"],
    };
    for (const r of nodeRows) if ((r.kind as string) in counts.nodes) counts.nodes[r.kind as NodeKind] = Number(r.n);
    for (const r of edgeRows) if ((r.kind as string) in counts.edges) counts.edges[r.kind as EdgeKind] = Number(r.n);
    return counts;
  }

  ensureSchema(): Promise<void> {
    return this.prepare();
  }

  async health(): Promise<GraphHealth> {
    const started = performance.now();
    const base = { adapter: "neo4j" as const, target: this.conn.target };
    try {
      this.assertOpen();
      await this.conn.verify();
      return { ...base, ok: true, latencyMs: Math.round(performance.now() - started) };
    } catch (err) {
      return { ...base, ok: false, latencyMs: Math.round(performance.now() - started), error: (err as Error).message };
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.conn.driver.close();
  }

  /** Connectivity probe then DDL, once; a failure is not cached, so the next call tries again. */
  private prepare(): Promise<void> {
    this.assertOpen();
    this.ready ??= this.createSchema().catch((err: unknown) => {
      this.ready = undefined;
      throw err;
    });
    return this.ready;
  }

  private async createSchema(): Promise<void> {
    await this.conn.verify();
    for (const s of schemaStatements(this.options.cypherDir)) {
      try {
        await this.conn.write(s.name, s.cypher, {});
      } catch (err) {
        // Two processes starting together can both pass IF NOT EXISTS; the loser's error is harmless.
        const code = String((err as GraphError).cause && ((err as GraphError).cause as { code?: unknown }).code);
        if (!/AlreadyExists$/.test(code)) throw err;
      }
    }
  }

  private cypher(name: StatementName, vars?: Record<string, string | number>): string {
    return render(name, vars, this.options.cypherDir);
  }

  private assertOpen(): void {
    if (this.closed) throw new GraphError("GRAPH_CLOSED", "identity graph is closed");
  }
}

function groupBy<T, K>(items: readonly T[], key: (item: T) => K): Map<K, T[]> {
  const map = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = map.get(k);
    if (list) list.push(item);
    else map.set(k, [item]);
  }
  return map;
}
