/**
 * IdentityGraph on Neo4j 5. Every statement comes from cypher/ (see cypher.ts) and is parameterized
 * with $tenantId; labels and types are filled only from schema.ts whitelists. Tenant isolation: every
 * node carries tenantId inside its unique key, every MATCH anchors on (tenantId, objectId) or tenantId,
 * edges are only created between two nodes matched in the same tenant, and path search additionally
 * requires r.tenantId on every relationship.
 */
import { GraphError } from "../errors.ts";
import {
  checkAsOf,
  checkFirst,
  checkNeighbourOptions,
  checkOlderThan,
  checkPathOptions,
  checkTenant,
  getNodeArgs,
  normalizeEdgeRefs,
  normalizeEdges,
  normalizeNodes,
  normalizeObjectId,
  checkIds,
} from "../normalize.ts";
import { claimsOf, redirectEdges, redirectNodes, resolveId, withClaims } from "../redirect.ts";
import type { LmpOpening } from "../lmp-openings.ts";
import { claimAndMerge, storedAliases } from "./aliases.ts";
import type {
  EdgeRef,
  Exposure,
  LmpPrecomputeOptions,
  LmpPrecomputeResult,
  SensitiveAccount,
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
  LMP_EDGE_KINDS,
  LMP_SESSION_WINDOW_MS,
  LMP_STORED_PATHS,
  NODE_KINDS,
  type GraphEdge,
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
import { touchesSensitivity } from "../lmp-policy.ts";
import { becameLiveEdge, Neo4jLmp, type LmpStateRow } from "./lmp.ts";

/** An IdentityGraph backed by Neo4j; connects lazily, creates its constraints on first use. */
export function createNeo4jGraph(options: Neo4jGraphOptions): IdentityGraph {
  return new Neo4jGraph(options);
}

class Neo4jGraph implements IdentityGraph {
  private readonly conn: Connection;
  private readonly lmp: Neo4jLmp;
  private ready: Promise<void> | undefined;
  private closed = false;

  constructor(private readonly options: Neo4jGraphOptions) {
    this.conn = connect(options);
    this.lmp = new Neo4jLmp(this.conn, (name, vars) => this.cypher(name, vars));
  }

  async upsertNodes(tenantId: string, nodes: readonly NodeInput[]): Promise<number> {
    checkTenant(tenantId);
    const normal = normalizeNodes(nodes);
    if (normal.length === 0) return 0;
    await this.prepare();
    const claims = claimsOf(normal);
    const stored = await storedAliases(
      this.conn,
      this.render,
      tenantId,
      normal.map((n) => n.objectId),
    );
    const resolved = redirectNodes(normal, withClaims(claims, stored));
    const byKind = groupBy(resolved, (n) => n.kind);
    await this.conn.writeTx("nodes/upsert", async (tx) => {
      for (const [kind, list] of byKind) {
        await tx.run(this.cypher("nodes/upsert", { label: kind }), { tenantId, kind, nodes: list.map(nodeParam) });
      }
    });
    const merges = await claimAndMerge(this.conn, this.render, tenantId, claims, new Map(resolved.map((n) => [n.objectId, n.kind])));
    const sensitivity = resolved.some(touchesSensitivity) || merges.some((m) => m.tagged);
    const st = merges.length > 0 || sensitivity ? await this.lmp.state(tenantId) : null;
    if (st) {
      for (const m of merges) {
        const live = m.moved.filter(
          (e) => LMP_EDGE_KINDS.includes(e.kind) && (e.kind !== "HAS_SESSION" || e.lastSeen.getTime() >= st.sessionCutoff),
        );
        const opened = { changed: live, merged: { alias: m.alias, into: m.into } };
        await this.lmp.guarded(tenantId, st, () => this.lmp.afterEdgeChange(tenantId, st, live, opened));
      }
      if (sensitivity) {
        const now = (await this.lmp.state(tenantId)) ?? st;
        await this.lmp.guarded(tenantId, now, () => this.lmp.afterNodeChange(tenantId, now));
      }
    }
    return resolved.length;
  }

  async upsertEdges(tenantId: string, edges: readonly EdgeInput[]): Promise<UpsertEdgesResult> {
    checkTenant(tenantId);
    const normalized = normalizeEdges(edges);
    if (normalized.length === 0) return { written: 0, skipped: [] };
    await this.prepare();
    const lookup = await storedAliases(
      this.conn,
      this.render,
      tenantId,
      normalized.flatMap((e) => [e.from, e.to]),
    );
    const { edges: normal, loops } = redirectEdges(normalized, lookup);
    const st = await this.lmp.state(tenantId);
    const written = new Set<number>();
    const becameLive = new Map<number, GraphEdge>();
    const byKind = groupBy(
      normal.map((e, i) => ({ e, i })),
      (x) => x.e.kind,
    );
    await this.conn.writeTx("edges/upsert", async (tx) => {
      written.clear(); // a retried transaction starts over
      becameLive.clear();
      for (const [kind, list] of byKind) {
        const spec = EDGE_SCHEMA[kind];
        const result = await tx.run(this.cypher("edges/upsert", { relType: kind }), {
          tenantId,
          fromKinds: spec.from,
          toKinds: spec.to,
          edges: list.map(({ e, i }) => edgeParam(e, i)),
        });
        for (const r of result.records) {
          const i = Number(r.get("i"));
          written.add(i);
          if (st && becameLiveEdge(normal[i]!, r.get("before") as number | null, st.sessionCutoff)) {
            const e = normal[i]!;
            becameLive.set(i, toGraphEdge({ kind, from: e.from, to: e.to, ...r.toObject() }));
          }
        }
      }
    });
    if (st) {
      const live = [...becameLive.values()];
      await this.lmp.guarded(tenantId, st, () => this.lmp.afterEdgeChange(tenantId, st, live, { changed: live }));
    }
    const skippedAt = [...loops, ...normal.flatMap((e, i) => (written.has(i) ? [] : e.inputs))].sort((x, y) => x - y);
    return { written: written.size, skipped: skippedAt.map((i) => edges[i]!) };
  }

  getNode(tenantId: string, objectId: string): Promise<GraphNode | null>;
  getNode(tenantId: string, kind: NodeKind | undefined, objectId: string): Promise<GraphNode | null>;
  async getNode(tenantId: string, a: unknown, b?: unknown): Promise<GraphNode | null> {
    checkTenant(tenantId);
    const { kind, objectId: id } = getNodeArgs(a, b);
    await this.prepare();
    const objectId = await this.resolve(tenantId, id);
    const rows = await this.conn.read("nodes/get", this.cypher("nodes/get"), { tenantId, objectId, kind: kind ?? null });
    return rows[0] ? toGraphNode(rows[0].node as Record<string, unknown>) : null;
  }

  async neighbours(tenantId: string, objectId: string, options?: NeighbourOptions): Promise<Neighbour[]> {
    checkTenant(tenantId);
    const named = normalizeObjectId(objectId);
    const { edgeKinds, direction, limit } = checkNeighbourOptions(options);
    if (edgeKinds.length === 0) return [];
    await this.prepare();
    const id = await this.resolve(tenantId, named);
    const name = `edges/neighbours-${direction}` as const;
    const rows = await this.conn.read(name, this.cypher(name), { tenantId, objectId: id, edgeKinds, limit: cypherInt(limit) });
    return rows.map((r) => ({
      node: toGraphNode(r.node as Record<string, unknown>),
      edge: toGraphEdge(r.edge as Record<string, unknown>),
    }));
  }

  async shortestPath(tenantId: string, fromObjectId: string, toObjectId: string, options: PathOptions): Promise<GraphPath | null> {
    checkTenant(tenantId);
    const { edgeKinds, maxHops } = checkPathOptions(options);
    await this.prepare();
    const from = await this.resolve(tenantId, normalizeObjectId(fromObjectId, "fromObjectId"));
    const to = await this.resolve(tenantId, normalizeObjectId(toObjectId, "toObjectId"));
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
    const st = await this.lmp.state(tenantId);
    const rows = await this.conn.write("sessions/remove-expired", this.cypher("sessions/remove-expired"), {
      tenantId,
      olderThan: cypherInt(cutoff),
      lmpCutoff: cypherInt(st?.sessionCutoff ?? Number.MAX_SAFE_INTEGER),
    });
    if (st) {
      // Nothing older than the cutoff is left, so raising the LMP cutoff to it changes no distance.
      const raised: LmpStateRow = { ...st, sessionCutoff: Math.max(st.sessionCutoff, cutoff) };
      if (raised.sessionCutoff !== st.sessionCutoff) await this.lmp.setCutoff(tenantId, st, raised.sessionCutoff);
      const heads = (rows[0]?.heads as string[] | undefined) ?? [];
      const changed = heads.map((to) => ({ kind: "HAS_SESSION" as const, to }));
      await this.lmp.guarded(tenantId, raised, () => this.lmp.afterEdgeChange(tenantId, raised, changed));
    }
    return Number(rows[0]?.removed ?? 0);
  }

  async removeEdges(tenantId: string, edges: readonly EdgeRef[]): Promise<number> {
    checkTenant(tenantId);
    const named = normalizeEdgeRefs(edges);
    if (named.length === 0) return 0;
    await this.prepare();
    const lookup = await storedAliases(
      this.conn,
      this.render,
      tenantId,
      named.flatMap((r) => [r.from, r.to]),
    );
    const refs = named.map((r) => ({ kind: r.kind, from: resolveId(lookup, r.from), to: resolveId(lookup, r.to) }));
    const st = await this.lmp.state(tenantId);
    const removed: Array<EdgeRef & { lastSeen: number }> = [];
    await this.conn.writeTx("edges/remove", async (tx) => {
      removed.length = 0; // a retried transaction starts over
      for (const [kind, list] of groupBy(refs, (r) => r.kind)) {
        const result = await tx.run(this.cypher("edges/remove", { relType: kind }), {
          tenantId,
          edges: list.map((r) => ({ from: r.from, to: r.to })),
        });
        for (const r of result.records) {
          removed.push({ kind, from: String(r.get("from")), to: String(r.get("to")), lastSeen: Number(r.get("lastSeen")) });
        }
      }
    });
    if (st) {
      const live = removed.filter((e) => LMP_EDGE_KINDS.includes(e.kind) && (e.kind !== "HAS_SESSION" || e.lastSeen >= st.sessionCutoff));
      await this.lmp.guarded(tenantId, st, () => this.lmp.afterEdgeChange(tenantId, st, live));
    }
    return removed.length;
  }

  async sensitiveAccounts(tenantId: string): Promise<SensitiveAccount[]> {
    checkTenant(tenantId);
    await this.prepare();
    return this.lmp.sensitiveAccounts(tenantId);
  }

  async precomputeLateralMovement(tenantId: string, options?: LmpPrecomputeOptions): Promise<LmpPrecomputeResult> {
    checkTenant(tenantId);
    const asOf = checkAsOf(options?.asOf, this.options.now ?? (() => new Date()));
    await this.prepare();
    const sessionCutoff = asOf - LMP_SESSION_WINDOW_MS;
    const targets = await this.lmp.full(tenantId, sessionCutoff);
    return { targets, sessionCutoff: new Date(sessionCutoff) };
  }

  async lateralMovementPaths(tenantId: string, toObjectId: string, first?: number): Promise<GraphPath[]> {
    checkTenant(tenantId);
    const named = normalizeObjectId(toObjectId, "toObjectId");
    const n = checkFirst(first);
    await this.prepare();
    return this.lmp.paths(tenantId, await this.resolve(tenantId, named), n);
  }

  async exposure(tenantId: string, objectId: string): Promise<Exposure | null> {
    checkTenant(tenantId);
    const id = normalizeObjectId(objectId);
    await this.prepare();
    return this.lmp.exposure(tenantId, await this.resolve(tenantId, id));
  }

  async lmpOpenings(tenantId: string, limit?: number): Promise<LmpOpening[]> {
    checkTenant(tenantId);
    const n = checkFirst(limit ?? LMP_STORED_PATHS);
    await this.prepare();
    return this.lmp.openings(tenantId, n);
  }

  async ackLmpOpenings(tenantId: string, ids: readonly string[]): Promise<number> {
    checkTenant(tenantId);
    const list = checkIds(ids);
    await this.prepare();
    return this.lmp.ack(tenantId, list);
  }

  /** The node an objectId names: itself, or the node it is an alias of. */
  private async resolve(tenantId: string, objectId: string): Promise<string> {
    return resolveId(await storedAliases(this.conn, this.render, tenantId, [objectId]), objectId);
  }

  private readonly render = (name: StatementName, vars?: Record<string, string | number>) => this.cypher(name, vars);

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
