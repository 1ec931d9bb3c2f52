import type { Viewer } from "../../auth/viewer.ts";
import { type Store, inViewerTenant } from "../../db.ts";
import { badInput } from "../../errors.ts";
import { type AlertRow, AlertStorage } from "../alerts/alert.storage.ts";
import { recordAudit } from "../audit/audit.storage.ts";
import { pageSize } from "../shared/pagination.ts";
import { validateDetectionId, validateEntityKey, validateEntityKeyForRemoval } from "./entity-key.ts";
import { type EntityTagId, EntityStorage } from "./entity.storage.ts";
import type { Entity, EntityTagKind, EntityTagPayload } from "./entity.types.ts";

const MAX_KEY = 512;

/** Entity use cases; recent activity (logons, sessions) will come from the identity graph. */
export class EntityManager {
  constructor(private readonly store: Store) {}

  /** The entity, or null when this tenant has neither a tag nor an alert mentioning it. */
  async get(viewer: Viewer, key: string): Promise<Entity | null> {
    if (key.length === 0 || key.length > MAX_KEY) throw badInput(`id must be 1-${MAX_KEY} characters`);
    return inViewerTenant(this.store, viewer, async (tx) => {
      const tags = await new EntityStorage(tx, viewer.tenantId).tags(key);
      if (tags.length > 0) return { id: key, tags };
      const [anyAlert] = await new AlertStorage(tx, viewer.tenantId).list({ entity: key }, 1);
      return anyAlert ? { id: key, tags } : null;
    });
  }

  /** Alerts whose primary or involved entity is `key`, newest activity first. */
  async recentAlerts(viewer: Viewer, key: string, first: number): Promise<AlertRow[]> {
    const size = pageSize(first);
    return inViewerTenant(this.store, viewer, (tx) => new AlertStorage(tx, viewer.tenantId).list({ entity: key }, size));
  }

  /**
   * Tags an entity for detection context (the processor picks it up on its next tag refresh).
   * Idempotent: tagging again changes nothing and answers `created: false`. Audited either way.
   */
  async tag(viewer: Viewer, rawKey: string, tag: EntityTagKind, rawDetectionId?: string | null): Promise<EntityTagPayload> {
    const id: EntityTagId = { entityKey: validateEntityKey(rawKey, tag), tag, detectionId: validateDetectionId(rawDetectionId, tag) };
    return inViewerTenant(this.store, viewer, async (tx) => {
      const entities = new EntityStorage(tx, viewer.tenantId);
      const created = await entities.addTag(id, viewer.subject);
      const row = await entities.findTag(id);
      if (!row) throw new Error("entity tag missing right after insert");
      await recordAudit(tx, viewer, {
        action: "entity:tag",
        target: `entity:${id.entityKey}`,
        before: { tag, detectionId: id.detectionId, tagged: !created },
        after: { tag, detectionId: id.detectionId, tagged: true },
      });
      return { tag: row, created, entity: { id: id.entityKey, tags: await entities.tags(id.entityKey) } };
    });
  }

  /** Removes a tag; false when the tenant had no such tag (idempotent). Audited either way. */
  async untag(viewer: Viewer, rawKey: string, tag: EntityTagKind, rawDetectionId?: string | null): Promise<boolean> {
    const id: EntityTagId = { entityKey: validateEntityKeyForRemoval(rawKey), tag, detectionId: validateDetectionId(rawDetectionId, tag) };
    return inViewerTenant(this.store, viewer, async (tx) => {
      const removed = await new EntityStorage(tx, viewer.tenantId).removeTag(id);
      await recordAudit(tx, viewer, {
        action: "entity:untag",
        target: `entity:${id.entityKey}`,
        before: { tag, detectionId: id.detectionId, tagged: removed },
        after: { tag, detectionId: id.detectionId, tagged: false },
      });
      return removed;
    });
  }
}
