import type { Viewer } from "../../auth/viewer.ts";
import { type Store, inViewerTenant } from "../../db.ts";
import { badInput } from "../../errors.ts";
import { type AlertRow, AlertStorage } from "../alerts/alert.storage.ts";
import { pageSize } from "../shared/pagination.ts";
import { EntityStorage } from "./entity.storage.ts";
import type { Entity } from "./entity.types.ts";

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
}
