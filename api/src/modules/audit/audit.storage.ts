import type { Action, PlatformAction } from "../../auth/permissions.ts";
import type { TenantTx } from "../../db.ts";

/** One audited change; `before`/`after` hold only the fields the action changed. */
export interface AuditRecord {
  action: Action | PlatformAction;
  target: string;
  before?: Record<string, unknown>;
  after?: Record<string, unknown>;
}

type AuditWriter = Pick<TenantTx, "auditEntry">;

/** Who acted, in which tenant: a Viewer, or a platform operator acting on one tenant. */
export interface Actor {
  tenantId: string;
  subject: string;
}

/**
 * Writes the audit entry with the same client (or transaction) as the change, so a change is
 * never committed without its entry. The action name is the authorization action, one vocabulary.
 */
export async function recordAudit(db: AuditWriter, viewer: Actor, record: AuditRecord): Promise<void> {
  await db.auditEntry.create({
    data: {
      tenantId: viewer.tenantId,
      actor: viewer.subject,
      action: record.action,
      target: record.target,
      before: record.before ? toJson(record.before) : undefined,
      after: record.after ? toJson(record.after) : undefined,
    },
  });
}

// Dates and other non-JSON values become their JSON form, as they would over the wire.
const toJson = (value: Record<string, unknown>) => JSON.parse(JSON.stringify(value)) as Record<string, string | number | boolean | null>;
