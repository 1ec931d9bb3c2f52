import { SignJWT } from "jose";
import { ROLES_CLAIM, TENANT_CLAIM } from "./claims.ts";
import type { PLATFORM_OPERATOR, Role } from "./viewer.ts";

/** Issuer and audience `vigil start` uses for its HS256 dev tokens. */
export const DEV_ISSUER = "vigil-dev";
export const DEV_AUDIENCE = "vigil-api";

/** Options of {@link createDevToken}; only the secret, tenant and role are required. */
export interface DevTokenOptions {
  secret: string | Uint8Array;
  /** Required for tenant roles; a platform-operator token may name none. */
  tenantId?: string;
  role: Role | typeof PLATFORM_OPERATOR;
  subject?: string;
  issuer?: string;
  audience?: string;
  /** Lifetime as a jose time span ("8h", "30m") or absolute seconds since epoch; default "8h". */
  expiresIn?: string | number;
}

/** Signs an HS256 token the dev verifier (`keys: { kind: "secret" }`) accepts. */
export async function createDevToken(options: DevTokenOptions): Promise<string> {
  const secret = typeof options.secret === "string" ? new TextEncoder().encode(options.secret) : options.secret;
  const tenant = options.tenantId === undefined ? {} : { [TENANT_CLAIM]: options.tenantId };
  return new SignJWT({ ...tenant, [ROLES_CLAIM]: [options.role] })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(options.subject ?? `dev-${options.role}`)
    .setIssuer(options.issuer ?? DEV_ISSUER)
    .setAudience(options.audience ?? DEV_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? "8h")
    .sign(secret);
}
