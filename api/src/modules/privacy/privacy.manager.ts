import type { IdentityGraph } from "@vigil/graph-model";
import type { Viewer } from "../../auth/viewer.ts";
import { type Store, type TenantTx, inViewerTenant } from "../../db.ts";
import { mentions } from "../alerts/alert.storage.ts";
import { recordAudit } from "../audit/audit.storage.ts";
import { graphObjectId } from "../entities/entity-graph.ts";
import { validateEntityKeyForRemoval } from "../entities/entity-key.ts";
import type { PersonalDataDeletion, PersonalDataExport } from "./privacy.types.ts";

// Ceilings so one export stays one response; a person with more is exceptional and still bounded.
const MAX_ALERTS = 500;
const MAX_PER_ALERT = 500;
const MAX_ACTIVITIES = 10_000;

/**
 * Data-subject requests: export everything Vigil holds about one entity, and delete it. Deletion
 * follows MDI: a person who is part of an open alert is kept until the alert is closed.
 */
export class PrivacyManager {
  constructor(
    private readonly store: Store,
    private readonly graph?: IdentityGraph,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async export(viewer: Viewer, rawKey: string): Promise<PersonalDataExport> {
    const entityKey = validateEntityKeyForRemoval(rawKey);
    const objectId = graphObjectId(entityKey);
    const profile = this.graph && objectId ? await this.graph.getNode(viewer.tenantId, objectId) : null;
    const activities = this.graph && objectId ? await this.graph.neighbours(viewer.tenantId, objectId, { limit: MAX_ACTIVITIES }) : [];
    const exportedAt = this.now();
    const relational = await inViewerTenant(this.store, viewer, async (tx) => {
      const found = await relationalData(tx, viewer.tenantId, entityKey);
      await recordAudit(tx, viewer, {
        action: "personal-data:export",
        target: `entity:${entityKey}`,
        after: { alerts: found.alerts.length, tags: found.tags.length, activities: activities.length, profile: profile !== null },
      });
      return found;
    });
    // The tenant is the caller's own; leaving it out keeps the export about the person only.
    const withoutTenant = <T extends { tenantId: string }>({ tenantId: _t, ...rest }: T) => rest;
    return {
      entityKey,
      exportedAt,
      data: {
        profile: profile && withoutTenant(profile),
        activities: activities.map(({ node, edge }) => ({ node: withoutTenant(node), edge })),
        ...relational,
      },
    };
  }

  /** Deletes the person's tags and graph activity unless an open alert involves them. */
  async delete(viewer: Viewer, rawKey: string): Promise<PersonalDataDeletion> {
    const entityKey = validateEntityKeyForRemoval(rawKey);
    const objectId = graphObjectId(entityKey);
    return inViewerTenant(this.store, viewer, async (tx) => {
      const open = await tx.alert.findMany({
        select: { id: true },
        where: { AND: [{ tenantId: viewer.tenantId, status: "open" }, mentions(entityKey)] },
        take: MAX_ALERTS,
      });
      let tagsDeleted = 0;
      let activitiesDeleted = 0;
      if (open.length === 0) {
        tagsDeleted = (await tx.entityTag.deleteMany({ where: { tenantId: viewer.tenantId, entityKey } })).count;
        if (this.graph && objectId) {
          const edges = await this.graph.neighbours(viewer.tenantId, objectId, { limit: MAX_ACTIVITIES });
          activitiesDeleted = await this.graph.removeEdges(
            viewer.tenantId,
            edges.map(({ edge }) => ({ kind: edge.kind, from: edge.from, to: edge.to })),
          );
        }
      }
      // The processor's scheduled deletion of this person (deleted from AD) is now done as well.
      if (open.length === 0) await tx.pendingPersonalDataDeletion.deleteMany({ where: pendingDeletionOf(viewer.tenantId, entityKey) });
      const result = { entityKey, deleted: open.length === 0, blockingAlerts: open.map((a) => a.id), tagsDeleted, activitiesDeleted };
      await recordAudit(tx, viewer, {
        action: "personal-data:delete",
        target: `entity:${entityKey}`,
        after: { deleted: result.deleted, blockingAlerts: result.blockingAlerts, tagsDeleted, activitiesDeleted },
      });
      return result;
    });
  }
}

async function relationalData(tx: TenantTx, tenantId: string, entityKey: string) {
  const tags = await tx.entityTag.findMany({
    select: { tag: true, detectionId: true, createdBy: true, createdAt: true },
    where: { tenantId, entityKey },
    orderBy: { createdAt: "asc" },
  });
  const alerts = await tx.alert.findMany({
    omit: { tenantId: true },
    where: { AND: [{ tenantId }, mentions(entityKey)] },
    orderBy: [{ lastSeen: "desc" }, { id: "desc" }],
    take: MAX_ALERTS,
    include: {
      evidence: { omit: { tenantId: true, alertId: true }, orderBy: { time: "asc" }, take: MAX_PER_ALERT },
      comments: { omit: { tenantId: true, alertId: true }, orderBy: { createdAt: "asc" }, take: MAX_PER_ALERT },
    },
  });
  // Deleted from AD but kept for an open alert: the export says the deletion is scheduled and since when.
  const pendingDeletion = await tx.pendingPersonalDataDeletion.findFirst({
    select: { requestedAt: true, lastAttemptAt: true, attempts: true },
    where: pendingDeletionOf(tenantId, entityKey),
  });
  return { tags, alerts, pendingDeletion };
}

/**
 * The processor's pending-deletion row of a `user:` / `account:` key: by SID (stored upper-case) or by
 * one of the names the tombstone carried (sAMAccountName, DOMAIN\sam). Other kinds never have one.
 */
function pendingDeletionOf(tenantId: string, entityKey: string) {
  const [kind, ...rest] = entityKey.split(":");
  const id = rest.join(":");
  if (!/^(user|account)$/i.test(kind ?? "") || id === "") return { tenantId, sid: { in: [] as string[] } };
  return { tenantId, OR: [{ sid: id.toUpperCase() }, { names: { has: id } }] };
}
