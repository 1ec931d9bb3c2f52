import { createHash, randomBytes } from "node:crypto";

/** A freshly issued sensor key; `key` is shown to the admin once and never stored. */
export interface IssuedSensorKey {
  key: string;
  keyPrefix: string;
  keyHash: string;
}

const KEY_MARKER = "vgl_";
const PREFIX_LENGTH = 12;

/**
 * 32 random bytes behind a recognizable marker (so secret scanners can spot leaked keys). Stored as
 * sha256: with 256 bits of entropy there is nothing to brute-force, so a slow hash (scrypt) would
 * only cost CPU on every sensor connection. The first 12 characters are stored in clear to let
 * admins and the key check tell keys apart.
 */
export function issueSensorKey(): IssuedSensorKey {
  const key = `${KEY_MARKER}${randomBytes(32).toString("base64url")}`;
  return { key, keyPrefix: key.slice(0, PREFIX_LENGTH), keyHash: hashSensorKey(key) };
}

/** The stored form of a key: lowercase hex sha256 of the whole key string. */
export function hashSensorKey(key: string): string {
  return createHash("sha256").update(key, "utf8").digest("hex");
}
