import { type JSONWebKeySet, type JWTVerifyGetKey, createLocalJWKSet, createRemoteJWKSet, errors, jwtVerify } from "jose";
import { authenticationFromClaims } from "./claims.ts";
import type { Authentication } from "./viewer.ts";

/** Where signing keys come from: a shared HS256 secret (dev), a JWKS URL, or a local JWK set. */
export type KeySource =
  { kind: "secret"; secret: string | Uint8Array } | { kind: "jwks-url"; url: string | URL } | { kind: "jwks"; jwks: JSONWebKeySet };

/** Token verification settings; issuer and audience are mandatory so no foreign token passes. */
export interface AuthOptions {
  keys: KeySource;
  issuer: string;
  audience: string;
  /** Accepted clock skew in seconds for exp/nbf/iat (default 30). */
  clockToleranceSec?: number;
}

/** Turns an `Authorization` header value into an authentication result; never throws. */
export interface TokenVerifier {
  authenticate(authorization: string | undefined | null): Promise<Authentication>;
}

// Pinning algorithms per key source prevents alg confusion (an HS256 token "signed" with a public key).
const ASYMMETRIC = ["RS256", "ES256", "EdDSA", "Ed25519"];
const MIN_SECRET_BYTES = 32;

/** Builds the verifier once per server; remote JWKS are cached and refreshed by jose. */
export function createTokenVerifier(options: AuthOptions): TokenVerifier {
  const { key, algorithms } = keyFor(options.keys);
  const verifyOptions = {
    issuer: options.issuer,
    audience: options.audience,
    algorithms,
    clockTolerance: options.clockToleranceSec ?? 30,
    requiredClaims: ["exp", "sub"],
  };
  return {
    async authenticate(authorization) {
      const token = bearerToken(authorization);
      if (!token) return { ok: false, reason: "missing bearer token" };
      try {
        // Two calls because jose's overloads take a key or a key-getter, not the union.
        const { payload } =
          typeof key === "function" ? await jwtVerify(token, key, verifyOptions) : await jwtVerify(token, key, verifyOptions);
        return authenticationFromClaims(payload);
      } catch (error) {
        return { ok: false, reason: reasonFor(error) };
      }
    },
  };
}

function keyFor(source: KeySource): { key: Uint8Array | JWTVerifyGetKey; algorithms: string[] } {
  switch (source.kind) {
    case "secret": {
      const secret = typeof source.secret === "string" ? new TextEncoder().encode(source.secret) : source.secret;
      if (secret.byteLength < MIN_SECRET_BYTES) throw new Error(`HS256 secret must be at least ${MIN_SECRET_BYTES} bytes`);
      return { key: secret, algorithms: ["HS256"] };
    }
    case "jwks-url":
      return { key: createRemoteJWKSet(new URL(source.url)), algorithms: ASYMMETRIC };
    case "jwks":
      return { key: createLocalJWKSet(source.jwks), algorithms: ASYMMETRIC };
  }
}

function bearerToken(header: string | undefined | null): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
  return match?.[1];
}

// Coarse reasons: enough for a client to know whether to refresh or re-login, nothing about keys.
function reasonFor(error: unknown): string {
  if (error instanceof errors.JWTExpired) return "token expired";
  if (error instanceof errors.JWTClaimValidationFailed) return `token ${error.claim} claim invalid`;
  if (error instanceof errors.JWSSignatureVerificationFailed) return "token signature invalid";
  if (error instanceof errors.JOSEAlgNotAllowed) return "token algorithm not allowed";
  if (error instanceof errors.JWKSNoMatchingKey) return "token signed by an unknown key";
  if (error instanceof errors.JOSEError) return "token invalid";
  return "token could not be verified";
}
