import { createApiServer } from "@vigil/api";
import { openAdapters } from "../adapters.ts";
import { createBusAlertFeed } from "../alert-feed.ts";
import { authFromEnv } from "../api-auth.ts";
import { addReadiness } from "../health-server.ts";
import type { CommandContext, Running } from "./command.ts";

/** `vigil api`: GraphQL for portals at /graphql (subscriptions over graphql-ws with Mercurius). */
export async function run({ env, log }: CommandContext): Promise<Running> {
  const auth = authFromEnv(env);
  const adapters = await openAdapters(env);
  const app = await createApiServer({
    kind: env.API_SERVER,
    store: adapters.store,
    alertFeed: createBusAlertFeed(adapters.bus),
    graph: adapters.graph,
    auth,
  });
  addReadiness(app, adapters.checks);
  try {
    await app.listen({ host: env.VIGIL_HOST, port: env.VIGIL_API_PORT });
  } catch (error) {
    await adapters.close();
    throw error;
  }
  const address = app.server.address();
  const port = address && typeof address === "object" ? address.port : env.VIGIL_API_PORT;
  for (const line of adapters.describe) log(line);
  log(`GraphQL (${env.API_SERVER}): http://${env.VIGIL_HOST}:${port}/graphql`);
  return {
    stop: async () => {
      await app.close();
      await adapters.close();
    },
  };
}
