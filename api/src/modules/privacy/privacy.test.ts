// Personal-data export and deletion, black-box on both servers over the embedded store and graph.
import type { RelationalStore } from "@vigil/db";
import { type MemoryIdentityGraph, createMemoryGraph } from "@vigil/graph-model";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PublishableAlertFeed } from "../../index.ts";
import { type ServerKind, alertRow, codes, createTenant, gql, openFixtures, startServer, token } from "../../testing/api-fixtures.ts";

let fixtures: { store: RelationalStore; feed: PublishableAlertFeed; graph: MemoryIdentityGraph };
beforeAll(async () => {
  fixtures = { ...(await openFixtures()), graph: createMemoryGraph() };
});
afterAll(async () => {
  await fixtures?.graph.close();
  await fixtures?.store.close();
});

const BOB = "S-1-5-21-8-8-8-1105";
const CAROL = "S-1-5-21-8-8-8-1106";
const EXPORT = `mutation($k: String!) { exportPersonalData(entityKey: $k) { entityKey exportedAt data } }`;
const DELETE = `mutation($k: String!) { deletePersonalData(entityKey: $k) { deleted blockingAlerts tagsDeleted activitiesDeleted } }`;

interface Exported {
  profile: { name: string } | null;
  activities: unknown[];
  tags: { tag: string }[];
  alerts: { id: string; evidence: unknown[]; comments: { text: string }[] }[];
  pendingDeletion: { requestedAt: string; lastAttemptAt: string | null; attempts: number } | null;
}

describe.each<ServerKind>(["mercurius", "apollo"])("personal data on %s", (kind) => {
  let app: FastifyInstance;
  const T = `${kind}-privacy`;
  const OTHER = `${kind}-privacy-other`;
  let closedAlert: string;
  let openAlert: string;

  beforeAll(async () => {
    app = await startServer(kind, fixtures);
    await createTenant(fixtures.store, T);
    await createTenant(fixtures.store, OTHER);
    const { graph, store } = fixtures;
    for (const tenant of [T, OTHER]) {
      await graph.upsertNodes(tenant, [
        { kind: "User", objectId: BOB, name: "bob", domain: "CORP" },
        { kind: "User", objectId: CAROL, name: "carol", domain: "CORP" },
        { kind: "Computer", objectId: "COMPUTER:WKS07", name: "WKS07" },
      ]);
      await graph.upsertEdges(tenant, [
        { kind: "HAS_SESSION", from: "COMPUTER:WKS07", to: BOB, source: "event:4624", lastSeen: new Date() },
        { kind: "HAS_SESSION", from: "COMPUTER:WKS07", to: CAROL, source: "event:4624", lastSeen: new Date() },
      ]);
    }
    const db = store.forTenant(T);
    closedAlert = (await db.alert.create({ data: { ...alertRow(T, { minutesAgo: 5, primaryEntity: `user:${BOB}` }), status: "closed" } }))
      .id;
    await db.alertComment.create({ data: { tenantId: T, alertId: closedAlert, author: "ana", text: "bob again" } });
    await db.alertEvidence.create({
      data: { tenantId: T, alertId: closedAlert, eventId: "e1", time: new Date(), summary: { eventId: 4769 } },
    });
    openAlert = (await db.alert.create({ data: alertRow(T, { minutesAgo: 1, primaryEntity: `user:${CAROL}` }) })).id;
    const admin = await token(T, "admin");
    for (const sid of [BOB, CAROL])
      await gql(app, admin, `mutation($k: String!) { tagEntity(entityKey: $k, tag: SENSITIVE) { created } }`, { k: `user:${sid}` });
  });
  afterAll(async () => {
    await app?.close();
  });

  it("exports profile, activities, alerts with evidence and comments, and tags as JSON, and audits the export", async () => {
    const response = await gql<{ exportPersonalData: { entityKey: string; data: Exported } }>(app, await token(T, "admin"), EXPORT, {
      k: `user:${BOB}`,
    });
    expect(response.errors).toBeUndefined();
    const { data } = response.data!.exportPersonalData;
    expect(data.profile).toMatchObject({ name: "bob" });
    expect(data.activities).toHaveLength(1);
    expect(data.tags.map((t) => t.tag)).toEqual(["sensitive"]);
    expect(data.alerts.map((a) => a.id)).toEqual([closedAlert]);
    expect(data.alerts[0]!.evidence).toHaveLength(1);
    expect(data.alerts[0]!.comments.map((c) => c.text)).toEqual(["bob again"]);
    expect(data.pendingDeletion).toBeNull();
    expect(JSON.stringify(data)).not.toContain("tenantId");
    const audit = await fixtures.store.forTenant(T).auditEntry.findMany({ where: { action: "personal-data:export" } });
    expect(audit.map((e) => e.target)).toContain(`entity:user:${BOB}`);
    expect(codes(await gql(app, await token(T, "operator"), EXPORT, { k: `user:${BOB}` }))).toEqual(["FORBIDDEN"]);
  });

  it("exports the processor's pending deletion of a person deleted from AD whom an open alert keeps (this tenant's only)", async () => {
    const requestedAt = new Date("2027-01-02T03:04:05.000Z");
    await fixtures.store.forTenant(T).transaction((tx) =>
      tx.pendingPersonalDataDeletion.create({
        data: { tenantId: T, sid: CAROL, names: ["carol", "CORP\\carol"], requestedAt, attempts: 2 },
      }),
    );
    const exported = async (tenant: string, k: string) =>
      (await gql<{ exportPersonalData: { data: Exported } }>(app, await token(tenant, "admin"), EXPORT, { k })).data!.exportPersonalData
        .data;
    for (const k of [`user:${CAROL}`, `account:${CAROL.toLowerCase()}`, "user:carol"]) {
      expect((await exported(T, k)).pendingDeletion).toEqual({ requestedAt: requestedAt.toISOString(), lastAttemptAt: null, attempts: 2 });
    }
    expect((await exported(T, `host:${CAROL}`)).pendingDeletion).toBeNull();
    expect((await exported(OTHER, `user:${CAROL}`)).pendingDeletion).toBeNull();
  });

  it("keeps a person who is part of an open alert, and deletes one who is not (tags and graph activity, this tenant only)", async () => {
    const admin = await token(T, "admin");
    const kept = await gql(app, admin, DELETE, { k: `user:${CAROL}` });
    expect(kept.data).toEqual({
      deletePersonalData: { deleted: false, blockingAlerts: [openAlert], tagsDeleted: 0, activitiesDeleted: 0 },
    });
    expect(await fixtures.graph.neighbours(T, CAROL)).toHaveLength(1);

    const pendingOf = (sid: string) =>
      fixtures.store.forTenant(T).transaction((tx) => tx.pendingPersonalDataDeletion.count({ where: { tenantId: T, sid } }));
    await fixtures.store
      .forTenant(T)
      .transaction((tx) => tx.pendingPersonalDataDeletion.create({ data: { tenantId: T, sid: BOB, names: ["bob"] } }));
    const gone = await gql(app, admin, DELETE, { k: `user:${BOB}` });
    // The processor's scheduled deletion of bob is done by this one; carol's (kept) stays scheduled.
    expect(await pendingOf(BOB)).toBe(0);
    expect(await pendingOf(CAROL)).toBe(1);
    expect(gone.data).toEqual({ deletePersonalData: { deleted: true, blockingAlerts: [], tagsDeleted: 1, activitiesDeleted: 1 } });
    expect(await fixtures.graph.neighbours(T, BOB)).toEqual([]);
    expect(await fixtures.store.forTenant(T).entityTag.count({ where: { entityKey: `user:${BOB}` } })).toBe(0);
    // The closed alert stays (it is the security record), and the other tenant's bob is untouched.
    expect(await fixtures.store.forTenant(T).alert.count({ where: { id: closedAlert } })).toBe(1);
    expect(await fixtures.graph.neighbours(OTHER, BOB)).toHaveLength(1);
    const actions = (
      await fixtures.store.forTenant(T).auditEntry.findMany({ where: { action: "personal-data:delete" }, orderBy: { at: "asc" } })
    ).map((e) => e.after);
    expect(actions).toEqual([
      { deleted: false, blockingAlerts: [openAlert], tagsDeleted: 0, activitiesDeleted: 0 },
      { deleted: true, blockingAlerts: [], tagsDeleted: 1, activitiesDeleted: 1 },
    ]);
  });
});
