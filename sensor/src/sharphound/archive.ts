/**
 * Reads the JSON members of a collection zip with the limits an uploaded archive needs. A zip is
 * whatever the person who made it wanted it to be, so nothing its headers claim is trusted:
 *
 * - names are checked (absolute paths, `..` segments, drive letters) and such entries skipped: the
 *   archive is never extracted to disk, but a name that climbs out of it marks a crafted archive;
 * - the inflated bytes are counted as they stream and a member is abandoned as soon as it passes the
 *   per-entry cap or (past 1 MiB) an absurd compression ratio, whatever size its header declared;
 *   deflate tops out near 1:1032, JSON text at roughly 1:20, so 1:200 is far outside real collections;
 * - the total inflated size and the number of members are capped, so overlapping-member bombs stop too.
 *
 * Each bad member is reported and skipped; the others are still read. Only an unreadable archive
 * (not a zip, truncated, central directory damaged) throws.
 */
import { open, type FileHandle } from "node:fs/promises";
import { listZipMembers, readZipMember, ZipError, type ZipMember } from "../windows/input/zip.ts";
import { SharpHoundError } from "./errors.ts";
import type { CollectionProblem } from "./types.ts";

/** Bounds on what an archive may make the reader inflate. */
export interface ArchiveLimits {
  /** Largest inflated member accepted. Default 512 MiB (V8 strings stop near 1 GiB; JSON.parse needs the text whole). */
  maxEntryBytes?: number;
  /** Largest inflated total across members. Default 4 GiB. */
  maxTotalBytes?: number;
  /** Largest inflated/compressed ratio of a member past 1 MiB. Default 200. */
  maxRatio?: number;
  /** Most members listed. Default 10 000 (a collection has a dozen). */
  maxEntries?: number;
}

/** A member's inflated bytes. */
export interface ArchiveEntry {
  name: string;
  bytes: Buffer;
}

const RATIO_FLOOR = 1024 * 1024;

/** Why a member name may not be used, or undefined when it is a plain relative path. */
export function unsafeEntryName(name: string): string | undefined {
  if (name.includes("\0")) return "entry name contains a NUL byte";
  const path = name.replace(/\\/g, "/");
  if (path.startsWith("/") || /^[a-zA-Z]:/.test(path)) return "entry name is an absolute path";
  if (path.split("/").some((segment) => segment === "..")) return "entry name points outside the archive (`..`)";
  return undefined;
}

/**
 * Yields the inflated `.json` members of the zip at `path`, in archive order. Directories are passed
 * over; other files, unsafe names and members breaking a limit go to `onProblem`.
 */
export async function* readJsonEntries(
  path: string,
  limits: ArchiveLimits,
  onProblem: (p: CollectionProblem) => void,
): AsyncGenerator<ArchiveEntry> {
  const maxEntry = limits.maxEntryBytes ?? 512 * 1024 * 1024;
  const maxTotal = limits.maxTotalBytes ?? 4 * 1024 * 1024 * 1024;
  const maxRatio = limits.maxRatio ?? 200;
  const maxEntries = limits.maxEntries ?? 10_000;
  const file = await open(path, "r").catch((error: NodeJS.ErrnoException) => {
    throw new SharpHoundError("SHARPHOUND_UNREADABLE", `cannot open ${path}: ${error.code ?? error.message}`, { cause: error });
  });
  try {
    const size = (await file.stat()).size;
    let members: ZipMember[];
    try {
      members = await listZipMembers(file, size);
    } catch (error) {
      if (error instanceof ZipError) throw new SharpHoundError("SHARPHOUND_NOT_ZIP", `${path} is not a readable zip: ${error.message}`);
      throw error;
    }
    if (members.length > maxEntries)
      throw new SharpHoundError("SHARPHOUND_LIMIT", `${path} lists ${members.length} members, more than the ${maxEntries} allowed`);
    let total = 0;
    for (const member of members) {
      if (member.name.endsWith("/")) continue;
      const unsafe = unsafeEntryName(member.name);
      if (unsafe) {
        onProblem({ entry: member.name, reason: `${unsafe}: skipped` });
        continue;
      }
      if (!member.name.toLowerCase().endsWith(".json")) {
        onProblem({ entry: member.name, reason: "not a .json file: skipped" });
        continue;
      }
      const budget = Math.min(maxEntry, maxTotal - total);
      const refuse = declaredRefusal(member, budget, maxRatio);
      if (refuse) {
        onProblem({ entry: member.name, reason: `${refuse}: skipped` });
        continue;
      }
      const read = await inflate(path, file, member, budget, maxRatio);
      total += read.inflated;
      if ("refused" in read) onProblem({ entry: member.name, reason: `${read.refused}: skipped` });
      else yield { name: member.name, bytes: read.bytes };
    }
  } finally {
    await file.close();
  }
}

/** Refuses on the declared sizes first, so an honest oversized member costs no inflation at all. */
function declaredRefusal(member: ZipMember, budget: number, maxRatio: number): string | undefined {
  if (member.size > budget) return `declares ${member.size} bytes, more than the ${budget} allowed`;
  if (member.size > RATIO_FLOOR && member.size > member.compressedSize * maxRatio)
    return `declares a compression ratio above 1:${maxRatio} (zip bomb?)`;
  return undefined;
}

type Inflated = { bytes: Buffer; inflated: number } | { refused: string; inflated: number };

/** Inflates one member, counting real bytes against the limits (headers may lie). */
async function inflate(path: string, file: FileHandle, member: ZipMember, budget: number, maxRatio: number): Promise<Inflated> {
  const chunks: Uint8Array[] = [];
  let inflated = 0;
  try {
    for await (const chunk of readZipMember(path, file, member, () => {})) {
      inflated += chunk.length;
      if (inflated > budget) return { refused: `inflates past the ${budget} bytes allowed`, inflated };
      if (inflated > RATIO_FLOOR && inflated > member.compressedSize * maxRatio)
        return { refused: `inflates beyond a 1:${maxRatio} ratio (zip bomb?)`, inflated };
      chunks.push(chunk);
    }
  } catch (error) {
    if (error instanceof ZipError) return { refused: error.message, inflated };
    throw error;
  }
  return { bytes: Buffer.concat(chunks), inflated };
}
