import { parseArgs } from "node:util";
import { isSharpHoundError } from "@vigil/sensor";
import { tokenId } from "@vigil/sensor/contract";
import { importSharpHound, type ImportSharpHoundSummary } from "../import/sharphound-import.ts";
import { openConfiguredGraph } from "../import/open-graph.ts";
import { runGpoImport } from "../import/gpo-command.ts";
import { UsageError, type CommandContext } from "./command.ts";

const USAGE = "vigil import sharphound --tenant TENANT [--collected-at ISO-8601] FILE.zip";
/** Problems printed one per line; a badly damaged archive would otherwise bury the summary. */
const PROBLEM_LINES = 20;

function parse(args: string[]) {
  const [source, ...rest] = args;
  if (source !== "sharphound")
    throw new UsageError(`unknown import source ${JSON.stringify(source ?? "")}; usage: ${USAGE}, or vigil import gpo --tenant TENANT DIR`);
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      allowPositionals: true,
      options: { tenant: { type: "string" }, "collected-at": { type: "string" } },
    });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}; usage: ${USAGE}`);
  }
  const { values, positionals } = parsed;
  // Tenancy is never optional: an import without a tenant would have nowhere legitimate to go.
  const tenant = tokenId.safeParse(values.tenant);
  if (!tenant.success) throw new UsageError(`--tenant is required and must be a tenant id (letters, digits, - and _); usage: ${USAGE}`);
  if (positionals.length !== 1) throw new UsageError(`exactly one FILE.zip expected; usage: ${USAGE}`);
  let collectedAt: Date | undefined;
  if (values["collected-at"] !== undefined) {
    collectedAt = new Date(values["collected-at"]);
    if (Number.isNaN(collectedAt.getTime())) throw new UsageError(`--collected-at must be an ISO-8601 time; usage: ${USAGE}`);
  }
  return { tenantId: tenant.data, path: positionals[0]!, collectedAt };
}

function report(summary: ImportSharpHoundSummary, log: (line: string) => void): void {
  const { objects, edges, skippedEdges } = summary;
  log(
    `imported into tenant ${summary.tenantId}: ${summary.nodes} node(s) (${objects.users} users, ${objects.computers} computers, ` +
      `${objects.groups} groups, ${objects.domains} domains) and ${summary.stubNodes} referenced-only node(s); observed at ${summary.collectedAt} (${summary.collectedAtFrom})`,
  );
  log(
    `edges written: ${Object.entries(edges)
      .map(([k, n]) => `${k} ${n}`)
      .join(", ")}`,
  );
  const skipped = Object.entries(skippedEdges).filter(([, n]) => n > 0);
  if (skipped.length)
    log(`edges skipped (endpoint missing or of a kind the edge does not allow): ${skipped.map(([k, n]) => `${k} ${n}`).join(", ")}`);
  for (const r of summary.refusedNodes.slice(0, PROBLEM_LINES)) log(`node ${r.objectId} (${r.kind}) refused: ${r.reason}`);
  for (const [reason, n] of Object.entries(summary.ignored)) log(`ignored: ${n} ${reason}`);
  for (const p of summary.problems.slice(0, PROBLEM_LINES))
    log(`problem: ${p.entry}${p.index !== undefined ? `[${p.index}]` : ""}: ${p.reason}`);
  if (summary.problems.length > PROBLEM_LINES) log(`… ${summary.problems.length - PROBLEM_LINES} more problem(s), all in the JSON summary`);
}

/**
 * `vigil import sharphound --tenant T FILE.zip`: a SharpHound / BloodHound CE collection into the
 * tenant's identity graph (Neo4j when NEO4J_URI is set, else the embedded graph). Progress and a
 * readable summary go to stderr, the full summary as one JSON line to stdout. Exit 0 when the archive
 * was read (damaged members are reported and skipped), 1 when it could not be read at all.
 */
export async function run({ env, args, log, out }: CommandContext): Promise<number> {
  if (args[0] === "gpo") return runGpoImport({ env, args: args.slice(1), log, out });
  const { tenantId, path, collectedAt } = parse(args);
  const opened = await openConfiguredGraph(env);
  log(`importing ${path} into tenant ${tenantId} (${opened.describe})`);
  try {
    const summary = await importSharpHound({ path, graph: opened.graph, tenantId, ...(collectedAt ? { collectedAt } : {}), log });
    report(summary, log);
    out(JSON.stringify(summary));
    return 0;
  } catch (error) {
    if (!isSharpHoundError(error)) throw error;
    log(`cannot import: ${error.message}`);
    return 1;
  } finally {
    await opened.close();
  }
}
