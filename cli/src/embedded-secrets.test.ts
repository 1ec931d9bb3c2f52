import { mkdtemp, readFile, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { embeddedSecretsFile, loadOrCreateEmbeddedSecretsKey } from "./embedded-secrets.ts";

const freshDir = () => mkdtemp(join(tmpdir(), "vigil-secrets-"));

describe("embedded secrets key (vigil start without VIGIL_SECRETS_KEY)", () => {
  it("creates a 32-byte base64url key readable only by the owner, then returns the same key", async () => {
    const dir = await freshDir();
    const key = await loadOrCreateEmbeddedSecretsKey(dir);
    expect(key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(key, "base64url").byteLength).toBe(32);
    expect((await stat(embeddedSecretsFile(dir))).mode & 0o777).toBe(0o600);
    expect(await loadOrCreateEmbeddedSecretsKey(dir)).toBe(key);
  });

  it("two concurrent first starts agree on one key", async () => {
    const dir = await freshDir();
    const [a, b] = await Promise.all([loadOrCreateEmbeddedSecretsKey(dir), loadOrCreateEmbeddedSecretsKey(dir)]);
    expect(a).toBe(b);
    expect((await readFile(embeddedSecretsFile(dir), "utf8")).trim()).toBe(a);
  });

  it("refuses a damaged key file instead of replacing it (replacing would orphan stored credentials silently)", async () => {
    const dir = await freshDir();
    await writeFile(embeddedSecretsFile(dir), "not-a-key\n");
    await expect(loadOrCreateEmbeddedSecretsKey(dir)).rejects.toThrow(/does not hold a 32-byte base64url key/);
    expect((await readFile(embeddedSecretsFile(dir), "utf8")).trim()).toBe("not-a-key");
  });
});
