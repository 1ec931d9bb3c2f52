import type { TenantTx } from "../../db.ts";
import type { EntityTagKind } from "./entity.types.ts";

export interface EntityTagRow {
  kind: EntityTagKind;
  detectionId: string | null;
  createdAt: Date;
}

/** One tag's identity within a tenant; a null detectionId means "all detections". */
export interface EntityTagId {
  entityKey: string;
  tag: EntityTagKind;
  detectionId: string | null;
}

const TAG_COLUMNS = { tag: true, detectionId: true, createdAt: true } as const;

/** Entity queries for one tenant (tenantId named explicitly; RLS is the backstop). */
export class EntityStorage {
  constructor(
    private readonly db: TenantTx,
    private readonly tenantId: string,
  ) {}

  async tags(entityKey: string): Promise<EntityTagRow[]> {
    const rows = await this.db.entityTag.findMany({
      select: TAG_COLUMNS,
      where: { tenantId: this.tenantId, entityKey },
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    });
    return rows.map(asTagRow);
  }

  async findTag(id: EntityTagId): Promise<EntityTagRow | null> {
    const row = await this.db.entityTag.findFirst({ select: TAG_COLUMNS, where: { tenantId: this.tenantId, ...id } });
    return row && asTagRow(row);
  }

  /**
   * Adds the tag unless present; true when it was added. createMany + skipDuplicates (ON CONFLICT DO
   * NOTHING) rather than upsert: the unique index is NULLS NOT DISTINCT, which a Prisma upsert on a
   * null detectionId cannot address, and it also settles a concurrent insert of the same tag.
   */
  async addTag(id: EntityTagId, createdBy: string): Promise<boolean> {
    const { count } = await this.db.entityTag.createMany({ data: [{ tenantId: this.tenantId, ...id, createdBy }], skipDuplicates: true });
    return count > 0;
  }

  /** Removes the tag; true when there was one. */
  async removeTag(id: EntityTagId): Promise<boolean> {
    const { count } = await this.db.entityTag.deleteMany({ where: { tenantId: this.tenantId, ...id } });
    return count > 0;
  }
}

const asTagRow = ({ tag, ...rest }: { tag: EntityTagKind; detectionId: string | null; createdAt: Date }): EntityTagRow => ({
  kind: tag,
  ...rest,
});
