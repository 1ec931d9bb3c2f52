/**
 * `vigil import gpo` end to end: read the Policies directory (sensor), take the directory view from
 * LDAP snapshots, evaluate who the policies make local administrators where, write the ADMIN_TO edges
 * and nodes (graph port), then remove GPO-derived edges the policies no longer grant.
 *
 * Removal: every ADMIN_TO edge into a computer of the directory whose stored source is `gpo:…`, last
 * seen no later than this import, and not granted now, is deleted: its GPO was unlinked, deleted,
 * disabled, or no longer lists the member. Edges of a GPO whose folder or one of whose files could
 * not be read this time stay: its settings are unknown, which is not the same as gone. Edges another
 * source refreshed since (SharpHound saw the same admin, source `sharphound`) are observations of
 * their own and stay.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { EdgeRef, IdentityGraph } from "@vigil/graph-model";
import {
  buildGpoDirectory,
  createLdapSync,
  evaluateLocalAdmins,
  readGpoPolicies,
  type LdapSyncOptions,
  type LdapSyncProblem,
  type LocalAdminEvaluation,
  type PolicyFileReport,
} from "@vigil/sensor";
import type { EventOf } from "@vigil/sensor/contract";
import { GPO_SOURCE_PREFIX, gpoSource, planGpoImport } from "./gpo-plan.ts";
import { writeImportPlan, type WriteSummary } from "./sharphound-loader.ts";

type Snapshot = EventOf<"entity.snapshot">;

/** Options of importGpoLocalAdmins. */
export interface ImportGpoOptions {
  /** A Policies directory, a SYSVOL root holding `<realm>/Policies`, or a folder holding `Policies`. */
  path: string;
  graph: IdentityGraph;
  tenantId: string;
  /** The directory as LDAP sync snapshots (a full sync of the domain). */
  snapshots: readonly Snapshot[];
  /** Observation time of the edges (default now): the policies were read as in force at this time. */
  observedAt?: Date;
  maxFileBytes?: number;
  batchSize?: number;
  log?: (line: string) => void;
}

/** What an import did. */
export interface ImportGpoSummary extends WriteSummary {
  tenantId: string;
  observedAt: string;
  policiesDirs: string[];
  /** GPO folders read. */
  gpoFolders: number;
  files: PolicyFileReport[];
  /** GPO folders that could not be listed: their settings are unknown. */
  unreadableFolders: { folder: string; reason: string }[];
  gpoReach: LocalAdminEvaluation["gpoReach"];
  unknownGpos: string[];
  unresolved: LocalAdminEvaluation["unresolved"];
  skippedLinks: LocalAdminEvaluation["skippedLinks"];
  /** Links on sites, not placed (a computer's site is not in the directory). */
  siteLinks: number;
  computersInScope: number;
  grants: number;
  /** GPO-derived ADMIN_TO edges deleted because no policy grants them any more. */
  removedEdges: number;
  directoryNotes: string[];
}

/** Concurrent neighbour reads while reconciling (Neo4j serves them in parallel; the embedded graph does not mind). */
const RECONCILE_CONCURRENCY = 8;

/** Imports the GPO local admins of one tenant. Throws GpoError when the path holds no Policies at all. */
export async function importGpoLocalAdmins(o: ImportGpoOptions): Promise<ImportGpoSummary> {
  const log = o.log ?? (() => {});
  const at = o.observedAt ?? new Date();
  const policies = await readGpoPolicies(o.path, o.maxFileBytes !== undefined ? { maxFileBytes: o.maxFileBytes } : {});
  const files = policies.gpos.flatMap((g) => g.files);
  log(`read ${policies.gpos.length} GPO folder(s) under ${policies.policiesDirs.join(", ")}: ${files.length} policy file(s)`);
  const directory = buildGpoDirectory(o.snapshots.map((s) => s.entity));
  const evaluation = evaluateLocalAdmins(directory, policies.gpos);
  const plan = planGpoImport(evaluation.grants, o.snapshots, at);
  log(`${evaluation.grants.length} grant(s) on ${evaluation.computersInScope} computer(s): writing ${plan.edges.length} ADMIN_TO edge(s)`);
  const written = await writeImportPlan(plan, {
    graph: o.graph,
    tenantId: o.tenantId,
    log,
    ...(o.batchSize ? { batchSize: o.batchSize } : {}),
  });
  const keep = new Set(plan.edges.map((e) => `${e.from.toUpperCase()} ${e.to.toUpperCase()}`));
  // A GPO whose folder or a file of it could not be read has unknown settings, not none: its edges stay.
  const uncertain = new Set(
    policies.gpos.filter((g) => g.unreadable || g.files.some((f) => f.status === "rejected")).map((g) => gpoSource(g.guid)),
  );
  const computers = directory.computers.map((c) => c.sid);
  const removedEdges = await removeStaleGpoEdges(o.graph, o.tenantId, computers, keep, uncertain, at);
  if (removedEdges) log(`removed ${removedEdges} GPO-derived ADMIN_TO edge(s) no policy grants any more`);
  return {
    tenantId: o.tenantId,
    observedAt: at.toISOString(),
    policiesDirs: policies.policiesDirs,
    gpoFolders: policies.gpos.length,
    files,
    unreadableFolders: policies.gpos.flatMap((g) => (g.unreadable ? [{ folder: g.folder, reason: g.unreadable }] : [])),
    gpoReach: evaluation.gpoReach,
    unknownGpos: evaluation.unknownGpos,
    unresolved: evaluation.unresolved,
    skippedLinks: evaluation.skippedLinks,
    siteLinks: directory.siteLinks,
    computersInScope: evaluation.computersInScope,
    grants: evaluation.grants.length,
    ...written,
    removedEdges,
    directoryNotes: directory.notes,
  };
}

async function removeStaleGpoEdges(
  graph: IdentityGraph,
  tenantId: string,
  computers: string[],
  keep: Set<string>,
  uncertain: Set<string>,
  at: Date,
): Promise<number> {
  let removed = 0;
  let next = 0;
  const worker = async () => {
    while (next < computers.length) {
      const computer = computers[next++]!;
      const incoming = await graph.neighbours(tenantId, computer, { edgeKinds: ["ADMIN_TO"], direction: "in", limit: 10_000 });
      const stale = incoming
        .map((n) => n.edge)
        .filter(
          (e) =>
            e.source.startsWith(GPO_SOURCE_PREFIX) &&
            !uncertain.has(e.source.toUpperCase().replace(/^GPO:/, GPO_SOURCE_PREFIX)) &&
            e.lastSeen.getTime() <= at.getTime() &&
            !keep.has(`${e.from.toUpperCase()} ${e.to.toUpperCase()}`),
        )
        .map((e): EdgeRef => ({ kind: e.kind, from: e.from, to: e.to }));
      if (stale.length === 0) continue;
      // Not `removed += await …`: that reads `removed` before the await and loses the other workers' counts.
      const n = await graph.removeEdges(tenantId, stale);
      removed += n;
    }
  };
  await Promise.all(Array.from({ length: Math.min(RECONCILE_CONCURRENCY, computers.length) }, worker));
  return removed;
}

/** A full LDAP read of the domain, kept in memory: the directory view an import needs. */
export async function readDirectorySnapshots(
  options: Omit<LdapSyncOptions, "stateFile">,
  onProblem?: (p: LdapSyncProblem) => void,
): Promise<Snapshot[]> {
  // A throw-away state file: this read must neither use nor move the watermark of `vigil ldap-sync`.
  const dir = await mkdtemp(join(tmpdir(), "vigil-gpo-ldap-"));
  try {
    const snapshots: Snapshot[] = [];
    const sync = createLdapSync({ ...options, stateFile: join(dir, "state.json") });
    await sync.sync({ full: true, onSnapshot: (s) => void snapshots.push(s), ...(onProblem ? { onProblem } : {}) });
    return snapshots;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
