/**
 * The LDAP sync's memory between runs, one small JSON file: which DC and partition it read, the
 * DC's highestCommittedUSN when the last sync began (the next one asks for uSNChanged above it),
 * and every objectId it has emitted (so a full pass can tell which objects disappeared).
 *
 * USNs are per DC: a state from another DC (other dsServiceName) or a DC whose USN went backwards
 * (restored from backup) is not used, and the sync does a full pass instead.
 */
import { mkdir, open, readFile, rename } from "node:fs/promises";
import { dirname } from "node:path";
import { z } from "zod";
import { LdapSyncError } from "./errors.ts";

const objectTypes = z.enum(["user", "computer", "group", "domain", "ou", "gpo", "trust", "site", "subnet"]);

const stateSchema = z
  .object({
    version: z.literal(1),
    /** The DC's NTDS Settings DN (rootDSE dsServiceName): USNs only compare on the same DC. */
    dsServiceName: z.string().min(1),
    baseDn: z.string().min(1),
    highestUsn: z.number().int().nonnegative(),
    /** When the last sync finished (ISO); past the tombstone lifetime, deletions may be missed. */
    syncedAt: z.iso.datetime(),
    /** objectId → [objectType, dn] of every object the last syncs emitted and did not see deleted. */
    known: z.record(z.string(), z.tuple([objectTypes, z.string()])),
  })
  .strict();

/** The persisted sync state. */
export type SyncState = z.infer<typeof stateSchema>;

/** Reads the state; `undefined` when there is none, `{ problem }` when the file is unusable (a full pass follows). */
export async function loadState(path: string): Promise<SyncState | { problem: string } | undefined> {
  let raw: string;
  try {
    raw = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    return { problem: `cannot read sync state ${path}: ${(error as Error).message}` };
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (error) {
    return { problem: `sync state ${path} is not JSON (${(error as Error).message})` };
  }
  const parsed = stateSchema.safeParse(json);
  if (!parsed.success)
    return { problem: `sync state ${path} is invalid: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}` };
  return parsed.data;
}

/** Writes the state atomically (temp file, fsync, rename), so a crash leaves the old or the new one. */
export async function saveState(path: string, state: SyncState): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    await mkdir(dirname(path), { recursive: true });
    const file = await open(tmp, "w");
    try {
      await file.writeFile(JSON.stringify(state));
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(tmp, path);
  } catch (error) {
    throw new LdapSyncError("LDAP_STATE_WRITE_FAILED", `cannot write LDAP sync state ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}
