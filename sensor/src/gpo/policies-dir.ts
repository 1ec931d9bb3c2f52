/**
 * Reads the local-Administrators settings of every GPO under a Policies directory: a copy of
 * `\\<domain>\SYSVOL\<domain>\Policies`, or a DC's own sysvol (`/var/lib/samba/sysvol` on Samba, which
 * holds `<realm>/Policies`). Each `{GUID}` folder is one GPO; its files are
 *
 *   Machine/Microsoft/Windows NT/SecEdit/GptTmpl.inf   (Restricted Groups)
 *   Machine/Preferences/Groups/Groups.xml              (Group Policy Preferences, local groups)
 *
 * Path components are matched case-insensitively: SYSVOL lives on a case-insensitive file system on
 * Windows, and copies (robocopy, smbclient, Samba) keep whatever case each tool wrote ("MACHINE",
 * "Machine"). A file that is too large, not text, or malformed is reported against that file; the
 * GPO's other file and every other GPO are still read. Symbolic links are not followed: a copied
 * Policies directory has none, and following them could read outside it.
 */
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { GpoError, isGpoError } from "./errors.ts";
import { parseGroupPreferences } from "./group-preferences.ts";
import { parseSecurityTemplate } from "./security-template.ts";
import { decodePolicyText } from "./text.ts";
import type { AdminGroupChange, GpoLocalAdminPolicy, PolicyFileKind, PolicyFileReport } from "./types.ts";

/** Options of readGpoPolicies. */
export interface ReadGpoPoliciesOptions {
  /** Largest policy file read (default 16 MiB; real templates are kilobytes, a File Security-heavy one a few MiB). */
  maxFileBytes?: number;
}

/** Everything read from a Policies directory. */
export interface GpoPolicies {
  /** The Policies directories read (one for a Policies copy, one per realm for a sysvol root). */
  policiesDirs: string[];
  /** Every `{GUID}` folder found, with or without Administrators settings, in GUID order. */
  gpos: GpoLocalAdminPolicy[];
  /** Directory entries that are not GPO folders (ignored), relative names. */
  ignored: string[];
}

const GUID_FOLDER = /^\{([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\}$/i;
const FILES: { kind: PolicyFileKind; parts: string[] }[] = [
  { kind: "security-template", parts: ["Machine", "Microsoft", "Windows NT", "SecEdit", "GptTmpl.inf"] },
  { kind: "group-preferences", parts: ["Machine", "Preferences", "Groups", "Groups.xml"] },
];

async function entries(dir: string) {
  return readdir(dir, { withFileTypes: true });
}

/** The entry of `dir` named `name` whatever its case, with its type; undefined when absent. */
async function findEntry(dir: string, name: string): Promise<{ path: string; dir: boolean; file: boolean } | undefined> {
  let list;
  try {
    list = await entries(dir);
  } catch {
    return undefined;
  }
  const lower = name.toLowerCase();
  const hit = list.find((e) => e.name === name) ?? list.find((e) => e.name.toLowerCase() === lower);
  return hit ? { path: join(dir, hit.name), dir: hit.isDirectory(), file: hit.isFile() } : undefined;
}

/** Where the Policies folders are below `root` (itself, `Policies`, or `<realm>/Policies`). */
async function locatePolicies(root: string): Promise<string[]> {
  let list;
  try {
    list = await entries(root);
  } catch (error) {
    throw new GpoError(
      "GPO_DIRECTORY_UNREADABLE",
      `cannot list ${root} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
      {
        cause: error,
      },
    );
  }
  if (list.some((e) => e.isDirectory() && GUID_FOLDER.test(e.name))) return [root];
  const direct = await findEntry(root, "Policies");
  if (direct?.dir) return [direct.path];
  const nested: string[] = [];
  for (const e of list.filter((x) => x.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = await findEntry(join(root, e.name), "Policies");
    if (p?.dir) nested.push(p.path);
  }
  if (nested.length > 0) return nested;
  throw new GpoError(
    "GPO_DIRECTORY_UNREADABLE",
    `${root} holds no GPO folders ({GUID}), no Policies folder and no <realm>/Policies folder: is it a SYSVOL or Policies copy?`,
  );
}

async function readPolicyFile(
  path: string,
  rel: string,
  kind: PolicyFileKind,
  maxBytes: number,
): Promise<{ report: PolicyFileReport; changes: AdminGroupChange[] }> {
  const report: PolicyFileReport = { path: rel, kind, status: "read", notes: [] };
  try {
    const size = (await stat(path)).size;
    if (size > maxBytes) throw new GpoError("GPO_FILE_TOO_LARGE", `${size} bytes, more than the ${maxBytes} accepted: file skipped`);
    const text = decodePolicyText(await readFile(path), rel);
    if (kind === "security-template") {
      const r = parseSecurityTemplate(text);
      report.notes = r.notes;
      return { report, changes: r.change ? [r.change] : [] };
    }
    const r = parseGroupPreferences(text);
    report.notes = r.notes;
    return { report, changes: r.changes };
  } catch (error) {
    const reason = isGpoError(error)
      ? `${error.code}: ${error.message}`
      : `GPO_DIRECTORY_UNREADABLE: cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): file skipped`;
    return { report: { ...report, status: "rejected", reason }, changes: [] };
  }
}

/** Reads one GPO folder's Administrators settings. */
async function readGpoFolder(folder: string, rel: string, guid: string, maxBytes: number): Promise<GpoLocalAdminPolicy> {
  const gpo: GpoLocalAdminPolicy = { guid, folder: rel, changes: [], files: [] };
  try {
    await entries(folder);
  } catch (error) {
    return { ...gpo, unreadable: `cannot list the folder (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})` };
  }
  for (const spec of FILES) {
    let dir = folder;
    let relPath = rel;
    let found: Awaited<ReturnType<typeof findEntry>>;
    for (const [i, part] of spec.parts.entries()) {
      found = await findEntry(dir, part);
      const last = i === spec.parts.length - 1;
      if (!found || (last ? !found.file : !found.dir)) {
        found = undefined;
        break;
      }
      dir = found.path;
      relPath = `${relPath}/${found.path.slice(found.path.lastIndexOf("/") + 1)}`;
    }
    if (!found) continue;
    const { report, changes } = await readPolicyFile(found.path, relPath, spec.kind, maxBytes);
    gpo.files.push(report);
    gpo.changes.push(...changes);
  }
  return gpo;
}

/** Reads every GPO folder below `root`; throws GPO_DIRECTORY_UNREADABLE only when `root` has no Policies at all. */
export async function readGpoPolicies(root: string, options: ReadGpoPoliciesOptions = {}): Promise<GpoPolicies> {
  const maxBytes = options.maxFileBytes ?? 16 * 1024 * 1024;
  const policiesDirs = await locatePolicies(root);
  const gpos: GpoLocalAdminPolicy[] = [];
  const ignored: string[] = [];
  for (const policies of policiesDirs) {
    const prefix = policies === root ? "" : `${policies.slice(root.length).replace(/^[/\\]+/, "")}/`;
    const list = await entries(policies).catch((error: NodeJS.ErrnoException) => {
      throw new GpoError("GPO_DIRECTORY_UNREADABLE", `cannot list ${policies} (${error.code ?? error.message})`, { cause: error });
    });
    for (const e of list) {
      const m = GUID_FOLDER.exec(e.name);
      if (!m || !e.isDirectory()) {
        ignored.push(`${prefix}${e.name}`);
        continue;
      }
      gpos.push(await readGpoFolder(join(policies, e.name), `${prefix}${e.name}`, m[1]!.toUpperCase(), maxBytes));
    }
  }
  gpos.sort((a, b) => a.guid.localeCompare(b.guid) || a.folder.localeCompare(b.folder));
  return { policiesDirs, gpos, ignored };
}
