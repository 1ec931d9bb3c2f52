import { createApiServer, type AuthOptions } from "@vigil/api";
import type { FastifyInstance } from "fastify";
import { StartupError, type Adapters } from "./adapters.ts";
import { createBusAlertFeed } from "./alert-feed.ts";
import { createBusHealthFeed, createBusSiemTests } from "./health-feed.ts";
import { readNatsIssuer } from "./commands/nats-auth.ts";
import type { VigilEnv } from "./env.ts";
import { addReadiness, listenAt } from "./health-server.ts";

/** The GraphQL API over the opened stores, with live alerts from the bus and `/readyz`, listening. */
export async function serveApi(env: VigilEnv, adapters: Adapters, auth: AuthOptions): Promise<{ app: FastifyInstance; base: string }> {
  const issuer = await readNatsIssuer(env);
  if (issuer && !env.NATS_URL)
    throw new StartupError(["VIGIL_NATS_ISSUER_FILE: needs NATS_URL (the server that takes sensor revocations)"]);
  const app = await createApiServer({
    kind: env.API_SERVER,
    store: adapters.store,
    alertFeed: createBusAlertFeed(adapters.bus),
    graph: adapters.graph,
    auth,
    secretsKey: env.VIGIL_SECRETS_KEY,
    healthFeed: createBusHealthFeed(adapters.bus),
    siemTests: createBusSiemTests(adapters.bus),
    ratePerMinute: env.VIGIL_API_RATE_PER_MINUTE,
    bodyLimitBytes: env.VIGIL_API_BODY_LIMIT_BYTES,
    ingestQuotaDefaults: { ratePerSecond: env.VIGIL_INGEST_RATE_PER_SECOND, burst: env.VIGIL_INGEST_BURST },
    ...(issuer && env.NATS_URL
      ? {
          sensorNats: {
            issuer,
            servers: env.NATS_URL.split(",").map((s) => s.trim()),
            ...(env.VIGIL_BUS_NAMESPACE ? { namespace: env.VIGIL_BUS_NAMESPACE } : {}),
          },
        }
      : {}),
  });
  addReadiness(app, adapters.checks);
  try {
    return { app, base: await listenAt(app, env.VIGIL_HOST, env.VIGIL_API_PORT) };
  } catch (error) {
    await app.close().catch(() => {});
    throw error;
  }
}
