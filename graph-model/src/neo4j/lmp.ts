/**
 * Lateral-movement paths on Neo4j. Design: sensitive accounts carry a derived mark (lmpSensitive); per
 * sensitive account one (:LmpExposure {tenantId, objectId}) node stores reachingAccounts, shortestHops
 * and the first LMP_STORED_PATHS paths as flat lists (Neo4j properties cannot nest); one
 * (:LmpState {tenantId}) node holds the session cutoff and the fingerprint of sensitive accounts and
 * honeytokens the results are for. Neither derived label is an Entity, so counts and lookups ignore them.
 *
 * Updates: an edge that appears or disappears can only change paths to targets downstream of its head,
 * so lmp/affected-targets finds those (one forward search per head) and lmp/compute-target recomputes
 * each. Storing per-(source, target) distances, as the embedded adapter does in bytes, would be ~20M
 * rows at benchmark scale; recomputing the affected targets is the cheaper scheme here.
 */
import { LMP_INCREMENTAL_LIMIT, fingerprintOf } from "../lmp-policy.ts";
import { LMP_OPENINGS_KEPT, openingsOf, type LmpOpening, type PathIds, type TargetView } from "../lmp-openings.ts";
import { edgeKey } from "../normalize.ts";
import type { EdgeRef, Exposure, GraphPath, SensitiveAccount } from "../port.ts";
import { LMP_EDGE_KINDS, LMP_MAX_HOPS, LMP_STORED_PATHS, type EdgeKind, type GraphEdge, type NodeKind } from "../schema.ts";
import { ACCOUNT_KINDS, SENSITIVE_GROUP_MATCH, TIER_ZERO_ROLES, type SensitivityReason } from "../sensitivity.ts";
import type { Connection } from "./connection.ts";
import type { StatementName } from "./cypher.ts";
import { cypherInt, toGraphEdge, toGraphNode } from "./mapping.ts";

/** Stored bookkeeping of a precomputed tenant. */
export interface LmpStateRow {
  sessionCutoff: number;
  fingerprint: string;
}

/** A write's edges as stored (for LMP openings) and, for a merge, which node absorbed which. */
export interface OpenedBy {
  changed: readonly GraphEdge[];
  merged?: { alias: string; into: string };
}

/** Fingerprint of a tenant whose stored results missed an update: the next write recomputes everything. */
const STALE = "stale";

/** Targets recomputed in parallel (sessions from the driver pool). */
const RECOMPUTE_CONCURRENCY = 4;

type Render = (name: StatementName, vars?: Record<string, string | number>) => string;

/** The LMP statements, run through the adapter's connection. */
export class Neo4jLmp {
  constructor(
    private readonly conn: Connection,
    private readonly cypher: Render,
  ) {}

  async state(tenantId: string): Promise<LmpStateRow | null> {
    const rows = await this.conn.read("lmp/state-get", this.cypher("lmp/state-get"), { tenantId });
    const row = rows[0];
    return row ? { sessionCutoff: Number(row.sessionCutoff), fingerprint: String(row.fingerprint) } : null;
  }

  async sensitiveAccounts(tenantId: string): Promise<SensitiveAccount[]> {
    const rows = await this.conn.read("lmp/sensitive-accounts", this.cypher("lmp/sensitive-accounts"), {
      tenantId,
      accountKinds: ACCOUNT_KINDS,
      groupSids: SENSITIVE_GROUP_MATCH.sids,
      groupRids: SENSITIVE_GROUP_MATCH.rids,
      groupNames: SENSITIVE_GROUP_MATCH.names,
      tierZeroRoles: TIER_ZERO_ROLES,
    });
    return rows.map((r) => ({
      objectId: String(r.objectId),
      kind: r.kind as NodeKind,
      reasons: [...new Set(r.reasons as SensitivityReason[])].sort(),
    }));
  }

  private async fingerprint(tenantId: string, sensitive: readonly SensitiveAccount[]): Promise<string> {
    const rows = await this.conn.read("lmp/honeytokens", this.cypher("lmp/honeytokens"), { tenantId });
    return fingerprintOf(
      sensitive,
      rows.map((r) => String(r.objectId)),
    );
  }

  /**
   * Full recompute: marks, one compute per target (each overwrites its stored result in place, so
   * readers keep the previous answer meanwhile), drops results of accounts no longer sensitive, then
   * the state (last, so a crash leaves no state claiming results).
   */
  async full(tenantId: string, sessionCutoff: number): Promise<number> {
    const sensitive = await this.sensitiveAccounts(tenantId);
    const fingerprint = await this.fingerprint(tenantId, sensitive);
    const ids = sensitive.map((s) => s.objectId);
    await this.conn.write("lmp/mark-sensitive", this.cypher("lmp/mark-sensitive"), { tenantId, ids });
    await this.recompute(tenantId, ids, sessionCutoff);
    await this.conn.write("lmp/clear", this.cypher("lmp/clear"), { tenantId, keep: ids });
    await this.conn.write("lmp/state-set", this.cypher("lmp/state-set"), {
      tenantId,
      sessionCutoff: cypherInt(sessionCutoff),
      fingerprint,
    });
    return ids.length;
  }

  /**
   * One compute-target per target, RECOMPUTE_CONCURRENCY at a time: each writes only its own
   * LmpExposure node, so they never contend for locks, and the server's cores share the searches.
   */
  async recompute(tenantId: string, targets: readonly string[], sessionCutoff: number): Promise<void> {
    const query = this.cypher("lmp/compute-target", { maxHops: LMP_MAX_HOPS });
    const queue = [...targets];
    const worker = async () => {
      for (let target = queue.shift(); target !== undefined; target = queue.shift()) {
        await this.conn.write("lmp/compute-target", query, {
          tenantId,
          target,
          accountKinds: ACCOUNT_KINDS,
          sessionCutoff: cypherInt(sessionCutoff),
          keep: cypherInt(LMP_STORED_PATHS),
        });
      }
    };
    await Promise.all(Array.from({ length: RECOMPUTE_CONCURRENCY }, worker));
  }

  /**
   * After live edges appeared or went away (already written): a membership change that alters the
   * fingerprint, or a batch above LMP_INCREMENTAL_LIMIT, recomputes everything; otherwise only targets
   * downstream of the changed edges' heads. Returns how many targets were recomputed.
   */
  async afterEdgeChange(
    tenantId: string,
    st: LmpStateRow,
    edges: ReadonlyArray<Pick<EdgeRef, "kind" | "to">>,
    opened?: OpenedBy,
  ): Promise<number> {
    if (st.fingerprint === STALE) return this.full(tenantId, st.sessionCutoff);
    if (edges.length === 0) return 0;
    let full = edges.length > LMP_INCREMENTAL_LIMIT;
    if (!full && edges.some((e) => e.kind === "MEMBER_OF")) {
      const fp = await this.fingerprint(tenantId, await this.sensitiveAccounts(tenantId));
      full = fp !== st.fingerprint;
    }
    let targets: string[];
    if (full) targets = opened ? (await this.sensitiveAccounts(tenantId)).map((s) => s.objectId) : [];
    else {
      const heads = [...new Set(edges.map((e) => e.to))];
      const rows = await this.conn.read("lmp/affected-targets", this.cypher("lmp/affected-targets", { maxHops: LMP_MAX_HOPS - 1 }), {
        tenantId,
        heads,
        sessionCutoff: cypherInt(st.sessionCutoff),
      });
      targets = rows.map((r) => String(r.objectId));
    }
    const before = opened && targets.length > 0 ? await this.views(tenantId, targets) : undefined;
    const count = full
      ? await this.full(tenantId, st.sessionCutoff)
      : (await this.recompute(tenantId, targets, st.sessionCutoff), targets.length);
    if (opened && before) await this.journal(tenantId, before, await this.views(tenantId, targets), opened);
    return count;
  }

  /** Stored exposure and paths of some targets (those with stored results). */
  private async views(tenantId: string, targets: readonly string[]): Promise<Map<string, TargetView>> {
    const rows = await this.conn.read("lmp/exposure-views", this.cypher("lmp/exposure-views"), { tenantId, targets });
    return new Map(rows.map((r) => [String(r.objectId), { reaching: Number(r.reaching), paths: unflatten(r) }]));
  }

  /** Journals what a write opened, comparing stored results before and after it (lmp-openings.ts). */
  private async journal(
    tenantId: string,
    before: Map<string, TargetView>,
    after: Map<string, TargetView>,
    opened: OpenedBy,
  ): Promise<void> {
    const changed = new Map(opened.changed.map((e) => [edgeKey(e.kind, e.from, e.to), e]));
    const found: LmpOpening[] = [];
    for (const [target, view] of after) {
      const was = before.get(target);
      const m = opened.merged;
      const absorbed = m !== undefined && (was?.paths.some((p) => p.nodes[0] === m.alias) ?? false);
      found.push(...openingsOf(tenantId, target, was, view, changed, (s) => absorbed && s === m?.into));
    }
    if (found.length === 0) return;
    await this.conn.write("lmp/openings-add", this.cypher("lmp/openings-add"), { tenantId, openings: found.map(openingParam) });
    await this.conn.write("lmp/openings-trim", this.cypher("lmp/openings-trim"), { tenantId, keep: cypherInt(LMP_OPENINGS_KEPT) });
  }

  async openings(tenantId: string, limit: number): Promise<LmpOpening[]> {
    const rows = await this.conn.read("lmp/openings-list", this.cypher("lmp/openings-list"), { tenantId, limit: cypherInt(limit) });
    // Read committed: an entry acknowledged while this read runs can come back with its properties gone.
    return rows
      .filter((r) => Array.isArray((r.opening as Record<string, unknown>)?.sources))
      .map((r) => openingOf(r.opening as Record<string, unknown>));
  }

  async ack(tenantId: string, ids: readonly string[]): Promise<number> {
    if (ids.length === 0) return 0;
    const rows = await this.conn.write("lmp/openings-ack", this.cypher("lmp/openings-ack"), { tenantId, ids });
    return Number(rows[0]?.removed ?? 0);
  }

  /** After a node write that may change sensitivity: recompute everything when the fingerprint moved. */
  async afterNodeChange(tenantId: string, st: LmpStateRow): Promise<void> {
    const fp = await this.fingerprint(tenantId, await this.sensitiveAccounts(tenantId));
    if (fp !== st.fingerprint) await this.full(tenantId, st.sessionCutoff);
  }

  /**
   * Called when an update failed after the graph write committed: a retry of that write would look
   * like a no-op, so the state is marked stale and the next write of the tenant recomputes in full.
   */
  async markStale(tenantId: string, st: LmpStateRow): Promise<void> {
    await this.conn.write("lmp/state-set", this.cypher("lmp/state-set"), {
      tenantId,
      sessionCutoff: cypherInt(st.sessionCutoff),
      fingerprint: STALE,
    });
  }

  /** Runs an update; on failure marks the tenant stale (best effort) and rethrows. */
  async guarded(tenantId: string, st: LmpStateRow, update: () => Promise<unknown>): Promise<void> {
    try {
      await update();
    } catch (err) {
      await this.markStale(tenantId, st).catch(() => undefined);
      throw err;
    }
  }

  async setCutoff(tenantId: string, st: LmpStateRow, sessionCutoff: number): Promise<void> {
    await this.conn.write("lmp/state-set", this.cypher("lmp/state-set"), {
      tenantId,
      sessionCutoff: cypherInt(sessionCutoff),
      fingerprint: st.fingerprint,
    });
  }

  async exposure(tenantId: string, objectId: string): Promise<Exposure | null> {
    const rows = await this.conn.read("lmp/exposure", this.cypher("lmp/exposure"), { tenantId, objectId });
    const row = rows[0];
    if (!row) return null;
    return { reachingAccounts: Number(row.reachingAccounts), shortestHops: row.shortestHops == null ? null : Number(row.shortestHops) };
  }

  async paths(tenantId: string, objectId: string, first: number): Promise<GraphPath[]> {
    const rows = await this.conn.read("lmp/paths", this.cypher("lmp/paths"), { tenantId, objectId, first: cypherInt(first) });
    // Stored paths are kept current by the write paths; one whose parts are gone is skipped, not half-returned.
    return rows
      .filter((r) => (r.edges as unknown[]).length === Number(r.hops))
      .map((r) => ({
        nodes: (r.nodes as Record<string, unknown>[]).map(toGraphNode),
        edges: (r.edges as Record<string, unknown>[]).map(toGraphEdge),
      }));
  }
}

/** Paths stored flat by lmp/compute-target, back as objectIds and kinds. */
function unflatten(row: Record<string, unknown>): PathIds[] {
  const lengths = ((row.lengths as unknown[] | null) ?? []).map(Number);
  const nodes = (row.nodes as string[] | null) ?? [];
  const kinds = (row.kinds as EdgeKind[] | null) ?? [];
  let n = 0;
  let k = 0;
  return lengths.map((hops) => {
    const path = { nodes: nodes.slice(n, n + hops + 1), kinds: kinds.slice(k, k + hops) };
    n += hops + 1;
    k += hops;
    return path;
  });
}

/** An opening as a flat LmpOpening node (cypher/lmp/openings-add). */
function openingParam(o: LmpOpening): Record<string, unknown> {
  return {
    objectId: o.id,
    target: o.target,
    source: o.source,
    newSources: cypherInt(o.newSources),
    sources: o.sources,
    edgeKind: o.edge.kind,
    edgeFrom: o.edge.from,
    edgeTo: o.edge.to,
    edgeSource: o.edge.source,
    edgeFirstSeen: cypherInt(o.edge.firstSeen.getTime()),
    edgeLastSeen: cypherInt(o.edge.lastSeen.getTime()),
    pathNodes: o.path.nodes,
    pathKinds: o.path.kinds,
    reachingBefore: cypherInt(o.reachingBefore),
    reachingAfter: cypherInt(o.reachingAfter),
    at: cypherInt(o.at.getTime()),
  };
}

function openingOf(x: Record<string, unknown>): LmpOpening {
  return {
    id: String(x.objectId),
    target: String(x.target),
    source: String(x.source),
    newSources: Number(x.newSources),
    sources: (x.sources as string[]).map(String),
    edge: toGraphEdge({
      kind: x.edgeKind,
      from: x.edgeFrom,
      to: x.edgeTo,
      source: x.edgeSource,
      firstSeen: x.edgeFirstSeen,
      lastSeen: x.edgeLastSeen,
    }),
    path: { nodes: (x.pathNodes as string[]).map(String), kinds: x.pathKinds as EdgeKind[] },
    reachingBefore: Number(x.reachingBefore),
    reachingAfter: Number(x.reachingAfter),
    at: new Date(Number(x.at)),
  };
}

/** Whether an upserted edge counts for LMP now and did not before (new, or a session refreshed past the cutoff). */
export function becameLiveEdge(e: { kind: EdgeKind; lastSeen: number }, before: number | null, cutoff: number): boolean {
  if (!LMP_EDGE_KINDS.includes(e.kind)) return false;
  if (e.kind !== "HAS_SESSION") return before === null;
  const wasLive = before !== null && before >= cutoff;
  return !wasLive && Math.max(before ?? e.lastSeen, e.lastSeen) >= cutoff;
}
