import type { Viewer } from "../../auth/viewer.ts";
import { type Store, inViewerTenant } from "../../db.ts";
import { badInput, notFound } from "../../errors.ts";
import type { AlertFeed, AlertPayload } from "../../feed/alert-feed.ts";
import { recordAudit } from "../audit/audit.storage.ts";
import { MAX_PAGE_SIZE, decodeCursor, encodeCursor, pageSize } from "../shared/pagination.ts";
import { filterAsync } from "./filter-async.ts";
import { type AlertQuery, type AlertRow, AlertStorage } from "./alert.storage.ts";
import {
  type AlertClassification,
  type AlertConnection,
  type AlertFeedFilter,
  type AlertFilter,
  type AlertStatus,
  AlertStatus as Status,
} from "./alert.types.ts";

// Same ceiling as pages, which is also what the complexity estimate assumes for a variable `first`.
export const MAX_EVIDENCE = MAX_PAGE_SIZE;

/** Alert use cases; every method is scoped to the viewer's tenant. */
export class AlertManager {
  constructor(
    private readonly store: Store,
    private readonly feed: AlertFeed,
  ) {}

  async list(
    viewer: Viewer,
    filter: AlertFilter | null | undefined,
    first?: number | null,
    after?: string | null,
  ): Promise<AlertConnection> {
    const size = pageSize(first);
    const position = after ? decodeCursor(after) : undefined;
    const query = normalizeFilter(filter);
    // One extra row tells whether another page exists without a COUNT(*).
    const rows = await inViewerTenant(this.store, viewer, (tx) => new AlertStorage(tx, viewer.tenantId).list(query, size + 1, position));
    const page = rows.slice(0, size);
    const edges = page.map((node) => ({ node, cursor: encodeCursor({ at: node.lastSeen, id: node.id }) }));
    return { edges, pageInfo: { hasNextPage: rows.length > size, endCursor: edges.at(-1)?.cursor ?? null } };
  }

  /** The alert, or null when it does not exist for this tenant (another tenant's id looks the same). */
  async get(viewer: Viewer, id: string): Promise<AlertRow | null> {
    return inViewerTenant(this.store, viewer, (tx) => new AlertStorage(tx, viewer.tenantId).find(id));
  }

  async evidence(viewer: Viewer, alertId: string, first: number) {
    if (!Number.isInteger(first) || first < 1 || first > MAX_EVIDENCE) throw badInput(`first must be between 1 and ${MAX_EVIDENCE}`);
    return inViewerTenant(this.store, viewer, (tx) => new AlertStorage(tx, viewer.tenantId).evidence(alertId, first));
  }

  /**
   * Triage. Reopening clears the classification (it described the closed state); closing or
   * suppressing keeps the previous classification unless a new one is given.
   */
  async updateStatus(viewer: Viewer, id: string, status: AlertStatus, classification?: AlertClassification | null): Promise<AlertRow> {
    if (status === Status.OPEN && classification) throw badInput("classification applies only to closed or suppressed alerts");
    return inViewerTenant(this.store, viewer, async (tx) => {
      const alerts = new AlertStorage(tx, viewer.tenantId);
      const before = await alerts.find(id);
      if (!before) throw notFound("Alert");
      const next = { status, classification: status === Status.OPEN ? null : (classification ?? before.classification) };
      const after = await alerts.setStatus(id, next);
      if (!after) throw notFound("Alert");
      await recordAudit(tx, viewer, {
        action: "alert:triage",
        target: `alert:${id}`,
        before: { status: before.status, classification: before.classification },
        after: next,
      });
      return after;
    });
  }

  /** Live alerts of the viewer's tenant that match the filter. */
  live(viewer: Viewer, filter: AlertFeedFilter | null | undefined): AsyncIterable<AlertPayload> {
    const severity = nonEmpty(filter?.severity);
    const types = nonEmpty(filter?.type);
    const entity = filter?.entity ?? undefined;
    return filterAsync(
      this.feed.subscribe(viewer.tenantId),
      (alert) =>
        // The tenant check repeats the feed's topic scoping: a mis-keyed publish must still not leak.
        alert.tenantId === viewer.tenantId &&
        (!severity || severity.includes(alert.severity)) &&
        (!types || types.includes(alert.detectionId)) &&
        (!entity || alert.primaryEntity === entity || entityKeys(alert.entities).includes(entity)),
    );
  }
}

/** The alert as the GraphQL Alert type shows it; a new alert has no triage state yet. */
export function alertFromPayload(alert: AlertPayload): AlertRow {
  const { tenantId: _tenant, ...fields } = alert;
  return { ...fields, classification: null, assignee: null };
}

function normalizeFilter(filter: AlertFilter | null | undefined): AlertQuery {
  if (filter?.from && filter.to && filter.from > filter.to) throw badInput("filter.from must not be after filter.to");
  return {
    status: nonEmpty(filter?.status),
    severity: nonEmpty(filter?.severity),
    detectionIds: nonEmpty(filter?.type),
    entity: filter?.entity ?? undefined,
    from: filter?.from ?? undefined,
    to: filter?.to ?? undefined,
  };
}

// An empty list means "no constraint", the same as leaving the field out.
const nonEmpty = <T>(values: T[] | null | undefined): T[] | undefined => (values && values.length > 0 ? values : undefined);

function entityKeys(entities: unknown): string[] {
  if (!Array.isArray(entities)) return [];
  return entities.flatMap((e: unknown) =>
    e && typeof e === "object" && typeof (e as { key?: unknown }).key === "string" ? [(e as { key: string }).key] : [],
  );
}
