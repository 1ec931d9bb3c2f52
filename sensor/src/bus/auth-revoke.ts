/**
 * Revokes NATS users by updating the Vigil account JWT's revocation list on the server's full
 * resolver. The server applies an account update at once: connections of a revoked user are closed
 * and its JWT is refused from then on, persisted across restarts in the resolver directory.
 *
 * Why revocations rather than short-lived JWTs the sensor refreshes: a refresh needs an API endpoint
 * the sensor calls, and a sensor that cannot reach the API (it must run while everything else is
 * down, spooling) would lose its NATS access when its JWT expires. A revocation is one push from the
 * API at the moment an admin acts, and it takes effect within the push, not an expiry later.
 *
 * The update is read-modify-write of one account JWT. Within one process the writes are serialized;
 * two API instances revoking at the same instant could still overwrite each other, so each write is
 * read back and retried until its own revocations are present.
 */
import { decode, encodeAccount, type Account } from "@nats-io/jwt";
import { connect, credsAuthenticator, type NatsConnection } from "@nats-io/transport-node";
import type { NatsIssuer } from "./auth-issuer.ts";
import { BusError, describeServer } from "./errors.ts";

/** Where to push and how long to wait. */
export interface RevokeOptions {
  servers: string | string[];
  issuer: NatsIssuer;
  /** Per request and for the connect (default 5000 ms). */
  timeoutMs?: number;
}

let queue: Promise<unknown> = Promise.resolve();

/** Adds `userPublicKeys` to the account's revocations (JWTs issued up to `at` are refused). */
export function revokeNatsUsers(options: RevokeOptions, userPublicKeys: string[], at: Date = new Date()): Promise<void> {
  const next = queue.then(() => revokeNow(options, userPublicKeys, at));
  queue = next.catch(() => undefined);
  return next;
}

/** The account's current revocations (user public key → unix seconds), read from the server. */
export async function readNatsRevocations(options: RevokeOptions): Promise<Record<string, number>> {
  return withSystem(options, async (nc) => (await lookup(nc, options)).nats.revocations ?? {});
}

async function revokeNow(options: RevokeOptions, keys: string[], at: Date): Promise<void> {
  if (keys.length === 0) return;
  // A revocation covers JWTs issued at or before its time; the next second also covers one signed this second.
  const ts = Math.ceil(at.getTime() / 1000);
  await withSystem(options, async (nc) => {
    for (let attempt = 1; ; attempt++) {
      const current = await lookup(nc, options);
      const revocations = { ...(current.nats.revocations ?? {}) };
      const missing = keys.filter((k) => !((revocations[k] ?? -1) >= ts));
      if (missing.length === 0) return;
      if (attempt > 3) {
        throw new BusError(
          "BUS_AUTH_REVOKE_FAILED",
          `NATS account update did not keep the revocation of ${missing.join(", ")} (concurrent updates?)`,
        );
      }
      for (const k of missing) revocations[k] = ts;
      const { type: _type, version: _version, ...claims } = current.nats;
      const jwt = await encodeAccount(
        current.name,
        options.issuer.accountPublicKey,
        { ...claims, revocations },
        {
          signer: options.issuer.operatorSigningSeed,
        },
      );
      await push(nc, options, jwt);
    }
  });
}

async function withSystem<T>(options: RevokeOptions, work: (nc: NatsConnection) => Promise<T>): Promise<T> {
  const timeout = options.timeoutMs ?? 5000;
  const where = describeServer(options.servers);
  let nc: NatsConnection;
  try {
    nc = await connect({
      servers: options.servers,
      timeout,
      name: "vigil-nats-issuer",
      authenticator: credsAuthenticator(new TextEncoder().encode(options.issuer.systemCreds)),
    });
  } catch (err) {
    throw new BusError("BUS_UNREACHABLE", `NATS at ${where} is unreachable for account updates (${(err as Error).message})`, {
      cause: err,
    });
  }
  try {
    return await work(nc);
  } finally {
    await nc.close().catch(() => {});
  }
}

async function lookup(nc: NatsConnection, options: RevokeOptions) {
  const subject = `$SYS.REQ.ACCOUNT.${options.issuer.accountPublicKey}.CLAIMS.LOOKUP`;
  try {
    const reply = await nc.request(subject, "", { timeout: options.timeoutMs ?? 5000 });
    const jwt = reply.string().trim();
    const claims = decode<Account>(jwt);
    if (claims.sub !== options.issuer.accountPublicKey) throw new Error(`the resolver answered for account ${claims.sub}`);
    return claims;
  } catch (err) {
    throw new BusError("BUS_AUTH_REVOKE_FAILED", `cannot read the Vigil account JWT from the NATS resolver: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

async function push(nc: NatsConnection, options: RevokeOptions, jwt: string): Promise<void> {
  let answer: { error?: { description?: string }; data?: { code?: number; message?: string } };
  try {
    const reply = await nc.request("$SYS.REQ.CLAIMS.UPDATE", jwt, { timeout: options.timeoutMs ?? 5000 });
    answer = reply.json();
  } catch (err) {
    throw new BusError("BUS_AUTH_REVOKE_FAILED", `NATS did not answer the account update: ${(err as Error).message}`, { cause: err });
  }
  if (answer.error || answer.data?.code !== 200) {
    const why = answer.error?.description ?? answer.data?.message ?? JSON.stringify(answer);
    throw new BusError("BUS_AUTH_REVOKE_FAILED", `NATS refused the account update: ${why}`);
  }
}
