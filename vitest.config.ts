import { defineConfig } from "vitest/config";

// Two realms of graphql break type-graphql (Vite picks index.mjs, Node deps use index.js), and Oxc
// only applies legacy decorators when told to globally. See ../shared/STACK.md §3.
export default defineConfig({
  oxc: { decorator: { legacy: true } },
  resolve: { alias: [{ find: /^graphql$/, replacement: "graphql/index.js" }] },
  test: {
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // Integration suites share one PostgreSQL, one nats-server and one Neo4j; they isolate by
    // tenant / stream name, but heavy parallelism on 2 cores only adds flakiness.
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["**/src/**/*.test.ts", "test-support/**/*.test.ts"],
          exclude: ["**/*.int.test.ts", "**/node_modules/**"],
        },
      },
      { extends: true, test: { name: "integration", include: ["**/*.int.test.ts"], exclude: ["**/node_modules/**"] } },
      { extends: true, test: { name: "e2e", include: ["e2e/**/*.test.ts"], exclude: ["**/*.int.test.ts", "**/node_modules/**"] } },
    ],
  },
});
