/**
 * `vigil import sharphound` end to end: read the archive (sensor), plan the writes, write them
 * (graph port), summarise. The command only parses arguments and opens the graph.
 *
 * When was it observed? SharpHound's `meta` carries no timestamp and zip member times are local
 * time without a zone, so the edges' lastSeen is the archive file's modification time (when
 * SharpHound finished writing it, if the file was copied with its times kept), unless the operator
 * states the collection time. Session expiry ages imported sessions from that time.
 */
import { stat } from "node:fs/promises";
import type { IdentityGraph } from "@vigil/graph-model";
import { readSharpHoundCollection, type CollectionFile, type CollectionProblem } from "@vigil/sensor";
import { planSharpHoundImport } from "./sharphound-plan.ts";
import { writeImportPlan, type WriteSummary } from "./sharphound-loader.ts";

/** Options of importSharpHound. */
export interface ImportSharpHoundOptions {
  path: string;
  graph: IdentityGraph;
  tenantId: string;
  /** Observation time of every imported edge; default the archive's modification time. */
  collectedAt?: Date;
  batchSize?: number;
  /** Archive limits (see sensor's ArchiveLimits); defaults suit real collections. */
  maxEntryBytes?: number;
  maxTotalBytes?: number;
  log?: (line: string) => void;
}

/** Everything an operator needs to judge an import. */
export interface ImportSharpHoundSummary extends WriteSummary {
  tenantId: string;
  collectedAt: string;
  collectedAtFrom: "option" | "archive modification time";
  files: CollectionFile[];
  objects: { users: number; computers: number; groups: number; domains: number };
  ignored: Record<string, number>;
  problems: CollectionProblem[];
}

/** Imports one collection archive into a tenant's graph. Throws SharpHoundError for an unreadable archive. */
export async function importSharpHound(options: ImportSharpHoundOptions): Promise<ImportSharpHoundSummary> {
  const log = options.log ?? (() => {});
  const collectedAt = options.collectedAt ?? (await stat(options.path)).mtime;
  const collection = await readSharpHoundCollection(options.path, {
    ...(options.maxEntryBytes !== undefined ? { maxEntryBytes: options.maxEntryBytes } : {}),
    ...(options.maxTotalBytes !== undefined ? { maxTotalBytes: options.maxTotalBytes } : {}),
    onFile: (f) =>
      log(`read ${f.entry}: ${f.type || "?"} v${f.version}, ${f.objects} object(s)${f.rejected ? `, ${f.rejected} rejected` : ""}`),
  });
  const plan = planSharpHoundImport(collection, collectedAt);
  log(`writing ${plan.nodes.length} node(s), ${plan.stubs.length} referenced-only node(s), ${plan.edges.length} edge(s)`);
  const written = await writeImportPlan(plan, {
    graph: options.graph,
    tenantId: options.tenantId,
    log,
    ...(options.batchSize ? { batchSize: options.batchSize } : {}),
  });
  return {
    tenantId: options.tenantId,
    collectedAt: collectedAt.toISOString(),
    collectedAtFrom: options.collectedAt ? "option" : "archive modification time",
    files: collection.files,
    objects: {
      users: collection.users.length,
      computers: collection.computers.length,
      groups: collection.groups.length,
      domains: collection.domains.length,
    },
    ...written,
    ignored: plan.ignored,
    problems: collection.problems,
  };
}
