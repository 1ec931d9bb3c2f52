import { GraphQLDateTimeISO, GraphQLJSON } from "graphql-scalars";

/** ISO 8601 timestamps with offset (the same scalar type-graphql uses for Date). */
export const DateTimeScalar = GraphQLDateTimeISO;
/** Free-form JSON for shapes another package owns (alert entities, evidence summaries). */
export const JsonScalar = GraphQLJSON;
