import type { TenantTx } from "../../db.ts";
import type { SiemFormat, SiemProtocol } from "./siem.types.ts";

/** The tenant's SIEM target as the API reads and writes it. */
export interface SiemTargetRow {
  id: string;
  host: string;
  port: number;
  protocol: SiemProtocol;
  format: SiemFormat;
  caPem: string | null;
  serverName: string | null;
  enabled: boolean;
  updatedAt: Date;
}

/** The settable part of a target. */
export type SiemTargetFields = Omit<SiemTargetRow, "id" | "updatedAt">;

const COLUMNS = {
  id: true,
  host: true,
  port: true,
  protocol: true,
  format: true,
  caPem: true,
  serverName: true,
  enabled: true,
  updatedAt: true,
} as const;

/** SIEM target queries for one tenant (tenantId named explicitly; RLS is the backstop). */
export class SiemStorage {
  constructor(
    private readonly db: TenantTx,
    private readonly tenantId: string,
  ) {}

  async get(): Promise<SiemTargetRow | null> {
    return this.db.siemTarget.findFirst({ select: COLUMNS, where: { tenantId: this.tenantId } });
  }

  async set(fields: SiemTargetFields): Promise<SiemTargetRow> {
    return this.db.siemTarget.upsert({
      select: COLUMNS,
      where: { tenantId: this.tenantId },
      create: { tenantId: this.tenantId, ...fields },
      update: fields,
    });
  }

  /** True when there was a target to remove. */
  async remove(): Promise<boolean> {
    const { count } = await this.db.siemTarget.deleteMany({ where: { tenantId: this.tenantId } });
    return count > 0;
  }
}
