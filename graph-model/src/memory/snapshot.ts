/**
 * Snapshot file for the embedded graph, so `vigil start` keeps its graph across restarts. One JSON
 * document holding graphology's own serialisation per tenant. Writes are atomic (temp file in the same
 * directory, fsync, rename): a crash mid-write leaves the previous snapshot intact, never half a file.
 */
import { randomBytes } from "node:crypto";
import { mkdir, open, readFile, rename, rm } from "node:fs/promises";
import { dirname, basename, join } from "node:path";
import { GraphError } from "../errors.ts";
import { isEdgeKind, isNodeKind } from "../schema.ts";
import { newTenantGraph, type TenantGraph } from "./tenant-graph.ts";

const FORMAT = "vigil-identity-graph";
const VERSION = 1;

interface SnapshotDoc {
  format: typeof FORMAT;
  version: typeof VERSION;
  savedAt: string;
  tenants: Record<string, ReturnType<TenantGraph["export"]>>;
}

/** Serialises synchronously (a consistent cut of every tenant), then writes atomically. */
export async function writeSnapshot(file: string, tenants: ReadonlyMap<string, TenantGraph>, now: Date): Promise<void> {
  const doc: SnapshotDoc = { format: FORMAT, version: VERSION, savedAt: now.toISOString(), tenants: {} };
  for (const [tenantId, g] of tenants) doc.tenants[tenantId] = g.export();
  const text = JSON.stringify(doc);

  const dir = dirname(file);
  await mkdir(dir, { recursive: true });
  const tmp = join(dir, `.${basename(file)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  try {
    const fh = await open(tmp, "w", 0o600);
    try {
      await fh.writeFile(text, "utf8");
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/** Reads a snapshot; null when the file does not exist (first start), GRAPH_SNAPSHOT_INVALID when unreadable. */
export async function readSnapshot(file: string): Promise<Map<string, TenantGraph> | null> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw err;
  }
  const bad = (why: string, cause?: unknown) => new GraphError("GRAPH_SNAPSHOT_INVALID", `${file}: ${why}`, { cause });
  let doc: Partial<SnapshotDoc>;
  try {
    doc = JSON.parse(text) as Partial<SnapshotDoc>;
  } catch (err) {
    throw bad("not JSON", err);
  }
  if (doc?.format !== FORMAT) throw bad(`not a ${FORMAT} snapshot`);
  if (doc.version !== VERSION) throw bad(`snapshot version ${String(doc.version)}, expected ${VERSION}`);
  if (typeof doc.tenants !== "object" || doc.tenants === null) throw bad("missing tenants");

  const tenants = new Map<string, TenantGraph>();
  for (const [tenantId, serialized] of Object.entries(doc.tenants)) {
    const g = newTenantGraph();
    try {
      g.import(serialized);
    } catch (err) {
      throw bad(`tenant ${tenantId}: ${(err as Error).message}`, err);
    }
    assertShape(g, tenantId, bad);
    tenants.set(tenantId, g);
  }
  return tenants;
}

/** A snapshot written by a build with other kinds must not leak unknown kinds into queries. */
function assertShape(g: TenantGraph, tenantId: string, bad: (why: string) => GraphError): void {
  g.forEachNode((key, a) => {
    if (!isNodeKind(a.kind) || a.objectId !== key) throw bad(`tenant ${tenantId}: bad node ${key}`);
  });
  g.forEachEdge((key, a) => {
    if (!isEdgeKind(a.kind) || !Number.isFinite(a.firstSeen) || !Number.isFinite(a.lastSeen))
      throw bad(`tenant ${tenantId}: bad edge ${key}`);
  });
}
