/**
 * Folds `entity.snapshot` events into a tenant's DirectorySnapshot, incrementally: LDAP sync emits
 * one event per object version (whole attribute set, so a cleared attribute is simply absent) and
 * a `deleted` event for tombstones and for objects a full pass no longer finds.
 *
 * Versions are ordered by event time (whenChanged, or the sync time for deletions found by a full
 * pass), never by uSNChanged: USNs are per DC and a sync may move to another DC. A version older
 * than the one held, or than the object's deletion, is ignored, so replays and late events are
 * harmless and folding is idempotent.
 */
import type { VigilEvent } from "@vigil/sensor/contract";
import { PostureInputError } from "./errors.ts";
import type { DirectorySnapshot } from "./model.ts";

/** How long a deletion is remembered (AD's default tombstone lifetime). */
export const TOMBSTONE_DAYS = 180;

/** What folding one event did. */
export type FoldOutcome = "upserted" | "deleted" | "stale";

/** A new, never-synced snapshot for a tenant. */
export function emptySnapshot(tenantId: string): DirectorySnapshot {
  return { tenantId, objects: new Map(), tombstones: new Map() };
}

const ms = (iso: string) => Date.parse(iso);

/**
 * Applies one event to the snapshot (mutating it). Throws PostureInputError, leaving the snapshot
 * untouched, for an event that is not an entity.snapshot or belongs to another tenant.
 */
export function foldEntitySnapshot(snapshot: DirectorySnapshot, event: VigilEvent): FoldOutcome {
  if (event.kind !== "entity.snapshot")
    throw new PostureInputError("POSTURE_NOT_A_SNAPSHOT", `event ${event.id} is ${event.kind}, not entity.snapshot`);
  if (event.tenantId !== snapshot.tenantId)
    throw new PostureInputError(
      "POSTURE_TENANT_MISMATCH",
      `event ${event.id} belongs to tenant ${event.tenantId}, not ${snapshot.tenantId}`,
    );
  const { entity } = event;
  const time = ms(event.time);
  const held = snapshot.objects.get(entity.objectId);
  const deletedAt = snapshot.tombstones.get(entity.objectId);
  if ((held && time < ms(held.time)) || (deletedAt !== undefined && time <= ms(deletedAt))) return "stale";
  if (!snapshot.syncedAt || time > ms(snapshot.syncedAt)) snapshot.syncedAt = event.time;
  if (entity.deleted) {
    snapshot.objects.delete(entity.objectId);
    snapshot.tombstones.set(entity.objectId, event.time);
    return "deleted";
  }
  snapshot.tombstones.delete(entity.objectId);
  snapshot.objects.set(entity.objectId, {
    objectId: entity.objectId,
    objectType: entity.objectType,
    ...(entity.dn !== undefined ? { dn: entity.dn } : {}),
    ...(entity.name !== undefined ? { name: entity.name } : {}),
    attributes: { ...entity.attributes },
    time: event.time,
  });
  return "upserted";
}

/** Forgets deletions older than the tombstone lifetime (bounded memory); returns how many went. */
export function pruneTombstones(snapshot: DirectorySnapshot, now: string): number {
  const limit = ms(now) - TOMBSTONE_DAYS * 86_400_000;
  let n = 0;
  for (const [id, at] of snapshot.tombstones)
    if (ms(at) < limit) {
      snapshot.tombstones.delete(id);
      n++;
    }
  return n;
}
