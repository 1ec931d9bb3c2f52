/**
 * Writes an import plan through the IdentityGraph port in batches: described nodes, then stubs, then
 * edges (graph-model skips an edge whose endpoint does not exist yet). Every write is an idempotent
 * upsert, so an import that fails half-way (graph unreachable) is safely re-run from the start.
 *
 * A batch the graph refuses as a whole for a reason that is about one input (an objectId stored under
 * another kind, e.g. a SID the processor first saw as a user member and SharpHound knows is a group)
 * is retried node by node, so one conflict costs one node, reported, not the batch.
 */
import { EDGE_KINDS, isGraphError, type EdgeInput, type EdgeKind, type IdentityGraph, type NodeInput } from "@vigil/graph-model";
import type { ImportPlan } from "./sharphound-plan.ts";

/** Options of writeImportPlan. */
export interface WritePlanOptions {
  graph: IdentityGraph;
  tenantId: string;
  /** Inputs per port call. Default 1000. */
  batchSize?: number;
  /** Progress lines. */
  log?: (line: string) => void;
}

/** What was written and what was not. */
export interface WriteSummary {
  /** Described nodes written. */
  nodes: number;
  /** Stub nodes written (referenced principals the collection does not describe). */
  stubNodes: number;
  /** Nodes refused by the graph, with its reason. */
  refusedNodes: { objectId: string; kind: string; reason: string }[];
  /** Distinct edges written, per kind. */
  edges: Record<EdgeKind, number>;
  /** Edges not written, per kind (an endpoint missing or of a kind the edge kind does not allow). */
  skippedEdges: Record<EdgeKind, number>;
}

const batches = <T>(items: readonly T[], size: number): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
};

const perInputError = (err: unknown) => isGraphError(err, "GRAPH_KIND_CONFLICT") || isGraphError(err, "GRAPH_INVALID_INPUT");

async function writeNodes(
  graph: IdentityGraph,
  tenantId: string,
  nodes: readonly NodeInput[],
  size: number,
  refused: WriteSummary["refusedNodes"],
  progress: (done: number) => void,
): Promise<number> {
  let written = 0;
  let done = 0;
  for (const batch of batches(nodes, size)) {
    try {
      written += await graph.upsertNodes(tenantId, batch);
    } catch (err) {
      if (!perInputError(err)) throw err;
      for (const node of batch) {
        try {
          written += await graph.upsertNodes(tenantId, [node]);
        } catch (one) {
          if (!perInputError(one)) throw one;
          refused.push({ objectId: node.objectId, kind: node.kind, reason: (one as Error).message });
        }
      }
    }
    progress((done += batch.length));
  }
  return written;
}

const zeroes = () => Object.fromEntries(EDGE_KINDS.map((k) => [k, 0])) as Record<EdgeKind, number>;

/** Writes a plan; throws only on graph failures that are not about a particular input (unreachable, closed). */
export async function writeImportPlan(plan: ImportPlan, options: WritePlanOptions): Promise<WriteSummary> {
  const { graph, tenantId } = options;
  const size = options.batchSize ?? 1000;
  const log = options.log ?? (() => {});
  const summary: WriteSummary = { nodes: 0, stubNodes: 0, refusedNodes: [], edges: zeroes(), skippedEdges: zeroes() };
  const total = plan.nodes.length + plan.stubs.length;
  const step = (what: string, base: number, of: number) => (done: number) => log(`${what}: ${base + done}/${of}`);
  summary.nodes = await writeNodes(graph, tenantId, plan.nodes, size, summary.refusedNodes, step("nodes", 0, total));
  summary.stubNodes = await writeNodes(graph, tenantId, plan.stubs, size, summary.refusedNodes, step("nodes", plan.nodes.length, total));
  let done = 0;
  for (const batch of batches<EdgeInput>(plan.edges, size)) {
    const result = await graph.upsertEdges(tenantId, batch);
    const skipped = new Set(result.skipped);
    for (const e of batch) summary[skipped.has(e) ? "skippedEdges" : "edges"][e.kind]++;
    log(`edges: ${(done += batch.length)}/${plan.edges.length}`);
  }
  return summary;
}
