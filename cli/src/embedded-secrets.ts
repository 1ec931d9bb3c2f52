import { randomBytes } from "node:crypto";
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";

/** Where `vigil start` keeps its generated secrets key when VIGIL_SECRETS_KEY is not set. */
export const embeddedSecretsFile = (dataDir: string) => join(dataDir, "secrets.key");

const VALID = /^[A-Za-z0-9_-]{43}$/;

/**
 * The key `vigil start` encrypts directory-service credentials with when the operator set none: read from
 * the data directory, or created there once (mode 0600). Without it the credential mutations of a first look
 * answered NOT_CONFIGURED; losing the file only makes the stored credentials unreadable, never readable.
 */
export async function loadOrCreateEmbeddedSecretsKey(dataDir: string): Promise<string> {
  const file = embeddedSecretsFile(dataDir);
  try {
    const key = (await readFile(file, "utf8")).trim();
    if (!VALID.test(key) || Buffer.from(key, "base64url").byteLength !== 32) {
      throw new Error(
        `${file} does not hold a 32-byte base64url key; remove it to have a new one made (stored credentials become unreadable)`,
      );
    }
    return key;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  const key = randomBytes(32).toString("base64url");
  await mkdir(dirname(file), { recursive: true });
  // "wx": two processes starting at once must not overwrite each other's key.
  try {
    await writeFile(file, `${key}\n`, { mode: 0o600, flag: "wx" });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return loadOrCreateEmbeddedSecretsKey(dataDir);
    throw error;
  }
  await chmod(file, 0o600);
  return key;
}
