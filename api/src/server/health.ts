import fp from "fastify-plugin";

/**
 * GET /healthz: 200 when the relational store answers, 503 otherwise. The store's error text is
 * logged, not returned: it can name hosts and users, and /healthz is unauthenticated.
 */
export const healthPlugin = fp(
  async (app) => {
    app.get("/healthz", async (_request, reply) => {
      const db = await app.vigil.store.health();
      if (db.ok) return { status: "ok", db: { ok: true, latencyMs: db.latencyMs } };
      app.log.warn({ error: db.error }, "relational store health check failed");
      return reply.code(503).send({ status: "unavailable", db: { ok: false } });
    });
  },
  { name: "vigil-health", fastify: "5.x", dependencies: ["vigil-infrastructure"] },
);
