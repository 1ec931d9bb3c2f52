import type { AuthOptions } from "@vigil/api";
import { StartupError } from "./adapters.ts";
import type { VigilEnv } from "./env.ts";

/** Token verification from env: a JWKS URL in production, an HS256 secret for development. */
export function authFromEnv(env: VigilEnv, fallbackSecret?: string): AuthOptions {
  const common = { issuer: env.VIGIL_JWT_ISSUER, audience: env.VIGIL_JWT_AUDIENCE };
  if (env.VIGIL_JWKS_URL) return { ...common, keys: { kind: "jwks-url", url: env.VIGIL_JWKS_URL } };
  const secret = env.VIGIL_JWT_SECRET ?? fallbackSecret;
  if (secret) return { ...common, keys: { kind: "secret", secret } };
  throw new StartupError(["VIGIL_JWKS_URL / VIGIL_JWT_SECRET: the API needs one of them to verify tokens"]);
}
