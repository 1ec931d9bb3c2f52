import { describe, expect, it } from "vitest";
import { createHealthServer } from "./health-server.ts";

describe("health server", () => {
  it("is live even when a dependency is down, and not ready until all answer", async () => {
    let storeUp = false;
    const app = createHealthServer({
      host: "127.0.0.1",
      port: 0,
      timeoutMs: 200,
      checks: [
        {
          name: "store",
          check: async () => {
            if (!storeUp) throw new Error("connection refused");
          },
        },
        { name: "bus", check: async () => {} },
      ],
    });
    expect((await app.inject("/healthz")).statusCode).toBe(200);
    const down = await app.inject("/readyz");
    expect(down.statusCode).toBe(503);
    expect(down.json().checks.store).toEqual({ ok: false, error: "connection refused" });
    storeUp = true;
    const up = await app.inject("/readyz");
    expect(up.statusCode).toBe(200);
    expect(up.json().status).toBe("ready");
    await app.close();
  });

  it("times out a hung check instead of hanging the probe", async () => {
    const app = createHealthServer({
      host: "127.0.0.1",
      port: 0,
      timeoutMs: 50,
      checks: [{ name: "graph", check: () => new Promise(() => {}) }],
    });
    const res = await app.inject("/readyz");
    expect(res.statusCode).toBe(503);
    expect(res.json().checks.graph.error).toMatch(/no answer within 50 ms/);
    await app.close();
  });
});
