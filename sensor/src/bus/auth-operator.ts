/**
 * Everything a Vigil deployment needs to run nats-server in operator (decentralized JWT) mode: an
 * operator with a signing key, a system account (the server's own), and one Vigil account with
 * JetStream and a signing key for users. Sensors of every tenant live in that one account, told
 * apart by subject permissions: the events stream must see every tenant's subjects, and cross-account
 * exports would only move the same rules elsewhere.
 *
 * Identity keys of the operator and the accounts are used once, here, and never written: only the
 * signing keys are kept (in the issuer file), so a leaked issuer file can be replaced by re-signing
 * with new signing keys rather than re-creating every identity.
 */
import { encodeAccount, encodeOperator, encodeUser, fmtCreds, type Account } from "@nats-io/jwt";
import { createAccount, createOperator, createUser } from "@nats-io/nkeys";
import { randomBytes } from "node:crypto";
import { issueServiceCreds, type NatsIssuer } from "./auth-issuer.ts";
import { assertPartitionCount, PARTITION_PROBE_PREFIX } from "./partitions.ts";

/** Names shown in the JWTs. */
export interface OperatorSetupOptions {
  operatorName?: string;
  accountName?: string;
  /**
   * Partition count of the events (docs/scaling.md). In operator mode the server configuration's
   * `mappings` block (scripts/nats/mappings.sh) does not reach JWT accounts, so the same rules go
   * into the Vigil account JWT. Unset: no partition mapping.
   */
  partitions?: number;
}

/** The generated keys, JWTs and credentials (all text). */
export interface OperatorSetup {
  issuer: NatsIssuer;
  operatorJwt: string;
  systemAccountPublicKey: string;
  systemAccountJwt: string;
  accountJwt: string;
  /** Unrestricted users of the Vigil account, one per deployable that needs more than a sensor. */
  processorCreds: string;
  apiCreds: string;
}

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

/** Creates fresh keys and signs every JWT a new deployment needs. */
export async function createOperatorSetup(options: OperatorSetupOptions = {}): Promise<OperatorSetup> {
  const operator = createOperator();
  const operatorSigning = createOperator();
  const system = createAccount();
  const account = createAccount();
  const accountSigning = createAccount();
  const systemUser = createUser();
  const signer = operatorSigning.getSeed();

  const operatorJwt = await encodeOperator(options.operatorName ?? "vigil", operator, {
    signing_keys: [operatorSigning.getPublicKey()],
    system_account: system.getPublicKey(),
  });
  // An account JWT without limits allows zero connections; the system account gets no JetStream.
  const open = { subs: -1, data: -1, payload: -1, conn: -1, leaf: -1, imports: -1, exports: -1, wildcards: true };
  const systemAccountJwt = await encodeAccount("SYS", system, { limits: open }, { signer });
  const accountName = options.accountName ?? "VIGIL";
  const accountJwt = await encodeAccount(
    accountName,
    account,
    {
      ...(options.partitions !== undefined ? partitionMappings(options.partitions) : {}),
      signing_keys: [accountSigning.getPublicKey()],
      limits: {
        // JetStream is off for an account unless its limits say otherwise; -1 = unlimited.
        ...open,
        mem_storage: -1,
        disk_storage: -1,
        streams: -1,
        consumer: -1,
      },
    },
    { signer },
  );
  const systemCreds = text(fmtCreds(await encodeUser("vigil-system", systemUser, system), systemUser));
  const issuer: NatsIssuer = {
    v: 1,
    operatorPublicKey: operator.getPublicKey(),
    operatorSigningSeed: text(operatorSigning.getSeed()),
    accountPublicKey: account.getPublicKey(),
    accountName,
    accountSigningSeed: text(accountSigning.getSeed()),
    systemCreds,
    derivationSecret: randomBytes(32).toString("base64url"),
  };
  return {
    issuer,
    operatorJwt,
    systemAccountPublicKey: system.getPublicKey(),
    systemAccountJwt,
    accountJwt,
    processorCreds: (await issueServiceCreds(issuer, { name: "vigil-processor" })).creds,
    apiCreds: (await issueServiceCreds(issuer, { name: "vigil-api" })).creds,
  };
}

/** Kinds have one or two tokens (`logon`, `kerberos.tgs`); rules cover up to this many. */
const MAX_KIND_TOKENS = 3;

/**
 * The rules of scripts/nats/mappings.sh in account-JWT form (source → weighted destinations). The
 * config form maps `vigil.events.*.>` in one rule, but nats-server refuses an account JWT whose
 * mapping destination holds a wildcard (`>`), so here each kind length gets its own rule with
 * `{{wildcard(n)}}` tokens: same subjects in, same subjects out.
 */
export function accountPartitionMappings(p: number): Record<string, { subject: string; weight: number }[]> {
  assertPartitionCount(p);
  const rules: Record<string, { subject: string; weight: number }[]> = {};
  for (let k = 1; k <= MAX_KIND_TOKENS; k++) {
    const kind = (first: number) => Array.from({ length: k }, (_, i) => `{{wildcard(${first + i})}}`).join(".");
    const stars = Array.from({ length: k }, () => "*").join(".");
    rules[`vigil.events.*.${stars}`] = [{ subject: `vigil.events.{{wildcard(1)}}.{{partition(${p},1)}}.${kind(2)}`, weight: 100 }];
    rules[`*.vigil.events.*.${stars}`] = [
      { subject: `{{wildcard(1)}}.vigil.events.{{wildcard(2)}}.{{partition(${p},2)}}.${kind(3)}`, weight: 100 },
    ];
  }
  rules[`${PARTITION_PROBE_PREFIX}.*`] = [{ subject: `${PARTITION_PROBE_PREFIX}.{{wildcard(1)}}.${p}.{{partition(${p},1)}}`, weight: 100 }];
  return rules;
}

// @nats-io/jwt's Account type lacks `mappings`, which the JWT format and nats-server >= 2.8 have.
const partitionMappings = (p: number) => ({ mappings: accountPartitionMappings(p) }) as Partial<Account>;

/** Where the server listens and keeps its state. */
export interface ServerConfigOptions {
  host?: string;
  port: number;
  /** HTTP monitoring port; omitted = no monitoring. */
  monitorPort?: number;
  /** Path of the operator JWT file (the config refers to it). */
  operatorJwtFile: string;
  jetstreamDir: string;
  /** The full resolver's JWT directory: account updates (revocations) pushed by the API persist here. */
  resolverDir: string;
}

const quote = (value: string) => JSON.stringify(value);

/**
 * nats-server configuration with a full resolver. The MEMORY resolver cannot take account updates
 * at run time (only a config reload), so revocations pushed by the API would not apply; the full
 * resolver accepts signed updates from the system account and keeps them across restarts.
 */
export function natsServerConfig(setup: OperatorSetup, o: ServerConfigOptions): string {
  return [
    "# Written by `vigil nats-init`: nats-server in operator (JWT) mode for Vigil.",
    `listen: ${quote(`${o.host ?? "127.0.0.1"}:${o.port}`)}`,
    ...(o.monitorPort !== undefined ? [`http: ${quote(`${o.host ?? "127.0.0.1"}:${o.monitorPort}`)}`] : []),
    `jetstream { store_dir: ${quote(o.jetstreamDir)} }`,
    `operator: ${quote(o.operatorJwtFile)}`,
    `system_account: ${setup.systemAccountPublicKey}`,
    "resolver {",
    "  type: full",
    `  dir: ${quote(o.resolverDir)}`,
    // Deleting an account would orphan its streams; Vigil never does it.
    "  allow_delete: false",
    '  interval: "2m"',
    "}",
    // Only the system account is preloaded: a preloaded JWT replaces the stored one at every start,
    // which would undo the revocations pushed since. The Vigil account starts in the resolver directory.
    "resolver_preload {",
    `  ${setup.systemAccountPublicKey}: ${quote(setup.systemAccountJwt)}`,
    "}",
    "",
  ].join("\n");
}

/**
 * Files to place in the resolver directory before the server first starts (`<account>.jwt`, the
 * full resolver's layout): the Vigil account's initial JWT. An existing file must be kept, since it
 * holds the revocations pushed since.
 */
export function initialResolverFiles(setup: OperatorSetup): { name: string; content: string }[] {
  return [{ name: `${setup.issuer.accountPublicKey}.jwt`, content: setup.accountJwt }];
}
