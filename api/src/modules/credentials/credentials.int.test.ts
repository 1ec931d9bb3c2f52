// Directory-service credentials on real PostgreSQL: write-only passwords sealed with JWE, the
// 30-per-tenant ceiling under concurrency, a pg_dump that holds no plaintext, and testConnection
// through the real LDAP bind tester against sockets that fail the way a DC can.
import { execFile } from "node:child_process";
import { createServer } from "node:net";
import { promisify } from "node:util";
import { type RelationalStore, openRelationalStore } from "@vigil/db";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testServices, uniqueTenantId } from "../../../../test-support/services.ts";
import { createApiServer, createInProcessAlertFeed, createSecretBox } from "../../index.ts";
import { AUDIENCE, ISSUER, SECRET, codes, createTenant, gql, token } from "../../testing/api-fixtures.ts";

const run = promisify(execFile);
const KEY = Buffer.alloc(32, 42).toString("base64url");
const PASSWORD = "Plaintext-Password-4711!";
let store: RelationalStore;
let app: FastifyInstance;
let apiPort: number;
const tenant = uniqueTenantId("cred");
const other = uniqueTenantId("cred-other");

const ADD = `mutation($input: DirectoryCredentialInput!) { addDirectoryCredential(input: $input) { id name username domainName ldapUrl rotatedAt lastTestOk } }`;
const input = (name: string, ldapUrl: string | null = null) => ({
  name,
  username: "svc-vigil",
  domainName: "corp.example.com",
  ldapUrl,
  password: PASSWORD,
});

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

beforeAll(async () => {
  store = await openRelationalStore({ databaseUrl: testServices.postgresUrl });
  app = await createApiServer({
    kind: "mercurius",
    store,
    alertFeed: createInProcessAlertFeed(),
    auth: { keys: { kind: "secret", secret: SECRET }, issuer: ISSUER, audience: AUDIENCE },
    secretsKey: KEY,
  });
  await app.listen({ port: 0, host: "127.0.0.1" });
  apiPort = (app.server.address() as { port: number }).port;
  await createTenant(store, tenant);
  await createTenant(store, other);
});
afterAll(async () => {
  await app?.close();
  await store?.close();
});

describe("directory-service credentials", () => {
  it("adds, lists, rotates and removes; no answer ever carries the password, every change is audited", async () => {
    const admin = await token(tenant, "admin");
    const added = await gql<{ addDirectoryCredential: { id: string } }>(app, admin, ADD, { input: input("primary") });
    expect(added.errors).toBeUndefined();
    const id = added.data!.addDirectoryCredential.id;
    const listed = await gql(app, admin, `{ directoryCredentials { id name username domainName } }`);
    expect(listed.data).toEqual({ directoryCredentials: [{ id, name: "primary", username: "svc-vigil", domainName: "corp.example.com" }] });
    const rotated = await gql(
      app,
      admin,
      `mutation($id: ID!) { rotateDirectoryCredential(id: $id, password: "Next-Secret-0815") { rotatedAt } }`,
      { id },
    );
    expect(rotated.errors).toBeUndefined();
    for (const response of [added, listed, rotated]) expect(JSON.stringify(response)).not.toMatch(/Plaintext-Password|Next-Secret|eyJ/);
    expect(codes(await gql(app, admin, ADD, { input: input("primary") }))).toEqual(["BAD_USER_INPUT"]);
    expect(codes(await gql(app, await token(tenant, "operator"), `{ directoryCredentials { id } }`))).toEqual(["FORBIDDEN"]);

    const removed = await gql(app, admin, `mutation($id: ID!) { removeDirectoryCredential(id: $id) }`, { id });
    expect(removed.data).toEqual({ removeDirectoryCredential: true });
    const trail = await gql<{ auditEntries: { edges: { node: { action: string; target: string; after: unknown } }[] } }>(
      app,
      admin,
      `{ auditEntries(first: 10) { edges { node { action target before after } } } }`,
    );
    const mine = trail.data!.auditEntries.edges.map((e) => e.node).filter((n) => n.target === `credential:${id}`);
    expect(mine.map((n) => n.action)).toEqual(["credential:remove", "credential:rotate", "credential:add"]);
    expect(JSON.stringify(trail)).not.toMatch(/Plaintext-Password|Next-Secret/);
  });

  it("keeps at most 30 per tenant, also when 31 adds race", async () => {
    const admin = await token(other, "admin");
    const results = await Promise.all(Array.from({ length: 31 }, (_, i) => gql(app, admin, ADD, { input: input(`dc-${i}`) })));
    expect(results.flatMap((r) => (r.errors ?? []).map((e) => `${e.extensions?.code}: ${e.message}`))).toEqual([
      expect.stringMatching(/^LIMIT_EXCEEDED: /),
    ]);
    expect(results.filter((r) => !r.errors).length).toBe(30);
    expect(await store.forTenant(other).directoryServiceCredential.count()).toBe(30);
  }, 60_000);

  it("stores only JWE: a pg_dump of the table as the app role holds no plaintext, and the JWE opens only for its own row", async () => {
    const admin = await token(tenant, "admin");
    const { data } = await gql<{ addDirectoryCredential: { id: string } }>(app, admin, ADD, { input: input("dumped") });
    const id = data!.addDirectoryCredential.id;
    const url = new URL(testServices.postgresUrl);
    const { stdout } = await run(
      "pg_dump",
      [
        "--data-only",
        "--enable-row-security",
        "--table=directory_service_credential",
        "--host",
        url.hostname,
        "--port",
        url.port || "5432",
        "--username",
        decodeURIComponent(url.username),
        url.pathname.slice(1),
      ],
      { env: { ...process.env, PGPASSWORD: decodeURIComponent(url.password), PGOPTIONS: `-c app.tenant_id=${tenant}` } },
    );
    expect(stdout).toContain("dumped"); // the row really is in the dump
    expect(stdout).toContain("svc-vigil");
    expect(stdout).not.toContain(PASSWORD);
    expect(stdout).not.toContain(Buffer.from(PASSWORD).toString("base64"));
    const row = await store.forTenant(tenant).directoryServiceCredential.findFirstOrThrow({ where: { id }, omit: { secretJwe: false } });
    expect(row.secretJwe.split(".")).toHaveLength(5);
    const box = createSecretBox(KEY);
    expect(await box.open(row.secretJwe, { tenantId: tenant, credentialId: id })).toBe(PASSWORD);
    await expect(box.open(row.secretJwe, { tenantId: other, credentialId: id })).rejects.toThrow(/another credential/);
    await expect(createSecretBox(Buffer.alloc(32, 1)).open(row.secretJwe, { tenantId: tenant, credentialId: id })).rejects.toThrow();
  });

  it("testConnection reports an LDAP port nobody listens on as unreachable, and records the result", async () => {
    const admin = await token(tenant, "admin");
    const { data } = await gql<{ addDirectoryCredential: { id: string } }>(app, admin, ADD, {
      input: input("closed", `ldap://127.0.0.1:${await closedPort()}`),
    });
    const id = data!.addDirectoryCredential.id;
    const tested = await gql(app, admin, `mutation($id: ID!) { testDirectoryCredential(id: $id) { ok reason message } }`, { id });
    expect(tested.data).toEqual({
      testDirectoryCredential: {
        ok: false,
        reason: "unreachable",
        message: expect.stringMatching(/cannot reach 127\.0\.0\.1:\d+ \(ECONNREFUSED\)/),
      },
    });
    const listed = await gql<{ directoryCredentials: { id: string; lastTestOk: boolean | null; lastTestAt: string | null }[] }>(
      app,
      admin,
      `{ directoryCredentials { id lastTestOk lastTestAt } }`,
    );
    expect(listed.data!.directoryCredentials.find((c) => c.id === id)).toMatchObject({ lastTestOk: false, lastTestAt: expect.any(String) });
  });

  it("testConnection reports a server that does not speak LDAP (an HTTP server) as a protocol error", async () => {
    const admin = await token(tenant, "admin");
    const { data } = await gql<{ addDirectoryCredential: { id: string } }>(app, admin, ADD, {
      input: input("http", `ldap://127.0.0.1:${apiPort}`),
    });
    const tested = await gql(app, admin, `mutation($id: ID!) { testDirectoryCredential(id: $id) { ok reason } }`, {
      id: data!.addDirectoryCredential.id,
    });
    expect(tested.data).toEqual({ testDirectoryCredential: { ok: false, reason: "protocol-error" } });
  });

  it("rejects malformed input with BAD_USER_INPUT and answers NOT_CONFIGURED without a secrets key", async () => {
    const admin = await token(tenant, "admin");
    for (const bad of [
      { ...input("x"), domainName: "not a domain" },
      { ...input("x"), ldapUrl: "http://dc01" },
      { ...input("x"), ldapUrl: "ldap://user:pw@dc01" },
      { ...input("x"), password: "" },
      { ...input(""), name: " " },
    ]) {
      expect(codes(await gql(app, admin, ADD, { input: bad })), JSON.stringify(bad)).toEqual(["BAD_USER_INPUT"]);
    }
    const keyless = await createApiServer({
      kind: "apollo",
      store,
      alertFeed: createInProcessAlertFeed(),
      auth: { keys: { kind: "secret", secret: SECRET }, issuer: ISSUER, audience: AUDIENCE },
    });
    try {
      expect(codes(await gql(keyless, admin, ADD, { input: input("nokey") }))).toEqual(["NOT_CONFIGURED"]);
    } finally {
      await keyless.close();
    }
  });
});
