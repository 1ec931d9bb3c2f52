/**
 * The runtime alert source of lateral-movement-path-opened's graph half. graph-model journals every
 * write that opens a lateral-movement path into a sensitive account (LMP openings, durable on Neo4j);
 * this reads the tenant's journal after each of the processor's graph writes and turns each opening
 * into a candidate (detections/lateral-movement-path-opened-graph.ts, pure) that the engine aggregates
 * through `raise`, keyed by the opening's id, so a journal read twice (a retry before the
 * acknowledgement, a restart) never counts an opening twice while the engine snapshot remembers it.
 *
 * Why a journal and `raise` rather than an event kind: the signal is a result of graph state, not of
 * one event, and not every write goes through the processor: `vigil import sharphound` writes straight
 * into the graph from the CLI, with no bus and no sensor key to sign an event. Its openings wait in the
 * journal and are raised on the tenant's next graph write here (any logon a sensor forwards). Nothing
 * on the wire can claim to be a graph finding, since the kind does not exist there.
 *
 * The caller stores the alerts, then acknowledges the ids returned, so an opening leaves the journal
 * only once its alert is stored.
 */
import type { IdentityGraph, LmpOpening } from "@vigil/graph-model";
import type { VigilEvent } from "@vigil/sensor/contract";
import type { AlertUpdate } from "../engine/alerts.ts";
import type { AlertCandidate } from "../engine/detection.ts";
import { LMP_OPENED_ID, openingCandidate, type PathNodeInfo } from "../detections/lateral-movement-path-opened-graph.ts";

/** What raiseLmpOpenings needs. */
export interface LmpOpeningsDeps {
  graph: Pick<IdentityGraph, "lmpOpenings" | "getNode">;
  /** The engine's raise. */
  raise: (tenantId: string, detectionId: string, key: string, time: number, candidates: AlertCandidate[]) => AlertUpdate[];
}

/** Alerts raised from the journal, and the journal ids to acknowledge once they are stored. */
export interface RaisedOpenings {
  updates: AlertUpdate[];
  ids: string[];
}

/** Reads the tenant's journal and raises its openings; `trigger` is the event whose graph write just ran. */
export async function raiseLmpOpenings(deps: LmpOpeningsDeps, tenantId: string, trigger?: VigilEvent): Promise<RaisedOpenings> {
  const openings = await deps.graph.lmpOpenings(tenantId);
  if (openings.length === 0) return { updates: [], ids: [] };
  const nodes = await pathNodes(deps.graph, tenantId, openings);
  const triggerTime = trigger ? Date.parse(trigger.time) : NaN;
  const updates = openings.flatMap((o) => {
    // The opening edge's lastSeen is the time of the event whose write made it.
    const evidence = trigger && o.at.getTime() === triggerTime ? [trigger.id] : [];
    return deps.raise(tenantId, LMP_OPENED_ID, `lmp-opening:${o.id}`, o.at.getTime(), [openingCandidate(o, nodes, evidence)]);
  });
  return { updates, ids: openings.map((o) => o.id) };
}

async function pathNodes(graph: LmpOpeningsDeps["graph"], tenantId: string, openings: LmpOpening[]): Promise<Map<string, PathNodeInfo>> {
  const ids = new Set(openings.flatMap((o) => [...o.path.nodes, ...o.sources, o.edge.from, o.edge.to, o.target]));
  const nodes = new Map<string, PathNodeInfo>();
  for (const id of ids) {
    const n = await graph.getNode(tenantId, id);
    if (n) nodes.set(id, { kind: n.kind, name: n.name, domain: n.domain });
  }
  return nodes;
}
