// Entity tags (detection context) through the API, black-box through inject(), run identically on
// Mercurius and Apollo over the embedded store with the shared fixtures of api.test.ts.
import type { FastifyInstance } from "fastify";
import type { RelationalStore } from "@vigil/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PublishableAlertFeed } from "../../index.ts";
import { type ServerKind, codes, createTenant, gql, openFixtures, startServer, token } from "../../testing/api-fixtures.ts";

let fixtures: { store: RelationalStore; feed: PublishableAlertFeed };
beforeAll(async () => {
  fixtures = await openFixtures();
});
afterAll(async () => {
  await fixtures?.store.close();
});

const ACCOUNT = "user:S-1-5-21-7-7-7-1104";
const TAG = `mutation($key: String!, $tag: EntityTagKind!, $detectionId: String) {
  tagEntity(entityKey: $key, tag: $tag, detectionId: $detectionId) { created tag { kind detectionId createdAt } entity { id tags { kind detectionId } } }
}`;
const UNTAG = `mutation($key: String!, $tag: EntityTagKind!, $detectionId: String) {
  untagEntity(entityKey: $key, tag: $tag, detectionId: $detectionId)
}`;
const ENTITY = `query($id: ID!) { entity(id: $id) { id tags { kind detectionId } } }`;

interface TagData {
  tagEntity: {
    created: boolean;
    tag: { kind: string; detectionId: string | null; createdAt: string };
    entity: { id: string; tags: { kind: string; detectionId: string | null }[] };
  };
}
interface EntityData {
  entity: { id: string; tags: { kind: string; detectionId: string | null }[] } | null;
}

describe.each<ServerKind>(["mercurius", "apollo"])("entity tags on %s", (kind) => {
  let app: FastifyInstance;
  let tenantA: string;
  let tenantB: string;
  let adminA: string;
  let operatorA: string;
  let readerA: string;
  let adminB: string;

  beforeAll(async () => {
    app = await startServer(kind, fixtures);
    tenantA = await createTenant(fixtures.store, `${kind}-tags-a`);
    tenantB = await createTenant(fixtures.store, `${kind}-tags-b`);
    [adminA, operatorA, readerA, adminB] = await Promise.all([
      token(tenantA, "admin"),
      token(tenantA, "operator"),
      token(tenantA, "reader"),
      token(tenantB, "admin"),
    ]);
  });
  afterAll(async () => {
    await app?.close();
  });

  const entityOf = async (bearer: string, id: string) => (await gql<EntityData>(app, bearer, ENTITY, { id })).data!.entity;

  it("tags an account sensitive and honeytoken and excludes it from one detection; entity(id) lists the tags", async () => {
    const sensitive = await gql<TagData>(app, adminA, TAG, { key: ACCOUNT, tag: "SENSITIVE" });
    expect(sensitive.errors).toBeUndefined();
    expect(sensitive.data!.tagEntity).toMatchObject({ created: true, tag: { kind: "SENSITIVE", detectionId: null } });
    expect(Date.parse(sensitive.data!.tagEntity.tag.createdAt)).not.toBeNaN();

    const honeytoken = await gql<TagData>(app, adminA, TAG, { key: ACCOUNT, tag: "HONEYTOKEN" });
    expect(honeytoken.data!.tagEntity.created).toBe(true);
    const excluded = await gql<TagData>(app, adminA, TAG, { key: ACCOUNT, tag: "EXCLUDED", detectionId: "kerberoasting" });
    expect(excluded.data!.tagEntity).toMatchObject({
      created: true,
      tag: { kind: "EXCLUDED", detectionId: "kerberoasting" },
      entity: { id: ACCOUNT },
    });
    expect(excluded.data!.tagEntity.entity.tags).toHaveLength(3);

    expect(await entityOf(readerA, ACCOUNT)).toEqual({
      id: ACCOUNT,
      tags: [
        { kind: "SENSITIVE", detectionId: null },
        { kind: "HONEYTOKEN", detectionId: null },
        { kind: "EXCLUDED", detectionId: "kerberoasting" },
      ],
    });
    const rows = await fixtures.store.forTenant(tenantA).entityTag.findMany({ where: { tenantId: tenantA, entityKey: ACCOUNT } });
    expect(rows.map((r) => r.createdBy)).toEqual([`admin@${tenantA}`, `admin@${tenantA}`, `admin@${tenantA}`]);
  });

  it("is idempotent: tagging again adds nothing, also for an exclusion from all detections (null detectionId)", async () => {
    const again = await gql<TagData>(app, adminA, TAG, { key: ACCOUNT, tag: "SENSITIVE" });
    expect(again.errors).toBeUndefined();
    expect(again.data!.tagEntity.created).toBe(false);
    for (const expected of [true, false]) {
      const all = await gql<TagData>(app, adminA, TAG, { key: "host:ws01", tag: "EXCLUDED" });
      expect(all.data!.tagEntity).toMatchObject({ created: expected, tag: { kind: "EXCLUDED", detectionId: null } });
    }
    const db = fixtures.store.forTenant(tenantA);
    expect(await db.entityTag.count({ where: { tenantId: tenantA, entityKey: ACCOUNT } })).toBe(3);
    expect(await db.entityTag.count({ where: { tenantId: tenantA, entityKey: "host:ws01" } })).toBe(1);
  });

  it("untags: removes exactly the named tag, then answers false", async () => {
    const removed = await gql<{ untagEntity: boolean }>(app, adminA, UNTAG, {
      key: ACCOUNT,
      tag: "EXCLUDED",
      detectionId: "kerberoasting",
    });
    expect(removed.errors).toBeUndefined();
    expect(removed.data!.untagEntity).toBe(true);
    expect((await entityOf(readerA, ACCOUNT))!.tags).toEqual([
      { kind: "SENSITIVE", detectionId: null },
      { kind: "HONEYTOKEN", detectionId: null },
    ]);
    const again = await gql<{ untagEntity: boolean }>(app, adminA, UNTAG, { key: ACCOUNT, tag: "EXCLUDED", detectionId: "kerberoasting" });
    expect(again.data!.untagEntity).toBe(false);
    // The exclusion from all detections is a different tag from the one-detection exclusion.
    expect((await gql<{ untagEntity: boolean }>(app, adminA, UNTAG, { key: "host:ws01", tag: "EXCLUDED" })).data!.untagEntity).toBe(true);
    expect(await entityOf(readerA, "host:ws01")).toBeNull();
  });

  it("writes an audit entry with before/after for every tag and untag", async () => {
    const db = fixtures.store.forTenant(tenantA);
    const tagged = await db.auditEntry.findMany({ where: { tenantId: tenantA, action: "entity:tag" }, orderBy: [{ at: "asc" }] });
    expect(tagged).toHaveLength(6);
    expect(tagged.every((e) => e.actor === `admin@${tenantA}`)).toBe(true);
    expect(tagged).toContainEqual(
      expect.objectContaining({
        target: `entity:${ACCOUNT}`,
        before: { tag: "sensitive", detectionId: null, tagged: false },
        after: { tag: "sensitive", detectionId: null, tagged: true },
      }),
    );
    expect(tagged).toContainEqual(
      expect.objectContaining({
        target: `entity:${ACCOUNT}`,
        before: { tag: "sensitive", detectionId: null, tagged: true },
        after: { tag: "sensitive", detectionId: null, tagged: true },
      }),
    );
    const untagged = await db.auditEntry.findMany({ where: { tenantId: tenantA, action: "entity:untag" }, orderBy: [{ at: "asc" }] });
    expect(untagged.map((e) => [e.target, e.before, e.after])).toEqual([
      [
        `entity:${ACCOUNT}`,
        { tag: "excluded", detectionId: "kerberoasting", tagged: true },
        { tag: "excluded", detectionId: "kerberoasting", tagged: false },
      ],
      [
        `entity:${ACCOUNT}`,
        { tag: "excluded", detectionId: "kerberoasting", tagged: false },
        { tag: "excluded", detectionId: "kerberoasting", tagged: false },
      ],
      ["entity:host:ws01", { tag: "excluded", detectionId: null, tagged: true }, { tag: "excluded", detectionId: null, tagged: false }],
    ]);
  });

  it("refuses readers and operators (FORBIDDEN) and changes nothing", async () => {
    for (const bearer of [readerA, operatorA]) {
      expect(codes(await gql(app, bearer, TAG, { key: "user:bob", tag: "SENSITIVE" }))).toEqual(["FORBIDDEN"]);
      expect(codes(await gql(app, bearer, UNTAG, { key: ACCOUNT, tag: "SENSITIVE" }))).toEqual(["FORBIDDEN"]);
    }
    expect(codes(await gql(app, undefined, TAG, { key: "user:bob", tag: "SENSITIVE" }))).toEqual(["UNAUTHENTICATED"]);
    expect(await entityOf(readerA, "user:bob")).toBeNull();
    expect((await entityOf(readerA, ACCOUNT))!.tags).toHaveLength(2);
  });

  it("accepts every key format the processor understands", async () => {
    const keys: [string, string][] = [
      ["S-1-5-21-1-2-3-500", "SENSITIVE"],
      ["account:CORP\\svc-sql", "SENSITIVE"],
      ["user:bob@corp.lab", "HONEYTOKEN"],
      ["group:Domain Admins", "SENSITIVE"],
      ["computer:WS01$", "SENSITIVE"],
      ["sid:S-1-5-21-1-2-3-1105", "HONEYTOKEN"],
      ["john.smith", "HONEYTOKEN"],
      ["host:10.0.0.5", "EXCLUDED"],
      ["ip:10.0.0.0/24", "EXCLUDED"],
      ["fe80::1", "EXCLUDED"],
      ["entity:ws02", "EXCLUDED"],
    ];
    for (const [key, tag] of keys) {
      const result = await gql<TagData>(app, adminA, TAG, { key, tag });
      expect(result.errors, key).toBeUndefined();
      expect(result.data!.tagEntity.entity.id).toBe(key);
    }
  });

  it("rejects bad input with BAD_USER_INPUT and a reason", async () => {
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ key: "", tag: "SENSITIVE" }, /1-256 characters/],
      [{ key: "   ", tag: "SENSITIVE" }, /1-256 characters/],
      [{ key: `user:${"a".repeat(260)}`, tag: "SENSITIVE" }, /1-256 characters/],
      [{ key: "foo:bar", tag: "SENSITIVE" }, /unknown kind prefix "foo:"/],
      [{ key: "user:", tag: "SENSITIVE" }, /nothing after it/],
      [{ key: "user:S-1-5-x", tag: "SENSITIVE" }, /not a valid SID/],
      [{ key: "sid:bob", tag: "SENSITIVE" }, /must be followed by a SID/],
      [{ key: "ip:ws01", tag: "EXCLUDED" }, /IP address or IPv4 CIDR/],
      [{ key: "ip:10.0.0.0/40", tag: "EXCLUDED" }, /not an IPv4 CIDR/],
      [{ key: "computer:ws01.corp.lab", tag: "EXCLUDED" }, /first DNS label/],
      [{ key: "user:bad*name", tag: "SENSITIVE" }, /not a SID, account name/],
      [{ key: "ip:10.0.0.5", tag: "HONEYTOKEN" }, /only EXCLUDED applies to IP addresses/],
      [{ key: ACCOUNT, tag: "SENSITIVE", detectionId: "dcsync" }, /detectionId applies only to EXCLUDED/],
      [{ key: ACCOUNT, tag: "EXCLUDED", detectionId: "DCSync!" }, /detectionId must be a detection id/],
      [{ key: ACCOUNT, tag: "EXCLUDED", detectionId: "" }, /detectionId must be a detection id/],
    ];
    for (const [variables, reason] of bad) {
      const result = await gql(app, adminA, TAG, variables);
      expect(codes(result), JSON.stringify(variables)).toEqual(["BAD_USER_INPUT"]);
      expect(result.errors![0]!.message).toMatch(reason);
    }
    const untag = await gql(app, adminA, UNTAG, { key: ACCOUNT, tag: "HONEYTOKEN", detectionId: "dcsync" });
    expect(codes(untag)).toEqual(["BAD_USER_INPUT"]);
    expect(codes(await gql(app, adminA, `mutation { tagEntity(entityKey: "bob", tag: SECRET) { created } }`))).toEqual([
      "GRAPHQL_VALIDATION_FAILED",
    ]);
    expect(await entityOf(readerA, "foo:bar")).toBeNull();
  });

  it("keeps tenants apart: tenant B neither sees nor removes tenant A's tags", async () => {
    expect(await entityOf(adminB, ACCOUNT)).toBeNull();
    const removed = await gql<{ untagEntity: boolean }>(app, adminB, UNTAG, { key: ACCOUNT, tag: "SENSITIVE" });
    expect(removed.errors).toBeUndefined();
    expect(removed.data!.untagEntity).toBe(false);
    expect((await entityOf(readerA, ACCOUNT))!.tags).toHaveLength(2);

    // B's own tag on the same key is B's alone; A's copy is untouched.
    const ofB = await gql<TagData>(app, adminB, TAG, { key: ACCOUNT, tag: "SENSITIVE" });
    expect(ofB.data!.tagEntity).toMatchObject({ created: true, entity: { tags: [{ kind: "SENSITIVE", detectionId: null }] } });
    expect((await gql<{ untagEntity: boolean }>(app, adminB, UNTAG, { key: ACCOUNT, tag: "SENSITIVE" })).data!.untagEntity).toBe(true);
    expect((await entityOf(readerA, ACCOUNT))!.tags).toHaveLength(2);
    const auditOfB = await fixtures.store.forTenant(tenantB).auditEntry.findMany({ where: { tenantId: tenantB } });
    expect(auditOfB.map((e) => e.actor)).toEqual([`admin@${tenantB}`, `admin@${tenantB}`, `admin@${tenantB}`]);
  });
});

describe.each<ServerKind>(["mercurius", "apollo"])("server-role tags on %s", (kind) => {
  let app: FastifyInstance;
  let tenant: string;
  let admin: string;

  beforeAll(async () => {
    app = await startServer(kind, fixtures);
    tenant = await createTenant(fixtures.store, `${kind}-roles`);
    admin = await token(tenant, "admin");
  });
  afterAll(async () => {
    await app?.close();
  });

  it("tags servers by host, SID or IP with DC, ADFS, EXCHANGE and ADCS; the rows are what the processor loads", async () => {
    const cases = [
      { key: "host:dc02", tag: "DC" },
      { key: "ip:10.0.0.40", tag: "ADFS" },
      { key: "sid:S-1-5-21-7-7-7-2001", tag: "EXCHANGE" },
      { key: "computer:ca01", tag: "ADCS" },
    ];
    for (const c of cases) {
      const res = await gql<TagData>(app, admin, TAG, c);
      expect(res.errors).toBeUndefined();
      expect(res.data!.tagEntity).toMatchObject({ created: true, tag: { kind: c.tag, detectionId: null } });
    }
    const rows = await fixtures.store.forTenant(tenant).entityTag.findMany({ where: { tenantId: tenant }, orderBy: { entityKey: "asc" } });
    expect(rows.map((r) => [r.entityKey, r.tag])).toEqual([
      ["computer:ca01", "adcs"],
      ["host:dc02", "dc"],
      ["ip:10.0.0.40", "adfs"],
      ["sid:S-1-5-21-7-7-7-2001", "exchange"],
    ]);
  });

  it("refuses a role on a CIDR, on an account, or with a detection id, saying why", async () => {
    const refused = [
      { key: "ip:10.0.0.0/24", tag: "DC", reason: "names one server" },
      { key: "user:bob", tag: "ADFS", reason: "not an account or group" },
      { key: "host:dc03", tag: "DC", detectionId: "dcsync", reason: "only to EXCLUDED" },
    ];
    for (const { reason, ...vars } of refused) {
      const res = await gql(app, admin, TAG, vars);
      expect(codes(res)).toEqual(["BAD_USER_INPUT"]);
      expect(res.errors![0]!.message).toContain(reason);
    }
    expect(await fixtures.store.forTenant(tenant).entityTag.count({ where: { tenantId: tenant, entityKey: "host:dc03" } })).toBe(0);
  });
});
