/**
 * A whole collection archive → one SharpHoundCollection. The archive is read member by member
 * (archive.ts) and each member parsed on its own (parse.ts), so a damaged member costs only itself.
 */
import { readJsonEntries, type ArchiveLimits } from "./archive.ts";
import { SharpHoundError } from "./errors.ts";
import { parseCollectionFile } from "./parse.ts";
import type { CollectionFile, SharpHoundCollection } from "./types.ts";

/** Options of readSharpHoundCollection. */
export interface ReadCollectionOptions extends ArchiveLimits {
  /** Called after each member is parsed (for progress lines). */
  onFile?: (file: CollectionFile) => void;
}

/**
 * Reads a SharpHound / BloodHound CE collection zip. Throws SharpHoundError when the archive cannot be
 * read or holds no collection file it accepts; every other problem is listed in `problems`.
 */
export async function readSharpHoundCollection(path: string, options: ReadCollectionOptions = {}): Promise<SharpHoundCollection> {
  const collection: SharpHoundCollection = { users: [], computers: [], groups: [], domains: [], gpoChanges: [], files: [], problems: [] };
  for await (const entry of readJsonEntries(path, options, (p) => collection.problems.push(p))) {
    const parsed = parseCollectionFile(entry.name, entry.bytes);
    collection.problems.push(...parsed.problems);
    options.onFile?.(parsed.file);
    if (!parsed.accepted) continue;
    collection.files.push(parsed.file);
    collection.users.push(...parsed.users);
    collection.computers.push(...parsed.computers);
    collection.groups.push(...parsed.groups);
    collection.domains.push(...parsed.domains);
    collection.gpoChanges!.push(...parsed.gpoChanges);
  }
  if (collection.files.length === 0) {
    const why = collection.problems.map((p) => `${p.entry}: ${p.reason}`).join("; ");
    throw new SharpHoundError("SHARPHOUND_EMPTY", `${path} holds no SharpHound collection file${why ? ` (${why})` : ""}`);
  }
  return collection;
}
