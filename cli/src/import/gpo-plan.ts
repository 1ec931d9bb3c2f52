/**
 * GPO local-admin grants → graph writes (pure). Each grant is an ADMIN_TO edge from the member to the
 * computer with source `gpo:<GUID>`, so an operator (and the reconcile step) can tell which policy it
 * came from. The computer and member nodes are written too, shaped exactly as the processor writes
 * them from the same LDAP snapshots (planGraphWrites), so that an import run before the processor
 * has consumed the sync neither loses edges (graph-model skips an edge to a missing node) nor writes
 * a second node for the same SID.
 */
import type { EdgeInput, NodeInput } from "@vigil/graph-model";
import type { EventOf } from "@vigil/sensor/contract";
import type { LocalAdminGrant } from "@vigil/sensor";
import { planGraphWrites } from "@vigil/stream-processor";
import type { ImportPlan } from "./sharphound-plan.ts";

/** Prefix of the `source` of every GPO-derived edge. */
export const GPO_SOURCE_PREFIX = "gpo:";

/** The edge source for one GPO. */
export const gpoSource = (guid: string) => `${GPO_SOURCE_PREFIX}${guid.toUpperCase()}`;

/** Plans the nodes and ADMIN_TO edges of the grants; `at` is every edge's observation time. */
export function planGpoImport(grants: readonly LocalAdminGrant[], snapshots: readonly EventOf<"entity.snapshot">[], at: Date): ImportPlan {
  const bySid = new Map<string, EventOf<"entity.snapshot">>();
  for (const s of snapshots) if (!s.entity.deleted) bySid.set(s.entity.objectId.toUpperCase(), s);
  const nodes = new Map<string, NodeInput>();
  const stubs = new Map<string, NodeInput>();
  const edges = new Map<string, EdgeInput>();
  const ensure = (sid: string, kind: NodeInput["kind"]) => {
    if (nodes.has(sid) || stubs.has(sid)) return;
    const snapshot = bySid.get(sid);
    const node = snapshot ? planGraphWrites(snapshot)?.nodes[0] : undefined;
    if (node) nodes.set(sid, node);
    else stubs.set(sid, { kind, objectId: sid });
  };
  for (const g of grants) {
    ensure(g.computerSid, "Computer");
    ensure(g.memberSid, g.memberKind);
    edges.set(`${g.memberSid} ${g.computerSid}`, {
      kind: "ADMIN_TO",
      from: g.memberSid,
      to: g.computerSid,
      source: gpoSource(g.gpoGuid),
      lastSeen: at,
    });
  }
  return { nodes: [...nodes.values()], stubs: [...stubs.values()], edges: [...edges.values()], ignored: {} };
}
