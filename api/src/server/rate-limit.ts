import type { FastifyReply, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import type { Authentication } from "../auth/viewer.ts";
import { ErrorCode } from "../errors.ts";

/** Per-tenant request budget: a token bucket refilled continuously. */
export interface RateLimitOptions {
  /** Requests per minute per tenant (and per client IP for unauthenticated requests). */
  perMinute: number;
  /** Burst allowance; default perMinute (a full minute's worth at once). */
  burst?: number;
  /** Clock in ms, injectable for tests. */
  now?: () => number;
}

interface Bucket {
  tokens: number;
  at: number;
}

const MAX_BUCKETS = 100_000;

/** Token buckets by key; `take` answers 0 when allowed, else the ms until one token is back. */
export function createRateLimiter(options: RateLimitOptions) {
  const capacity = options.burst ?? options.perMinute;
  const perMs = options.perMinute / 60_000;
  const now = options.now ?? Date.now;
  const buckets = new Map<string, Bucket>();
  return {
    take(key: string): number {
      const t = now();
      const bucket = buckets.get(key) ?? { tokens: capacity, at: t };
      bucket.tokens = Math.min(capacity, bucket.tokens + (t - bucket.at) * perMs);
      bucket.at = t;
      // Re-insert so the Map's order is least-recently-used first, for the eviction below.
      buckets.delete(key);
      buckets.set(key, bucket);
      if (buckets.size > MAX_BUCKETS) buckets.delete(buckets.keys().next().value!);
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return 0;
      }
      // The epsilon keeps float residue (0.999 + 0.001) from rounding a 1 ms wait up to 2.
      return Math.max(1, Math.ceil((1 - bucket.tokens) / perMs - 1e-6));
    },
  };
}

declare module "fastify" {
  interface FastifyRequest {
    /** The request's authentication, resolved once by the rate limiter and reused for the context. */
    vigilAuth?: Authentication;
  }
}

/** Where the budget is charged: the tenant, else the platform operator, else the client address. */
function budgetKey(auth: Authentication, request: FastifyRequest): string {
  if (auth.ok && auth.viewer) return `tenant:${auth.viewer.tenantId}`;
  if (auth.ok) return `platform:${auth.subject}`;
  return `ip:${request.ip}`;
}

/**
 * Charges every /graphql HTTP request to its tenant's bucket before any GraphQL work; over budget,
 * answers 429 with a RATE_LIMITED GraphQL error and Retry-After. One noisy tenant thus cannot starve
 * the others. WebSocket subscriptions are long-lived and not charged per event.
 */
export const rateLimitPlugin = fp<RateLimitOptions>(
  async (app, options) => {
    const limiter = createRateLimiter(options);
    app.addHook("preHandler", async (request: FastifyRequest, reply: FastifyReply) => {
      if (request.routeOptions.url !== "/graphql") return;
      const auth = await app.vigil.verifier.authenticate(request.headers.authorization);
      request.vigilAuth = auth;
      const waitMs = limiter.take(budgetKey(auth, request));
      if (waitMs === 0) return;
      const seconds = Math.ceil(waitMs / 1000);
      return reply
        .code(429)
        .header("retry-after", String(seconds))
        .send({
          data: null,
          errors: [{ message: `Rate limit exceeded; retry in ${seconds} s`, extensions: { code: ErrorCode.RATE_LIMITED } }],
        });
    });
  },
  { name: "vigil-rate-limit", fastify: "5.x", dependencies: ["vigil-infrastructure"] },
);
