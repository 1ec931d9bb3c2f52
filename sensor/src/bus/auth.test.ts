import { decode, parseCreds, type User } from "@nats-io/jwt";
import { createUser } from "@nats-io/nkeys";
import { beforeAll, describe, expect, it } from "vitest";
import { issueSensorCreds, parseNatsIssuer, sensorUserPublicKey, type NatsIssuer } from "./auth-issuer.ts";
import { userKeyFromRawSeed } from "./auth-nkey-seed.ts";
import { execFileSync } from "node:child_process";
import { accountPartitionMappings, createOperatorSetup, natsServerConfig } from "./auth-operator.ts";
import { sensorInboxPrefix, sensorPermissions } from "./auth-permissions.ts";

const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
function rawSeedOf(seed: string): Uint8Array {
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const c of seed) {
    value = (value << 5) | BASE32.indexOf(c);
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return new Uint8Array(out.slice(2, 34));
}

describe("nkey seed encoding", () => {
  it("re-encodes the raw bytes of seeds made by @nats-io/nkeys to the same seed", () => {
    for (let i = 0; i < 20; i++) {
      const kp = createUser();
      const seed = new TextDecoder().decode(kp.getSeed());
      const again = userKeyFromRawSeed(rawSeedOf(seed));
      expect(new TextDecoder().decode(again.getSeed())).toBe(seed);
      expect(again.getPublicKey()).toBe(kp.getPublicKey());
    }
  });

  it("refuses a seed that is not 32 bytes", () => {
    expect(() => userKeyFromRawSeed(new Uint8Array(31))).toThrow(RangeError);
  });
});

describe("sensor permissions", () => {
  it("allow publishing the tenant's events (under the namespace), the sensor's own inbox and its tenant's quota grants only", () => {
    expect(sensorPermissions({ tenantId: "acme", sensorId: "dc01" })).toEqual({
      pub: { allow: ["vigil.events.acme.>"] },
      sub: { allow: ["_INBOX_VIGIL.acme.dc01.>", "vigil.quota.acme"] },
    });
    expect(sensorPermissions({ tenantId: "acme", sensorId: "dc01", namespace: "prod" })).toEqual({
      pub: { allow: ["prod.vigil.events.acme.>"] },
      sub: { allow: ["_INBOX_VIGIL.acme.dc01.>", "prod.vigil.quota.acme"] },
    });
    expect(sensorInboxPrefix({ tenantId: "acme", sensorId: "dc01" })).toBe("_INBOX_VIGIL.acme.dc01");
  });

  it("refuse ids that would widen the permission (dots, wildcards)", () => {
    for (const tenantId of ["acme.>", "*", "a b", ""]) {
      expect(() => sensorPermissions({ tenantId, sensorId: "dc01" })).toThrow(
        expect.objectContaining({ code: "BUS_INVALID_OPTIONS" }) as Error,
      );
    }
    expect(() => sensorPermissions({ tenantId: "acme", sensorId: "dc.01" })).toThrow(/invalid sensor id/);
  });
});

describe("issuing sensor credentials", () => {
  let issuer: NatsIssuer;
  beforeAll(async () => {
    issuer = (await createOperatorSetup()).issuer;
  });

  it("derives one user per (tenant, sensor, key hash), signed by the account signing key", async () => {
    const ref = { tenantId: "acme", sensorId: "dc01", keyHash: "0".repeat(64) };
    const { creds, userPublicKey } = await issueSensorCreds(issuer, ref);
    const parsed = await parseCreds(new TextEncoder().encode(creds));
    expect(parsed.uc.sub).toBe(userPublicKey);
    const claims = decode<User>(parsed.jwt);
    expect(claims.nats.issuer_account).toBe(issuer.accountPublicKey);
    expect(claims.nats.pub?.allow).toEqual(["vigil.events.acme.>"]);
    expect(claims.nats.sub?.allow).toEqual(["_INBOX_VIGIL.acme.dc01.>", "vigil.quota.acme"]);
    expect(claims.nats.bearer_token).toBe(false);
    // Same inputs, same user (so the API can name it when revoking); any change, another user.
    expect(sensorUserPublicKey(issuer, ref)).toBe(userPublicKey);
    expect(sensorUserPublicKey(issuer, { ...ref, keyHash: "1".repeat(64) })).not.toBe(userPublicKey);
    expect(sensorUserPublicKey(issuer, { ...ref, sensorId: "dc02" })).not.toBe(userPublicKey);
    expect(sensorUserPublicKey(issuer, { ...ref, tenantId: "globex" })).not.toBe(userPublicKey);
    const other = { ...issuer, derivationSecret: Buffer.alloc(32, 7).toString("base64url") };
    expect(sensorUserPublicKey(other, ref)).not.toBe(userPublicKey);
  });

  it("parses the issuer file it writes and names each bad field of a broken one", () => {
    expect(parseNatsIssuer(JSON.stringify(issuer))).toEqual(issuer);
    expect(() => parseNatsIssuer("{not json")).toThrow(expect.objectContaining({ code: "BUS_AUTH_CONFIG" }) as Error);
    const broken = { ...issuer, accountSigningSeed: "SUAAAA", derivationSecret: "short" };
    expect(() => parseNatsIssuer(JSON.stringify(broken))).toThrow(
      /accountSigningSeed: must be an nkey seed starting with SA.*derivationSecret/,
    );
  });

  it("writes a server config with a full resolver that preloads only the system account", async () => {
    const setup = await createOperatorSetup();
    const conf = natsServerConfig(setup, { port: 4222, operatorJwtFile: "/x/op.jwt", jetstreamDir: "/x/js", resolverDir: "/x/jwt" });
    expect(conf).toContain("type: full");
    expect(conf).toContain(`system_account: ${setup.systemAccountPublicKey}`);
    expect(conf).toContain(setup.systemAccountJwt);
    expect(conf).not.toContain(setup.accountJwt);
  });
});

describe("partition mapping in the account JWT", () => {
  it("spells out, per kind length, the rules scripts/nats/mappings.sh writes for a no-auth server", async () => {
    // A tripwire: if mappings.sh changes its rules, accountPartitionMappings must follow.
    const block = execFileSync("bash", ["scripts/nats/mappings.sh", "7"], { encoding: "utf8" });
    const config = Object.fromEntries([...block.matchAll(/^\s*"([^"]+)":\s*"([^"]+)"\s*$/gm)].map((m) => [m[1], m[2]]));
    expect(config).toEqual({
      "vigil.events.*.>": "vigil.events.{{wildcard(1)}}.{{partition(7,1)}}.>",
      "*.vigil.events.*.>": "{{wildcard(1)}}.vigil.events.{{wildcard(2)}}.{{partition(7,2)}}.>",
      "vigil.partitions.probe.*": "vigil.partitions.probe.{{wildcard(1)}}.7.{{partition(7,1)}}",
    });
    const rules = accountPartitionMappings(7);
    expect(rules["vigil.events.*.*.*"]).toEqual([
      { subject: "vigil.events.{{wildcard(1)}}.{{partition(7,1)}}.{{wildcard(2)}}.{{wildcard(3)}}", weight: 100 },
    ]);
    expect(rules["*.vigil.events.*.*"]).toEqual([
      { subject: "{{wildcard(1)}}.vigil.events.{{wildcard(2)}}.{{partition(7,2)}}.{{wildcard(3)}}", weight: 100 },
    ]);
    expect(rules["vigil.partitions.probe.*"]).toEqual([{ subject: config["vigil.partitions.probe.*"], weight: 100 }]);
    // No destination may hold a wildcard token: nats-server would refuse the whole account.
    for (const [, [dest]] of Object.entries(rules)) expect(dest!.subject.split(".").filter((t) => t === "*" || t === ">")).toEqual([]);
    const setup = await createOperatorSetup({ partitions: 7 });
    expect((decode<{ mappings?: unknown }>(setup.accountJwt).nats as { mappings?: unknown }).mappings).toEqual(rules);
    expect(() => accountPartitionMappings(0)).toThrow();
  });
});
