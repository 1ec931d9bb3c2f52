import type { TenantTx } from "../../db.ts";
import type { HealthIssueStatus } from "./health.types.ts";

/** A health issue as the API reads it. */
export interface HealthIssueRow {
  id: string;
  sensorId: string | null;
  type: string;
  subject: string;
  severity: "low" | "medium" | "high";
  status: HealthIssueStatus;
  description: string;
  details: unknown;
  firstSeen: Date;
  lastSeen: Date;
  closedAt: Date | null;
  suppressedUntil: Date | null;
}

const COLUMNS = {
  id: true,
  sensorId: true,
  type: true,
  subject: true,
  severity: true,
  status: true,
  description: true,
  details: true,
  firstSeen: true,
  lastSeen: true,
  closedAt: true,
  suppressedUntil: true,
} as const;

/** Health-issue queries for one tenant (tenantId named explicitly; RLS is the backstop). */
export class HealthStorage {
  constructor(
    private readonly db: TenantTx,
    private readonly tenantId: string,
  ) {}

  /** Newest activity first; at most `limit`. */
  async list(status: HealthIssueStatus | null, limit: number): Promise<HealthIssueRow[]> {
    return this.db.healthIssue.findMany({
      select: COLUMNS,
      where: { tenantId: this.tenantId, ...(status ? { status } : {}) },
      orderBy: [{ lastSeen: "desc" }, { id: "asc" }],
      take: limit,
    });
  }

  async get(id: string): Promise<HealthIssueRow | null> {
    return this.db.healthIssue.findFirst({ select: COLUMNS, where: { tenantId: this.tenantId, id } });
  }

  async setStatus(id: string, data: Pick<HealthIssueRow, "status" | "closedAt" | "suppressedUntil">): Promise<HealthIssueRow> {
    return this.db.healthIssue.update({ select: COLUMNS, where: { id, tenantId: this.tenantId }, data });
  }
}
