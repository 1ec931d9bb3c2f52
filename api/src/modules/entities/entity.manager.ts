import type { EdgeKind, IdentityGraph } from "@vigil/graph-model";
import type { Viewer } from "../../auth/viewer.ts";
import { type Store, inViewerTenant } from "../../db.ts";
import { badInput } from "../../errors.ts";
import { type AlertRow, AlertStorage } from "../alerts/alert.storage.ts";
import { recordAudit } from "../audit/audit.storage.ts";
import { pageSize } from "../shared/pagination.ts";
import { entityKeyOf, graphObjectId } from "./entity-graph.ts";
import { validateDetectionId, validateEntityKey, validateEntityKeyForRemoval } from "./entity-key.ts";
import { type EntityTagId, EntityStorage } from "./entity.storage.ts";
import type { ActivityDirection, Entity, EntityActivity, EntityActivityKind, EntityTagKind, EntityTagPayload } from "./entity.types.ts";

const MAX_KEY = 512;

const ACTIVITY_KIND: Record<EdgeKind, EntityActivityKind> = { HAS_SESSION: "session", MEMBER_OF: "membership", ADMIN_TO: "admin" };
const ACTIVITY_EDGES = Object.keys(ACTIVITY_KIND) as EdgeKind[];
/**
 * How many edges are read to pick the newest: the port orders neighbours by kind and objectId, not
 * by time, so all of them (up to the port's ceiling) are sorted here. A group with more members
 * than this shows the newest of the first ones the port returns.
 */
const ACTIVITY_SCAN = 10_000;

/** Entity use cases: tags and alerts from the relational store, recent activity from the identity graph. */
export class EntityManager {
  constructor(
    private readonly store: Store,
    /** Absent: no identity graph is configured, and entities have no recent activity. */
    private readonly graph?: IdentityGraph,
  ) {}

  /** The entity, or null when this tenant has no tag, no alert and no graph node for it. */
  async get(viewer: Viewer, key: string): Promise<Entity | null> {
    if (key.length === 0 || key.length > MAX_KEY) throw badInput(`id must be 1-${MAX_KEY} characters`);
    const known = await inViewerTenant(this.store, viewer, async (tx) => {
      const tags = await new EntityStorage(tx, viewer.tenantId).tags(key);
      if (tags.length > 0) return { id: key, tags };
      const [anyAlert] = await new AlertStorage(tx, viewer.tenantId).list({ entity: key }, 1);
      return anyAlert ? { id: key, tags } : null;
    });
    if (known) return known;
    const objectId = this.graph ? graphObjectId(key) : undefined;
    if (!this.graph || !objectId) return null;
    return (await this.graph.getNode(viewer.tenantId, objectId)) ? { id: key, tags: [] } : null;
  }

  /**
   * The entity's identity graph edges (sessions, memberships, admin rights) in the viewer's tenant,
   * newest lastSeen first; empty when no graph is configured or the key names no graph node (ip:…).
   */
  async recentActivity(viewer: Viewer, key: string, first: number): Promise<EntityActivity[]> {
    const size = pageSize(first);
    const objectId = graphObjectId(key);
    if (!this.graph || !objectId) return [];
    const rows = await this.graph.neighbours(viewer.tenantId, objectId, {
      edgeKinds: ACTIVITY_EDGES,
      direction: "both",
      limit: ACTIVITY_SCAN,
    });
    return rows
      .map(({ node, edge }): EntityActivity => {
        const direction: ActivityDirection = edge.from === objectId ? "out" : "in";
        return {
          kind: ACTIVITY_KIND[edge.kind],
          direction,
          counterpart: { objectId: node.objectId, kind: node.kind, name: node.name, entityKey: entityKeyOf(node) },
          source: edge.source,
          firstSeen: edge.firstSeen,
          lastSeen: edge.lastSeen,
        };
      })
      .sort((a, b) => b.lastSeen.getTime() - a.lastSeen.getTime() || a.counterpart.objectId.localeCompare(b.counterpart.objectId))
      .slice(0, size);
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
