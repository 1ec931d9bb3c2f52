import { openAdapters } from "../adapters.ts";
import { createHealthServer } from "../health-server.ts";
import type { CommandContext, Running } from "./command.ts";

/**
 * `vigil start`: every role in one process on the embedded stores (or the real ones when configured),
 * for a first look. Prints where it listens; serves until stopped.
 */
export async function run({ env, log }: CommandContext): Promise<Running> {
  const adapters = await openAdapters(env);
  const server = createHealthServer({ host: env.VIGIL_HOST, port: env.VIGIL_API_PORT, checks: adapters.checks });
  try {
    await server.listen({ host: env.VIGIL_HOST, port: env.VIGIL_API_PORT });
  } catch (error) {
    await adapters.close();
    throw error;
  }
  const address = server.server.address();
  const port = address && typeof address === "object" ? address.port : env.VIGIL_API_PORT;
  const base = `http://${env.VIGIL_HOST}:${port}`;
  for (const line of adapters.describe) log(line);
  log(`health:    ${base}/healthz   readiness: ${base}/readyz`);
  log("vigil is running; Ctrl-C stops it");
  return {
    stop: async () => {
      await server.close();
      await adapters.close();
    },
  };
}
