import { openAdapters } from "../adapters.ts";
import { authFromEnv } from "../api-auth.ts";
import { serveApi } from "../serve-api.ts";
import type { CommandContext, Running } from "./command.ts";

/** `vigil api`: GraphQL for portals at /graphql (subscriptions over graphql-ws with Mercurius). */
export async function run({ env, log }: CommandContext): Promise<Running> {
  const auth = authFromEnv(env);
  const adapters = await openAdapters(env);
  let served;
  try {
    served = await serveApi(env, adapters, auth);
  } catch (error) {
    await adapters.close();
    throw error;
  }
  const { app, base } = served;
  for (const line of adapters.describe) log(line);
  log(`GraphQL (${env.API_SERVER}): ${base}/graphql`);
  return {
    stop: async () => {
      await app.close();
      await adapters.close();
    },
  };
}
