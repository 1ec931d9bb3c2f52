import type { Viewer } from "../../auth/viewer.ts";
import { type Store, inViewerTenant } from "../../db.ts";
import { decodeCursor, encodeCursor, pageSize } from "../shared/pagination.ts";
import type { AuditEntry, AuditEntryConnection } from "./audit.types.ts";

const COLUMNS = { id: true, actor: true, action: true, target: true, before: true, after: true, at: true } as const;

/** Reads the tenant's audit trail (writing happens in each manager, in the transaction of its change). */
export class AuditManager {
  constructor(private readonly store: Store) {}

  /** Newest first, keyset-paginated on (at, id); optionally only one action or one target. */
  async list(
    viewer: Viewer,
    filter: { action?: string | null; target?: string | null },
    first?: number | null,
    after?: string | null,
  ): Promise<AuditEntryConnection> {
    const size = pageSize(first);
    const position = after ? decodeCursor(after) : undefined;
    const rows: AuditEntry[] = await inViewerTenant(this.store, viewer, (tx) =>
      tx.auditEntry.findMany({
        select: COLUMNS,
        where: {
          AND: [
            { tenantId: viewer.tenantId },
            filter.action ? { action: filter.action } : {},
            filter.target ? { target: filter.target } : {},
            position ? { OR: [{ at: { lt: position.at } }, { at: position.at, id: { lt: position.id } }] } : {},
          ],
        },
        orderBy: [{ at: "desc" }, { id: "desc" }],
        take: size + 1,
      }),
    );
    const edges = rows.slice(0, size).map((node) => ({ node, cursor: encodeCursor({ at: node.at, id: node.id }) }));
    return { edges, pageInfo: { hasNextPage: rows.length > size, endCursor: edges.at(-1)?.cursor ?? null } };
  }
}
