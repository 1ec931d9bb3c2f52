import { open, readFile } from "node:fs/promises";
import { join } from "node:path";
import { SensorError } from "./errors.ts";
import { removeFile } from "./spool-format.ts";

const LOCK_FILE = "lock";

/**
 * Takes the spool directory for this process. Two sensors appending to one spool would interleave
 * frames and break the order guarantee, so a second one is refused; a lock left by a process that
 * no longer runs (a crash) is taken over.
 */
export async function lockSpoolDir(dir: string): Promise<() => Promise<void>> {
  const path = join(dir, LOCK_FILE);
  for (let attempt = 0; ; attempt++) {
    try {
      const fh = await open(path, "wx");
      await fh.writeFile(String(process.pid));
      await fh.close();
      return () => removeFile(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const holder = Number((await readFile(path, "utf8").catch(() => "")).trim());
    if (attempt === 0 && !isRunning(holder)) {
      await removeFile(path);
      continue;
    }
    throw new SensorError(
      "SENSOR_SPOOL_LOCKED",
      `spool ${dir} is in use by ${holder === process.pid ? "another publisher in this process" : `process ${holder}`}; one sensor per spool directory`,
    );
  }
}

function isRunning(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else, so it is running.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
