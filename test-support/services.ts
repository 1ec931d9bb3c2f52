/**
 * Where the real services started by `scripts/services.sh` listen. Tests (and only tests) read these
 * overrides from the environment; deployables get theirs from the parsed env in `cli/`.
 */
export const testServices = {
  /** Non-superuser role that owns the `vigil_test` database (so FORCE ROW LEVEL SECURITY applies). */
  postgresUrl: process.env.VIGIL_TEST_DATABASE_URL ?? "postgresql://vigil:vigil@127.0.0.1:5432/vigil_test",
  natsUrl: process.env.VIGIL_TEST_NATS_URL ?? "nats://127.0.0.1:4222",
  neo4j: {
    uri: process.env.VIGIL_TEST_NEO4J_URI ?? "bolt://127.0.0.1:7687",
    user: process.env.VIGIL_TEST_NEO4J_USER ?? "neo4j",
    password: process.env.VIGIL_TEST_NEO4J_PASSWORD ?? "vigil-neo4j",
  },
} as const;

/** A tenant id no other test run uses, so suites sharing one server never see each other's rows. */
export function uniqueTenantId(label = "t"): string {
  return `${label}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}
