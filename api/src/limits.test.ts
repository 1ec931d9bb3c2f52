import { buildSchema, parse } from "graphql";
import { describe, expect, it } from "vitest";
import { DEFAULT_LIMITS, validateSubscription } from "./limits.ts";

// A self-referencing schema, so depth is only bounded by the limit.
const schema = buildSchema(`
  type Node { id: ID!  child: Node  children(first: Int = 5): [Node!]!  tags: [String!]! }
  type Query { node: Node  nodes(first: Int = 25): [Node!]! }
  type Subscription { node: Node }
`);

const errorsOf = (query: string, limits = DEFAULT_LIMITS) =>
  validateSubscription(schema, parse(query), limits).map((e) => ({ message: e.message, code: e.extensions.code }));

/** `{ node { child { … { id } } } }` with `depth` levels of fields. */
const nested = (depth: number) => `{ node ${"{ child ".repeat(depth - 2)}{ id }${" }".repeat(depth - 2)} }`;

describe("query limits", () => {
  it("allows depth 10 and rejects depth 11", () => {
    expect(errorsOf(nested(10))).toEqual([]);
    expect(errorsOf(nested(11))).toEqual([{ message: "Query depth 11 exceeds the limit of 10", code: "QUERY_TOO_DEEP" }]);
  });

  it("counts depth through fragments and ignores introspection fields", () => {
    const viaFragment = `query { node { ...F } } fragment F on Node { child { child { id __typename } } }`;
    expect(errorsOf(viaFragment, { maxDepth: 3, maxComplexity: 1000 })).toEqual([
      { message: "Query depth 4 exceeds the limit of 3", code: "QUERY_TOO_DEEP" },
    ]);
  });

  it("multiplies by `first` (literal, default, or the page ceiling for variables)", () => {
    const limits = { maxDepth: 10, maxComplexity: 100 };
    expect(errorsOf(`{ nodes(first: 10) { id child { id } } }`, limits)).toEqual([]); // 1 + 10 * 3
    expect(errorsOf(`{ nodes { id child { id } } }`, limits)).toEqual([]); // 1 + 25 (default) * 3
    expect(errorsOf(`query($n: Int) { nodes(first: $n) { id } }`, limits)).toEqual([
      { message: "Query complexity 101 exceeds the limit of 100", code: "QUERY_TOO_COMPLEX" },
    ]);
    expect(errorsOf(`{ nodes(first: 10) { children { children { id } } } }`, limits)).toEqual([
      // children (default first 5) nest: 1 + 10 * (1 + 5 * (1 + 5 * 1))
      { message: "Query complexity 311 exceeds the limit of 100", code: "QUERY_TOO_COMPLEX" },
    ]);
  });

  it("still reports ordinary validation errors", () => {
    expect(errorsOf(`{ node { missing } }`)).toEqual([{ message: 'Cannot query field "missing" on type "Node".', code: undefined }]);
  });
});
