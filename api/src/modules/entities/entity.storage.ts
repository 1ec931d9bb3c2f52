import type { TenantTx } from "../../db.ts";
import type { EntityTagKind } from "./entity.types.ts";

/** Entity queries for one tenant (tenantId named explicitly; RLS is the backstop). */
export class EntityStorage {
  constructor(
    private readonly db: TenantTx,
    private readonly tenantId: string,
  ) {}

  async tags(entityKey: string): Promise<{ kind: EntityTagKind; detectionId: string | null; createdAt: Date }[]> {
    const rows = await this.db.entityTag.findMany({
      select: { tag: true, detectionId: true, createdAt: true },
      where: { tenantId: this.tenantId, entityKey },
      orderBy: [{ createdAt: "asc" }],
    });
    return rows.map(({ tag, ...rest }) => ({ kind: tag, ...rest }));
  }
}
