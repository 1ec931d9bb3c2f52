import { DEFAULT_INGEST_QUOTA, MAX_INGEST_BURST, MAX_INGEST_RATE_PER_SECOND, tokenId } from "@vigil/sensor/contract";
import { z } from "zod";

const urlWithScheme = (schemes: string[], example: string) =>
  z
    .string()
    .trim()
    .refine(
      (value) => {
        try {
          const url = new URL(value);
          return schemes.includes(url.protocol.replace(/:$/, "")) && url.hostname !== "";
        } catch {
          return false;
        }
      },
      { message: `must be a URL with scheme ${schemes.join(" or ")} and a host, e.g. ${example}` },
    );

const port = z.coerce.number().int().min(0).max(65535);

/** Every environment variable Vigil reads; `.env.example` documents each one (checked by a test). */
export const envSchema = z.object({
  VIGIL_DATA_DIR: z.string().min(1).default("./.vigil"),
  DATABASE_URL: urlWithScheme(["postgres", "postgresql"], "postgresql://vigil:vigil@127.0.0.1:5432/vigil").optional(),
  NATS_URL: z
    .string()
    .trim()
    .refine(
      (value) => value.split(",").every((one) => urlWithScheme(["nats", "tls"], "nats://127.0.0.1:4222").safeParse(one.trim()).success),
      {
        message: "must be one or more comma-separated nats:// or tls:// URLs, e.g. nats://127.0.0.1:4222",
      },
    )
    .optional(),
  VIGIL_BUS_NAMESPACE: tokenId.optional(),
  VIGIL_NATS_REPLICAS: z.coerce.number().int().min(1).max(5).optional(),
  /** Operator (JWT) mode: this process's NATS `.creds` file (docs/nats-auth.md). */
  VIGIL_NATS_CREDS: z.string().min(1).optional(),
  /** Operator mode, `vigil api`: the issuer file `vigil nats-init` wrote; sensors then get NATS credentials. */
  VIGIL_NATS_ISSUER_FILE: z.string().min(1).optional(),
  NEO4J_URI: urlWithScheme(["bolt", "bolt+s", "neo4j", "neo4j+s"], "bolt://127.0.0.1:7687").optional(),
  NEO4J_USER: z.string().min(1).default("neo4j"),
  NEO4J_PASSWORD: z.string().min(1).optional(),
  VIGIL_HOST: z.string().min(1).default("127.0.0.1"),
  VIGIL_API_PORT: port.default(4000),
  API_SERVER: z.enum(["mercurius", "apollo"]).default("mercurius"),
  VIGIL_JWT_SECRET: z.string().min(32, "must be at least 32 characters (HS256 secret)").optional(),
  VIGIL_JWKS_URL: urlWithScheme(["https", "http"], "https://login.example.com/.well-known/jwks.json").optional(),
  VIGIL_JWT_ISSUER: z.string().min(1).default("vigil-dev"),
  VIGIL_JWT_AUDIENCE: z.string().min(1).default("vigil-api"),
  VIGIL_SECRETS_KEY: z
    .string()
    .trim()
    .refine((value) => /^[A-Za-z0-9_-]{43}$/.test(value) && Buffer.from(value, "base64url").byteLength === 32, {
      message: "must be 32 random bytes in base64url (43 characters), e.g. from `openssl rand 32 | basenc --base64url`",
    })
    .optional(),
  VIGIL_API_RATE_PER_MINUTE: z.coerce.number().int().min(1).default(600),
  VIGIL_API_BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).default(1_048_576),
  /** Sensor ingest quota of tenants whose row sets none (docs/quotas.md): events/s for all a tenant's sensors, and the burst. */
  VIGIL_INGEST_RATE_PER_SECOND: z.coerce.number().int().min(1).max(MAX_INGEST_RATE_PER_SECOND).default(DEFAULT_INGEST_QUOTA.ratePerSecond),
  VIGIL_INGEST_BURST: z.coerce.number().int().min(1).max(MAX_INGEST_BURST).default(DEFAULT_INGEST_QUOTA.burst),
  VIGIL_SENSOR_TENANT: tokenId.optional(),
  VIGIL_SENSOR_ID: tokenId.optional(),
  VIGIL_SENSOR_KEY: z.string().min(16).optional(),
  /** `vigil sensor --radius`: shared secret for every NAS, and/or per-NAS `IP=secret,IP=secret` (checked at sensor start). */
  VIGIL_RADIUS_SECRET: z.string().min(1).optional(),
  VIGIL_RADIUS_CLIENTS: z.string().min(1).optional(),
  VIGIL_PROCESSOR_NAME: tokenId.default("processor"),
  /** Partitions of the event stream (NATS subject mapping, docs/scaling.md); 0: one durable for all events, one processor only. */
  VIGIL_PARTITIONS: z.coerce.number().int().min(0).max(1024).default(64),
  /** This `vigil processor` instance among several; default `<hostname>-<pid>`. */
  VIGIL_PROCESSOR_INSTANCE: tokenId.optional(),
  VIGIL_LDAP_URL: urlWithScheme(["ldap", "ldaps"], "ldaps://dc01.corp.example").optional(),
  VIGIL_LDAP_BIND_DN: z.string().min(1).optional(),
  VIGIL_LDAP_PASSWORD: z.string().min(1).optional(),
  VIGIL_LDAP_BASE_DN: z.string().min(1).optional(),
  VIGIL_LDAP_CA_FILE: z.string().min(1).optional(),
  VIGIL_LDAP_INTERVAL_S: z.coerce.number().int().min(10).max(86_400).default(900),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
});

export type VigilEnv = Readonly<z.infer<typeof envSchema>>;

/** Raised when the environment is invalid; `problems` holds one line per bad variable. */
export class EnvError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "EnvError";
  }
}

/**
 * Parses the environment once for a deployable. Empty strings count as unset, so a blank line in an
 * env file falls back to the embedded adapters instead of failing URL parsing.
 */
export function parseEnv(source: Record<string, string | undefined>): VigilEnv {
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== undefined && value.trim() !== ""));
  const result = envSchema.safeParse(cleaned);
  const problems: string[] = [];
  if (!result.success) {
    for (const issue of result.error.issues) problems.push(`${issue.path.join(".") || "env"}: ${issue.message}`);
  } else if (result.data.NEO4J_URI && !result.data.NEO4J_PASSWORD) {
    problems.push("NEO4J_PASSWORD: required when NEO4J_URI is set");
  }
  if (problems.length > 0 || !result.success) throw new EnvError(problems);
  return Object.freeze(result.data);
}
