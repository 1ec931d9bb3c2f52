import fp from "fastify-plugin";
import { type ExecutionResult, GraphQLError } from "graphql";
import mercurius from "mercurius";
import { formatError, isInternal } from "../errors.ts";
import { noSubscriptionOverHttp, queryLimitRules, validateSubscription } from "../limits.ts";

/** Options of the Mercurius GraphQL plugin. */
export interface MercuriusPluginOptions {
  /** Serve GraphiQL at /graphiql (dev only; it loads its assets from a CDN). */
  graphiql?: boolean;
}

/**
 * GraphQL on Mercurius: queries and mutations at POST/GET /graphql, subscriptions over graphql-ws
 * on the same path. HTTP reads the token from `Authorization`; WebSocket from the connectionInit
 * payload `{ authorization: "Bearer …" }` (browsers cannot set headers on a WebSocket).
 */
export const mercuriusPlugin = fp<MercuriusPluginOptions>(
  async (app, options) => {
    const { schema, limits, contextFor } = app.vigil;
    await app.register(mercurius, {
      schema,
      path: "/graphql",
      graphiql: options.graphiql ?? false,
      validationRules: [...queryLimitRules(limits), noSubscriptionOverHttp],
      context: (request) => contextFor(request.headers.authorization, request.vigilAuth),
      errorFormatter: (execution) => {
        const errors = flattenValidationErrors(execution.errors);
        for (const error of errors) if (isInternal(error)) app.log.error({ err: error.originalError ?? error }, "GraphQL request failed");
        return { statusCode: statusOf(execution), response: { data: execution.data ?? null, errors: errors.map(formatError) } };
      },
      subscription: {
        // Rejecting here closes the socket before any operation: no anonymous connections linger.
        onConnect: async ({ payload }) => {
          const authorization = typeof payload?.authorization === "string" ? payload.authorization : undefined;
          const context = await contextFor(authorization);
          return context.auth.ok ? context : false;
        },
      },
    });
    // Mercurius validates nothing for operations sent over the WebSocket; do the full validation
    // (spec rules plus our limits) before a subscription starts.
    app.graphql.addHook("preSubscriptionExecution", async (hookSchema, document) => {
      const [first] = validateSubscription(hookSchema, document, limits);
      if (first) {
        const { message, extensions } = formatError(first);
        throw new GraphQLError(message, { extensions });
      }
    });
  },
  { name: "vigil-graphql-mercurius", fastify: "5.x", dependencies: ["vigil-infrastructure"] },
);

// Mercurius reports validation failures as one error whose originalError lists the real ones.
function flattenValidationErrors(errors: readonly GraphQLError[]): GraphQLError[] {
  return errors.flatMap((error) => {
    const inner = (error.originalError as { errors?: unknown } | undefined)?.errors;
    return Array.isArray(inner) ? inner.map((e) => (e instanceof GraphQLError ? e : new GraphQLError(String(e?.message ?? e)))) : [error];
  });
}

// As Mercurius's default: 200 with data; otherwise the status the failure carries (400 for
// validation), so both servers answer a rejected query the same way.
function statusOf(execution: ExecutionResult & { statusCode?: number }): number {
  if (execution.data) return 200;
  if (typeof execution.statusCode === "number") return execution.statusCode;
  const status = (execution.errors?.[0]?.originalError as { statusCode?: unknown } | undefined)?.statusCode;
  return typeof status === "number" ? status : 200;
}
