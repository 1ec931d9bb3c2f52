import Fastify, { type FastifyInstance } from "fastify";

/** Something the process depends on that can say whether it is usable right now. */
export interface HealthCheck {
  name: string;
  /** Resolves when usable; rejects with a reason otherwise. */
  check(): Promise<void>;
}

export interface HealthServerOptions {
  host: string;
  port: number;
  checks: HealthCheck[];
  /** Per-check budget, so one hung store cannot hang the readiness probe. */
  timeoutMs?: number;
}

async function runCheck(check: HealthCheck, timeoutMs: number): Promise<{ ok: boolean; error?: string }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([check.check(), timeout]);
    return { ok: true };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * `/healthz` says the process is alive; `/readyz` says every dependency answers (503 with the failing
 * ones named otherwise), which is what orchestrators and `docker compose` healthchecks poll.
 */
export function createHealthServer(options: HealthServerOptions): FastifyInstance {
  const app = Fastify({ logger: false });
  app.get("/healthz", async () => ({ status: "ok" }));
  addReadiness(app, options.checks, options.timeoutMs);
  return app;
}

/** Adds `/readyz` to an existing server (the API serves its own `/healthz`). */
export function addReadiness(app: FastifyInstance, checks: HealthCheck[], timeoutMs = 2_000): void {
  app.get("/readyz", async (_request, reply) => {
    const results = await Promise.all(checks.map(async (c) => [c.name, await runCheck(c, timeoutMs)] as const));
    const ready = results.every(([, r]) => r.ok);
    return reply.code(ready ? 200 : 503).send({ status: ready ? "ready" : "not ready", checks: Object.fromEntries(results) });
  });
}

/** Listens on VIGIL_HOST:VIGIL_API_PORT and returns the base URL with the port actually bound (port 0 in tests). */
export async function listenAt(app: FastifyInstance, host: string, port: number): Promise<string> {
  await app.listen({ host, port });
  const address = app.server.address();
  return `http://${host}:${address && typeof address === "object" ? address.port : port}`;
}
