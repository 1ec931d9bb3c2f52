/**
 * Issues NATS user credentials in operator (decentralized JWT) mode. The API holds an `NatsIssuer`
 * (written by `vigil nats-init`) and signs, for each registered sensor, a user JWT allowed only its
 * tenant's event subjects (auth-permissions.ts).
 *
 * A sensor's user key is derived, not random: HMAC(derivationSecret, tenant, sensor, sensor key
 * hash). The API stores only the key hash, yet must name the exact NATS user when it revokes a
 * sensor or rotates its key (revocations list user public keys); deriving the user key from what is
 * stored gives that without a new column. The key hash changes on every rotation, so each key has
 * its own NATS user, and revoking one never touches the next. The secret keeps a database reader
 * from deriving a seed from a stored hash.
 */
import { createHmac } from "node:crypto";
import { encodeUser, fmtCreds, type UserPermissionsLimits } from "@nats-io/jwt";
import { createUser, fromSeed } from "@nats-io/nkeys";
import { z } from "zod";
import { userKeyFromRawSeed } from "./auth-nkey-seed.ts";
import { sensorInboxPrefix, sensorPermissions, type SensorIdentity } from "./auth-permissions.ts";
import { BusError } from "./errors.ts";

const seed = (role: string) => z.string().regex(new RegExp(`^S${role}[A-Z2-7]{56}$`), `must be an nkey seed starting with S${role}`);
const publicKey = (role: string) =>
  z.string().regex(new RegExp(`^${role}[A-Z2-7]{55}$`), `must be an nkey public key starting with ${role}`);

const issuerSchema = z.object({
  v: z.literal(1),
  operatorPublicKey: publicKey("O"),
  /** Signs account JWTs (the operator's signing key), so the API can push revocations. */
  operatorSigningSeed: seed("O"),
  accountPublicKey: publicKey("A"),
  accountName: z.string().min(1),
  /** Signs user JWTs; listed in the account JWT's signing keys. */
  accountSigningSeed: seed("A"),
  /** A system-account user's .creds: it pushes and looks up account JWTs on the server's resolver. */
  systemCreds: z.string().includes("-----BEGIN NATS USER JWT-----"),
  /** 32 random bytes, base64url: derives sensor user keys. */
  derivationSecret: z.string().regex(/^[A-Za-z0-9_-]{43}$/, "must be 32 bytes in base64url"),
});

/** What the API needs to issue and revoke sensor credentials (the file `vigil nats-init` writes). */
export type NatsIssuer = z.infer<typeof issuerSchema>;

/** Parses and checks an issuer file's JSON; throws BUS_AUTH_CONFIG naming every bad field. */
export function parseNatsIssuer(json: string): NatsIssuer {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (err) {
    throw new BusError("BUS_AUTH_CONFIG", `NATS issuer file is not JSON (${(err as Error).message})`);
  }
  const parsed = issuerSchema.safeParse(raw);
  if (!parsed.success) {
    const why = parsed.error.issues.map((i) => `${i.path.join(".") || "file"}: ${i.message}`).join("; ");
    throw new BusError("BUS_AUTH_CONFIG", `NATS issuer file is invalid: ${why}`);
  }
  // The seeds must match the public keys they claim to sign for, or every issued JWT would be refused.
  if (fromSeed(new TextEncoder().encode(parsed.data.operatorSigningSeed)).getPublicKey() === parsed.data.operatorPublicKey) {
    throw new BusError("BUS_AUTH_CONFIG", "NATS issuer file: operatorSigningSeed must be a signing key, not the operator's identity key");
  }
  return parsed.data;
}

/** A sensor and the hash of its current key. */
export interface SensorKeyRef extends SensorIdentity {
  /** The stored sha256 of the sensor key (changes on rotation). */
  keyHash: string;
}

function sensorUserKey(issuer: NatsIssuer, ref: SensorKeyRef) {
  const mac = createHmac("sha256", Buffer.from(issuer.derivationSecret, "base64url"));
  // Length-prefixed fields: no two (tenant, sensor, hash) triples can produce the same input.
  for (const part of ["vigil-nats-sensor-user/v1", ref.tenantId, ref.sensorId, ref.keyHash]) mac.update(`${part.length}:${part}`);
  return userKeyFromRawSeed(new Uint8Array(mac.digest()));
}

/** The NATS user public key of a sensor's current key, as revocations name it. */
export function sensorUserPublicKey(issuer: NatsIssuer, ref: SensorKeyRef): string {
  return sensorUserKey(issuer, ref).getPublicKey();
}

/** Issued credentials: the `.creds` file's text and the user it names. */
export interface IssuedCreds {
  creds: string;
  userPublicKey: string;
}

/** `.creds` for one sensor key: publish its tenant's events, receive its own replies, nothing else. */
export async function issueSensorCreds(issuer: NatsIssuer, ref: SensorKeyRef): Promise<IssuedCreds> {
  const user = sensorUserKey(issuer, ref);
  const perms = sensorPermissions(ref);
  const jwt = await encodeUser(
    `sensor ${ref.tenantId}/${ref.sensorId}`,
    user,
    issuer.accountPublicKey,
    // A bearer token would skip the nonce signature: the seed must be needed to connect.
    { pub: perms.pub, sub: perms.sub, bearer_token: false, tags: [`tenant:${ref.tenantId}`, `inbox:${sensorInboxPrefix(ref)}`] },
    { signer: issuer.accountSigningSeed },
  );
  return { creds: new TextDecoder().decode(fmtCreds(jwt, user)), userPublicKey: user.getPublicKey() };
}

/** `.creds` for a service user; without `permissions` it may do anything in the account (processor, API). */
export async function issueServiceCreds(
  issuer: NatsIssuer,
  user: { name: string; seed?: string; permissions?: Partial<UserPermissionsLimits> },
): Promise<IssuedCreds> {
  const kp = user.seed ? fromSeed(new TextEncoder().encode(user.seed)) : createUser();
  const jwt = await encodeUser(
    user.name,
    kp,
    issuer.accountPublicKey,
    { ...user.permissions, bearer_token: false },
    {
      signer: issuer.accountSigningSeed,
    },
  );
  return { creds: new TextDecoder().decode(fmtCreds(jwt, kp)), userPublicKey: kp.getPublicKey() };
}
