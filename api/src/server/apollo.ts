import { ApolloServer } from "@apollo/server";
import { ApolloServerPluginLandingPageDisabled } from "@apollo/server/plugin/disabled";
import fastifyApollo from "@as-integrations/fastify";
import fp from "fastify-plugin";
import { GraphQLError } from "graphql";
import type { VigilContext } from "../context.ts";
import { formatError, isInternal } from "../errors.ts";
import { noSubscriptionOverHttp, queryLimitRules } from "../limits.ts";

/**
 * The same schema, context and limits on Apollo Server 5 via @as-integrations/fastify: queries and
 * mutations at /graphql. No subscriptions: Apollo Server 5 does not serve WebSockets itself (it
 * would need a separate graphql-ws server); deployments that want live alerts use Mercurius.
 */
export const apolloPlugin = fp(
  async (app) => {
    const { schema, limits, contextFor } = app.vigil;
    const apollo = new ApolloServer<VigilContext>({
      schema,
      validationRules: [...queryLimitRules(limits), noSubscriptionOverHttp],
      includeStacktraceInErrorResponses: false,
      // Same behaviour as the Mercurius server whatever NODE_ENV says: introspection on (the schema is
      // open source anyway), no landing page loading Apollo Sandbox from a CDN.
      introspection: true,
      plugins: [ApolloServerPluginLandingPageDisabled()],
      // The composition root owns signals; Apollo stops with Fastify instead.
      stopOnTerminationSignals: false,
      logger: app.log,
      formatError: (_formatted, error) => {
        const graphqlError =
          error instanceof GraphQLError
            ? error
            : new GraphQLError(String(error), { originalError: error instanceof Error ? error : undefined });
        if (isInternal(graphqlError)) app.log.error({ err: graphqlError.originalError ?? graphqlError }, "GraphQL request failed");
        return formatError(graphqlError);
      },
    });
    // Failures before Apollo sees the request (body too large, malformed JSON) get the same coded
    // GraphQL error shape Mercurius gives them, instead of Fastify's default error object.
    app.setErrorHandler((error: Error & { statusCode?: unknown }, _request, reply) => {
      const code = error.statusCode;
      const status = typeof code === "number" && code >= 400 && code < 500 ? code : 500;
      if (status === 500) app.log.error({ err: error }, "request failed");
      const formatted = formatError(new GraphQLError(error.message, { originalError: status === 500 ? new Error("internal") : error }));
      return reply.code(status).send({ data: null, errors: [formatted] });
    });
    await apollo.start();
    app.addHook("onClose", () => apollo.stop());
    await app.register(fastifyApollo(apollo), {
      path: "/graphql",
      context: (request) => contextFor(request.headers.authorization, request.vigilAuth),
    });
  },
  { name: "vigil-graphql-apollo", fastify: "5.x", dependencies: ["vigil-infrastructure"] },
);
