// The alert writer over the embedded store (PGlite, the same migrations and RLS as PostgreSQL).
import { openRelationalStore, type RelationalStore } from "@vigil/db";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Alert } from "../engine/alerts.ts";
import { createTenant } from "../runtime/test-harness.ts";
import { writeAlert } from "./alert-writer.ts";

const TENANT = "writer-t1";
let store: RelationalStore;
beforeAll(async () => {
  store = await openRelationalStore();
  await createTenant(store, TENANT);
});
afterAll(async () => {
  await store?.close();
});

const version = (count: number, evidenceEventIds: string[]): Alert => ({
  id: "a".repeat(32),
  tenantId: TENANT,
  detectionId: "brute-force",
  title: "Brute force",
  description: "bob: 12 wrong passwords",
  severity: "medium",
  mitre: ["T1110"],
  primaryEntity: "user:bob",
  entities: [],
  evidenceEventIds,
  evidenceCount: count,
  count,
  firstSeen: "2026-11-25T10:00:00.000Z",
  lastSeen: "2026-11-25T10:05:00.000Z",
  recommendedActions: [],
});
const lookup = (eventId: string) => ({ time: "2026-11-25T10:01:00.000Z", summary: { eventId } });
const stored = async () =>
  (await store.forTenant(TENANT).alertEvidence.findMany({ where: { alertId: "a".repeat(32) }, orderBy: { eventId: "asc" } })).map(
    (r) => r.eventId,
  );

it("keeps the evidence rows equal to the engine's bounded list, so a restarted engine's list replaces the dead one's", async () => {
  expect((await writeAlert(store, version(2, ["e1", "e2"]), lookup)).outcome).toBe("created");
  expect(await stored()).toEqual(["e1", "e2"]);
  // After a crash the restarted engine took e3 before the redelivered e2 filled its list.
  expect((await writeAlert(store, version(3, ["e1", "e3"]), lookup)).outcome).toBe("updated");
  expect(await stored()).toEqual(["e1", "e3"]);
});

it("removes nothing while the engine is behind the stored version (a replay catching up)", async () => {
  expect((await writeAlert(store, version(1, ["e9"]), lookup)).outcome).toBe("unchanged");
  expect(await stored()).toEqual(["e1", "e3", "e9"]);
});
