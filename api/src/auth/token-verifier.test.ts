import { type JWK, SignJWT, exportJWK, generateKeyPair } from "jose";
import { describe, expect, it } from "vitest";
import { ROLES_CLAIM, ROLE_CLAIM, TENANT_CLAIM } from "./claims.ts";
import { createDevToken } from "./dev-token.ts";
import { assertCan } from "./permissions.ts";
import { createTokenVerifier } from "./token-verifier.ts";

const ISSUER = "https://idp.test";
const AUDIENCE = "vigil";

async function keyPair(alg: "RS256" | "ES256" | "EdDSA", kid: string) {
  const { privateKey, publicKey } = await generateKeyPair(alg, { crv: alg === "EdDSA" ? "Ed25519" : undefined });
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid, alg };
  const sign = (claims: Record<string, unknown>) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg, kid })
      .setSubject("alice")
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setExpirationTime("5m")
      .sign(privateKey);
  return { jwk, sign };
}

describe("createTokenVerifier", () => {
  it.each(["RS256", "ES256", "EdDSA"] as const)("verifies %s tokens against a local JWK set", async (alg) => {
    const { jwk, sign } = await keyPair(alg, `k-${alg}`);
    const verifier = createTokenVerifier({ keys: { kind: "jwks", jwks: { keys: [jwk] } }, issuer: ISSUER, audience: AUDIENCE });
    const result = await verifier.authenticate(`Bearer ${await sign({ [TENANT_CLAIM]: "acme", [ROLES_CLAIM]: ["reader", "operator"] })}`);
    expect(result).toEqual({
      ok: true,
      subject: "alice",
      viewer: { tenantId: "acme", role: "operator", subject: "alice" },
      platformOperator: false,
    });
  });

  it("takes the single `role` claim too, and the highest of both", async () => {
    const { jwk, sign } = await keyPair("ES256", "k1");
    const verifier = createTokenVerifier({ keys: { kind: "jwks", jwks: { keys: [jwk] } }, issuer: ISSUER, audience: AUDIENCE });
    const single = await verifier.authenticate(`Bearer ${await sign({ [TENANT_CLAIM]: "acme", [ROLE_CLAIM]: "admin" })}`);
    expect(single.ok && single.viewer?.role).toBe("admin");
    const both = await verifier.authenticate(
      `Bearer ${await sign({ [TENANT_CLAIM]: "acme", [ROLES_CLAIM]: ["reader"], [ROLE_CLAIM]: "admin" })}`,
    );
    expect(both.ok && both.viewer?.role).toBe("admin");
  });

  it.each([
    [{ [ROLES_CLAIM]: ["reader"] }, `token has no valid ${TENANT_CLAIM} claim`],
    [{ tid: "acme", [ROLES_CLAIM]: ["reader"] }, `token has no valid ${TENANT_CLAIM} claim`],
    [{ [TENANT_CLAIM]: "acme.*", [ROLES_CLAIM]: ["reader"] }, `token has no valid ${TENANT_CLAIM} claim`],
    [
      { [TENANT_CLAIM]: "acme", [ROLES_CLAIM]: ["superuser"] },
      "token carries no Vigil role (reader, operator, admin or platform-operator)",
    ],
    [{ [TENANT_CLAIM]: "acme.*", [ROLES_CLAIM]: ["platform-operator"] }, `token has no valid ${TENANT_CLAIM} claim`],
  ])("rejects claims %j", async (claims, reason) => {
    const { jwk, sign } = await keyPair("ES256", "k1");
    const verifier = createTokenVerifier({ keys: { kind: "jwks", jwks: { keys: [jwk] } }, issuer: ISSUER, audience: AUDIENCE });
    expect(await verifier.authenticate(`Bearer ${await sign(claims)}`)).toEqual({ ok: false, reason });
  });

  it("recognizes the platform-operator role with or without a tenant role", async () => {
    const { jwk, sign } = await keyPair("EdDSA", "k1");
    const verifier = createTokenVerifier({ keys: { kind: "jwks", jwks: { keys: [jwk] } }, issuer: ISSUER, audience: AUDIENCE });
    expect(await verifier.authenticate(`Bearer ${await sign({ [ROLES_CLAIM]: ["platform-operator"] })}`)).toEqual({
      ok: true,
      subject: "alice",
      viewer: null,
      platformOperator: true,
    });
    const both = await verifier.authenticate(
      `Bearer ${await sign({ [TENANT_CLAIM]: "acme", [ROLES_CLAIM]: ["platform-operator", "reader"] })}`,
    );
    expect(both).toMatchObject({ ok: true, platformOperator: true, viewer: { tenantId: "acme", role: "reader" } });
  });

  it("refuses an HS256 token when only asymmetric keys are configured (no alg confusion)", async () => {
    const { jwk } = await keyPair("RS256", "k1");
    const verifier = createTokenVerifier({ keys: { kind: "jwks", jwks: { keys: [jwk] } }, issuer: ISSUER, audience: AUDIENCE });
    const hs = await createDevToken({ secret: "x".repeat(32), tenantId: "acme", role: "admin", issuer: ISSUER, audience: AUDIENCE });
    expect(await verifier.authenticate(`Bearer ${hs}`)).toMatchObject({ ok: false });
  });

  it("checks the issuer, tolerates small clock skew and rejects malformed headers", async () => {
    const secret = "s".repeat(32);
    const verifier = createTokenVerifier({ keys: { kind: "secret", secret }, issuer: ISSUER, audience: AUDIENCE, clockToleranceSec: 30 });
    const foreign = await createDevToken({ secret, tenantId: "acme", role: "admin", issuer: "https://evil.test", audience: AUDIENCE });
    expect(await verifier.authenticate(`Bearer ${foreign}`)).toEqual({ ok: false, reason: "token iss claim invalid" });
    const justExpired = await createDevToken({
      secret,
      tenantId: "acme",
      role: "admin",
      issuer: ISSUER,
      audience: AUDIENCE,
      expiresIn: Math.floor(Date.now() / 1000) - 10,
    });
    expect((await verifier.authenticate(`Bearer ${justExpired}`)).ok).toBe(true);
    expect(await verifier.authenticate("Basic abc")).toEqual({ ok: false, reason: "missing bearer token" });
    expect(await verifier.authenticate("Bearer not.a.jwt")).toEqual({ ok: false, reason: "token invalid" });
  });

  it("refuses a short HS256 secret at construction", () => {
    expect(() => createTokenVerifier({ keys: { kind: "secret", secret: "short" }, issuer: ISSUER, audience: AUDIENCE })).toThrow(
      /at least 32 bytes/,
    );
  });
});

describe("assertCan", () => {
  const viewer = (role: "reader" | "operator" | "admin") => ({ tenantId: "acme", role, subject: "alice" });
  it("orders reader < operator < admin", () => {
    expect(() => assertCan(viewer("reader"), "alert:read")).not.toThrow();
    expect(() => assertCan(viewer("reader"), "alert:triage")).toThrow(expect.objectContaining({ code: "FORBIDDEN" }));
    expect(() => assertCan(viewer("operator"), "alert:triage")).not.toThrow();
    expect(() => assertCan(viewer("operator"), "sensor:create")).toThrow(expect.objectContaining({ code: "FORBIDDEN" }));
    expect(() => assertCan(viewer("admin"), "sensor:create")).not.toThrow();
  });
});
