import { readFile } from "node:fs/promises";
import { parseNatsIssuer, sensorInboxPrefix, type NatsIssuer } from "@vigil/sensor/bus";
import { StartupError } from "../adapters.ts";
import type { VigilEnv } from "../env.ts";

const CREDS_JWT = /-----BEGIN NATS USER JWT-----\s*\n\s*(\S+)\s*\n\s*------END NATS USER JWT------/;
const CREDS_SEED = /-----BEGIN USER NKEY SEED-----\s*\n\s*(SU[A-Z2-7]{56})\s*\n\s*------END USER NKEY SEED------/;

/** A file an env variable names, or a start-up error naming the variable and why it cannot be read. */
async function readConfigFile(variable: string, path: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    throw new StartupError([`${variable}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`]);
  }
}

/** The text of VIGIL_NATS_CREDS, checked for both parts; undefined when NATS runs without auth. */
export async function readNatsCreds(env: VigilEnv): Promise<string | undefined> {
  const path = env.VIGIL_NATS_CREDS;
  if (!path) return undefined;
  const text = await readConfigFile("VIGIL_NATS_CREDS", path);
  // Caught here rather than as an opaque "Authorization Violation" from the server on every retry.
  if (!CREDS_JWT.test(text) || !CREDS_SEED.test(text)) {
    throw new StartupError([`VIGIL_NATS_CREDS: ${path} is not a NATS user .creds file (needs a user JWT and a user nkey seed)`]);
  }
  return text;
}

/** Connection options of a sensor-like process (`vigil sensor`, `vigil ldap-sync`) in operator mode. */
export async function sensorNatsAuth(
  env: VigilEnv,
  who: { tenantId: string; sensorId: string },
): Promise<{ creds: string; inboxPrefix: string; publishOnly: true } | undefined> {
  const creds = await readNatsCreds(env);
  if (!creds) return undefined;
  return { creds, inboxPrefix: sensorInboxPrefix(who), publishOnly: true };
}

/** The issuer file `vigil nats-init` wrote (VIGIL_NATS_ISSUER_FILE), or undefined when unset. */
export async function readNatsIssuer(env: VigilEnv): Promise<NatsIssuer | undefined> {
  const path = env.VIGIL_NATS_ISSUER_FILE;
  if (!path) return undefined;
  const text = await readConfigFile("VIGIL_NATS_ISSUER_FILE", path);
  try {
    return parseNatsIssuer(text);
  } catch (error) {
    throw new StartupError([`VIGIL_NATS_ISSUER_FILE: ${(error as Error).message}`]);
  }
}
