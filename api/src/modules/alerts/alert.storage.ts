import type { TenantTx } from "../../db.ts";
import type { Position } from "../shared/pagination.ts";
import type { AlertClassification, AlertStatus, Severity } from "./alert.types.ts";

/** An alert row as the API reads it (the Prisma model minus bookkeeping columns). */
export interface AlertRow {
  id: string;
  detectionId: string;
  severity: Severity;
  status: AlertStatus;
  classification: AlertClassification | null;
  title: string;
  description: string;
  primaryEntity: string;
  entities: unknown;
  mitre: string[];
  firstSeen: Date;
  lastSeen: Date;
  count: number;
  recommendedActions: string[];
  assignee: string | null;
}

/** Normalized list filter (empty lists already removed by the manager). */
export interface AlertQuery {
  status?: AlertStatus[];
  severity?: Severity[];
  detectionIds?: string[];
  entity?: string;
  from?: Date;
  to?: Date;
}

/** A triage change. */
export interface StatusChange {
  status: AlertStatus;
  classification: AlertClassification | null;
}

const ALERT_COLUMNS = {
  id: true,
  detectionId: true,
  severity: true,
  status: true,
  classification: true,
  title: true,
  description: true,
  primaryEntity: true,
  entities: true,
  mitre: true,
  firstSeen: true,
  lastSeen: true,
  count: true,
  recommendedActions: true,
  assignee: true,
} as const;

/**
 * Alert queries for one tenant. Every statement names tenantId itself even though row-level
 * security would filter anyway: RLS is the backstop, not the filter (DESIGN.md §6).
 */
export class AlertStorage {
  constructor(
    private readonly db: TenantTx,
    private readonly tenantId: string,
  ) {}

  /** Up to `take` alerts ordered by (lastSeen, id) descending, strictly after `after`. */
  async list(query: AlertQuery, take: number, after?: Position): Promise<AlertRow[]> {
    const { tenantId } = this;
    return this.db.alert.findMany({
      select: ALERT_COLUMNS,
      where: {
        AND: [
          { tenantId },
          query.status ? { status: { in: query.status } } : {},
          query.severity ? { severity: { in: query.severity } } : {},
          query.detectionIds ? { detectionId: { in: query.detectionIds } } : {},
          query.entity ? mentions(query.entity) : {},
          query.from ? { lastSeen: { gte: query.from } } : {},
          query.to ? { firstSeen: { lte: query.to } } : {},
          after ? { OR: [{ lastSeen: { lt: after.at } }, { lastSeen: after.at, id: { lt: after.id } }] } : {},
        ],
      },
      orderBy: [{ lastSeen: "desc" }, { id: "desc" }],
      take,
    });
  }

  async find(id: string): Promise<AlertRow | null> {
    return this.db.alert.findFirst({ select: ALERT_COLUMNS, where: { tenantId: this.tenantId, id } });
  }

  /** Evidence in event-time order, oldest first (how an analyst reads a story). */
  async evidence(alertId: string, take: number) {
    return this.db.alertEvidence.findMany({
      select: { id: true, eventId: true, time: true, summary: true },
      where: { tenantId: this.tenantId, alertId },
      orderBy: [{ time: "asc" }, { id: "asc" }],
      take,
    });
  }

  /** Comments in the order they were written. */
  async comments(alertId: string, take: number) {
    return this.db.alertComment.findMany({
      select: { id: true, author: true, text: true, createdAt: true },
      where: { tenantId: this.tenantId, alertId },
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      take,
    });
  }

  async addComment(alertId: string, author: string, text: string) {
    return this.db.alertComment.create({
      select: { id: true, author: true, text: true, createdAt: true },
      data: { tenantId: this.tenantId, alertId, author, text },
    });
  }

  /** Sets the assignee; null when the alert is not this tenant's. */
  async setAssignee(id: string, assignee: string | null): Promise<AlertRow | null> {
    const { count } = await this.db.alert.updateMany({ where: { tenantId: this.tenantId, id }, data: { assignee } });
    return count === 0 ? null : this.find(id);
  }

  /** Applies the change and returns the updated row, or null when the alert is not this tenant's. */
  async setStatus(id: string, change: StatusChange): Promise<AlertRow | null> {
    const { count } = await this.db.alert.updateMany({ where: { tenantId: this.tenantId, id }, data: change });
    return count === 0 ? null : this.find(id);
  }
}

/** Alerts whose primary entity is `key` or whose entities array holds `{ key }` (jsonb containment). */
export function mentions(key: string) {
  return { OR: [{ primaryEntity: key }, { entities: { array_contains: [{ key }] } }] };
}
