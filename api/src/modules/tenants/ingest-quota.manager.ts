import { DEFAULT_INGEST_QUOTA, ingestQuotaProblems, type IngestQuota as Quota } from "@vigil/sensor/contract";
import { isTenantId } from "../../auth/claims.ts";
import type { Viewer } from "../../auth/viewer.ts";
import type { Store } from "../../db.ts";
import { badInput, notFound } from "../../errors.ts";
import { recordAudit } from "../audit/audit.storage.ts";
import type { IngestQuota } from "./ingest-quota.types.ts";

type Row = { ingestRatePerSecond: number | null; ingestBurst: number | null };

/**
 * Sensor ingest quotas (docs/quotas.md). Like the tenant module they live on the tenant row, so this
 * manager reads the unscoped client, always by the id the token or the platform operator names.
 * The processor re-reads the row every few seconds and announces the new grant to the sensors.
 */
export class IngestQuotaManager {
  constructor(
    private readonly store: Store,
    private readonly defaults: Quota = DEFAULT_INGEST_QUOTA,
  ) {}

  /** The viewer's own tenant's quota. */
  async read(viewer: Viewer): Promise<IngestQuota> {
    const row = await this.#row(viewer.tenantId);
    if (!row) throw notFound("tenant");
    return this.#view(row);
  }

  /**
   * Sets (or, with null, resets to the deployment default) a tenant's rate and burst, recording the
   * change in that tenant's own audit trail so its admins see who changed their quota. The row is
   * platform-level and the audit entry tenant-scoped, so they cannot share a transaction: a failed
   * audit write puts the old values back rather than leaving an unaudited change.
   */
  async set(
    operator: { subject: string },
    rawTenantId: string,
    ratePerSecond: number | null | undefined,
    burst: number | null | undefined,
  ): Promise<IngestQuota> {
    const tenantId = rawTenantId.trim();
    if (!isTenantId(tenantId)) throw notFound("tenant");
    const problems = ingestQuotaProblems({ ratePerSecond: ratePerSecond ?? 1, burst: burst ?? 1 });
    if (problems.length > 0) throw badInput(`invalid ingest quota: ${problems.join("; ")}`);
    const before = await this.#row(tenantId);
    if (!before) throw notFound("tenant");
    const after: Row = { ingestRatePerSecond: ratePerSecond ?? null, ingestBurst: burst ?? null };
    await this.store.prisma.tenant.update({ where: { id: tenantId }, data: after });
    try {
      await this.store
        .forTenant(tenantId)
        .transaction((tx) =>
          recordAudit(
            tx,
            { tenantId, subject: operator.subject },
            { action: "tenant:set-ingest-quota", target: `tenant:${tenantId}`, before: { ...before }, after: { ...after } },
          ),
        );
    } catch (err) {
      await this.store.prisma.tenant.update({ where: { id: tenantId }, data: before }).catch(() => {});
      throw err;
    }
    return this.#view(after);
  }

  #row(tenantId: string): Promise<Row | null> {
    return this.store.prisma.tenant.findUnique({ where: { id: tenantId }, select: { ingestRatePerSecond: true, ingestBurst: true } });
  }

  #view(row: Row): IngestQuota {
    return {
      ratePerSecond: row.ingestRatePerSecond ?? this.defaults.ratePerSecond,
      burst: row.ingestBurst ?? this.defaults.burst,
      customRatePerSecond: row.ingestRatePerSecond,
      customBurst: row.ingestBurst,
    };
  }
}
