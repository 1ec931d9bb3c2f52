/**
 * `vigil import gpo --tenant T [--observed-at ISO] DIR`: GPO local administrators into the tenant's
 * identity graph. DIR is a copy of `\\<domain>\SYSVOL\<domain>\Policies` (or of SYSVOL itself), or on
 * a Samba DC its own sysvol (`/var/lib/samba/sysvol`). Where the GPOs are linked, and which computers
 * sit below those links, comes from a full LDAP read of the domain with the directory-service
 * credential of `vigil ldap-sync` (VIGIL_LDAP_URL, VIGIL_LDAP_BIND_DN, VIGIL_LDAP_PASSWORD, optional
 * VIGIL_LDAP_BASE_DN and VIGIL_LDAP_CA_FILE); its USN state is left alone.
 *
 * Progress and a readable summary go to stderr, the full summary as one JSON line to stdout. Exit 0
 * when the policies were read (damaged files are reported and skipped), 1 when DIR holds no Policies
 * or the directory could not be read.
 */
import { parseArgs } from "node:util";
import { isGpoError, isLdapSyncError } from "@vigil/sensor";
import { tokenId } from "@vigil/sensor/contract";
import { StartupError } from "../adapters.ts";
import { ldapConnectionFromEnv } from "../ldap-env.ts";
import { UsageError, type CommandContext } from "../commands/command.ts";
import { importGpoLocalAdmins, readDirectorySnapshots, type ImportGpoSummary } from "./gpo-import.ts";
import { openConfiguredGraph } from "./open-graph.ts";

const USAGE = "vigil import gpo --tenant TENANT [--observed-at ISO-8601] POLICIES-OR-SYSVOL-DIR";
/** Problems printed one per line; the JSON summary has them all. */
const PROBLEM_LINES = 20;

function parse(args: string[]) {
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, options: { tenant: { type: "string" }, "observed-at": { type: "string" } } });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}; usage: ${USAGE}`);
  }
  const { values, positionals } = parsed;
  const tenant = tokenId.safeParse(values.tenant);
  if (!tenant.success) throw new UsageError(`--tenant is required and must be a tenant id (letters, digits, - and _); usage: ${USAGE}`);
  if (positionals.length !== 1) throw new UsageError(`exactly one directory expected; usage: ${USAGE}`);
  let observedAt: Date | undefined;
  if (values["observed-at"] !== undefined) {
    observedAt = new Date(values["observed-at"]);
    if (Number.isNaN(observedAt.getTime())) throw new UsageError(`--observed-at must be an ISO-8601 time; usage: ${USAGE}`);
  }
  return { tenantId: tenant.data, path: positionals[0]!, observedAt };
}

function report(s: ImportGpoSummary, log: (line: string) => void): void {
  log(
    `tenant ${s.tenantId}: ${s.gpoFolders} GPO folder(s), ${s.grants} local-admin grant(s) on ${s.computersInScope} computer(s); ` +
      `ADMIN_TO written ${s.edges.ADMIN_TO}, skipped ${s.skippedEdges.ADMIN_TO}, removed ${s.removedEdges}; observed at ${s.observedAt}`,
  );
  for (const g of s.gpoReach) log(`GPO ${g.guid}${g.displayName ? ` (${g.displayName})` : ""}: applies to ${g.computers} computer(s)`);
  const lines = [
    ...s.unreadableFolders.map((f) => `GPO folder ${f.folder}: ${f.reason}`),
    ...s.files.filter((f) => f.status === "rejected").map((f) => `file ${f.path}: ${f.reason}`),
    ...s.files.flatMap((f) => f.notes.map((n) => `file ${f.path}: ${n}`)),
    ...s.unknownGpos.map((g) => `GPO folder ${g} has Administrators settings but no GPO object in the directory; not applied`),
    ...s.unresolved.map((u) => `GPO ${u.gpoGuid}: member ${u.member}: ${u.reason}`),
    ...s.skippedLinks.map((l) => `link ${l.gpo} on ${l.container}: ${l.reason}`),
    ...(s.siteLinks ? [`${s.siteLinks} GPO link(s) on sites not placed (a computer's site is not in the directory)`] : []),
    ...s.directoryNotes,
  ];
  for (const line of lines.slice(0, PROBLEM_LINES)) log(line);
  if (lines.length > PROBLEM_LINES) log(`… ${lines.length - PROBLEM_LINES} more line(s), all in the JSON summary`);
}

/** Runs `vigil import gpo …` (args after `gpo`). */
export async function runGpoImport({ env, args, log, out }: CommandContext): Promise<number> {
  const { tenantId, path, observedAt } = parse(args);
  const missing = (["VIGIL_LDAP_URL", "VIGIL_LDAP_BIND_DN", "VIGIL_LDAP_PASSWORD"] as const).filter((n) => !env[n]);
  if (missing.length > 0)
    throw new StartupError(missing.map((n) => `${n}: required for vigil import gpo (GPO links and computers come from LDAP)`));
  const connection = await ldapConnectionFromEnv(env);
  let snapshots;
  try {
    log(`reading the directory from ${env.VIGIL_LDAP_URL}`);
    snapshots = await readDirectorySnapshots(
      {
        ...connection,
        tenantId,
        sensorId: "gpo-import",
      },
      (p) => log(`ldap problem: ${p.dn ?? ""}${p.attribute ? ` ${p.attribute}` : ""}: ${p.reason}`),
    );
  } catch (error) {
    if (!isLdapSyncError(error)) throw error;
    log(`cannot read the directory: ${error.code}: ${error.message}`);
    return 1;
  }
  const opened = await openConfiguredGraph(env);
  log(`importing GPO local administrators from ${path} into tenant ${tenantId} (${opened.describe})`);
  try {
    const summary = await importGpoLocalAdmins({
      path,
      graph: opened.graph,
      tenantId,
      snapshots,
      ...(observedAt ? { observedAt } : {}),
      log,
    });
    report(summary, log);
    out(JSON.stringify(summary));
    return 0;
  } catch (error) {
    if (!isGpoError(error)) throw error;
    log(`cannot import: ${error.message}`);
    return 1;
  } finally {
    await opened.close();
  }
}
