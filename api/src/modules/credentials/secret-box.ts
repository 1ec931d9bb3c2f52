import { createHash } from "node:crypto";
import { CompactEncrypt, compactDecrypt } from "jose";

/** Where a secret belongs; bound into the JWE's protected header so a row copied elsewhere will not open. */
export interface SecretBinding {
  tenantId: string;
  credentialId: string;
}

/** Encrypts directory-service passwords at rest (JWE compact, dir + A256GCM, key from the deployment). */
export interface SecretBox {
  seal(plaintext: string, binding: SecretBinding): Promise<string>;
  open(jwe: string, binding: SecretBinding): Promise<string>;
}

const KEY_BYTES = 32;

/**
 * The key is 32 bytes (base64url or base64 text, as `VIGIL_SECRETS_KEY` holds it, or raw bytes). The
 * header names the key by a short hash (`kid`) so a later key rotation can tell which key sealed a
 * row; the tenant and credential id ride in the protected header, which A256GCM authenticates.
 */
export function createSecretBox(key: Uint8Array | string): SecretBox {
  const bytes = typeof key === "string" ? Buffer.from(key, "base64url") : key;
  if (bytes.byteLength !== KEY_BYTES) throw new Error(`the secrets key must be ${KEY_BYTES} bytes (base64url-encoded)`);
  const kid = createHash("sha256").update(bytes).digest("hex").slice(0, 16);
  return {
    async seal(plaintext, binding) {
      return new CompactEncrypt(new TextEncoder().encode(plaintext))
        .setProtectedHeader({ alg: "dir", enc: "A256GCM", kid, "vigil.tenant": binding.tenantId, "vigil.cred": binding.credentialId })
        .encrypt(bytes);
    },
    async open(jwe, binding) {
      const { plaintext, protectedHeader } = await compactDecrypt(jwe, bytes, {
        keyManagementAlgorithms: ["dir"],
        contentEncryptionAlgorithms: ["A256GCM"],
      });
      if (protectedHeader["vigil.tenant"] !== binding.tenantId || protectedHeader["vigil.cred"] !== binding.credentialId) {
        throw new Error("sealed secret belongs to another credential");
      }
      return new TextDecoder().decode(plaintext);
    },
  };
}
