import type { Viewer } from "../../auth/viewer.ts";
import { type Store, inViewerTenant } from "../../db.ts";
import { badInput, notFound } from "../../errors.ts";
import { recordAudit } from "../audit/audit.storage.ts";
import { MAX_PAGE_SIZE } from "../shared/pagination.ts";
import { type AlertRow, AlertStorage } from "./alert.storage.ts";
import type { AlertComment } from "./alert.types.ts";

const MAX_ASSIGNEE = 256;
const MAX_COMMENT = 10_000;

/** Triage beyond status: who owns an alert and the analysts' notes on it. Audited like every change. */
export class AlertTriageManager {
  constructor(private readonly store: Store) {}

  /** Assigns the alert (an analyst's UPN or name, as the tenant's IdP knows them); null unassigns. */
  async assign(viewer: Viewer, id: string, rawAssignee: string | null): Promise<AlertRow> {
    const assignee = rawAssignee?.trim() || null;
    if (assignee && assignee.length > MAX_ASSIGNEE) throw badInput(`assignee must be at most ${MAX_ASSIGNEE} characters`);
    return inViewerTenant(this.store, viewer, async (tx) => {
      const alerts = new AlertStorage(tx, viewer.tenantId);
      const before = await alerts.find(id);
      if (!before) throw notFound("Alert");
      const after = await alerts.setAssignee(id, assignee);
      if (!after) throw notFound("Alert");
      await recordAudit(tx, viewer, {
        action: "alert:assign",
        target: `alert:${id}`,
        before: { assignee: before.assignee },
        after: { assignee },
      });
      return after;
    });
  }

  /** Adds a comment by the viewer. */
  async comment(viewer: Viewer, id: string, rawText: string): Promise<AlertComment> {
    const text = rawText.trim();
    if (text.length === 0 || text.length > MAX_COMMENT) throw badInput(`text must be 1-${MAX_COMMENT} characters`);
    return inViewerTenant(this.store, viewer, async (tx) => {
      const alerts = new AlertStorage(tx, viewer.tenantId);
      if (!(await alerts.find(id))) throw notFound("Alert");
      const created = await alerts.addComment(id, viewer.subject, text);
      await recordAudit(tx, viewer, { action: "alert:comment", target: `alert:${id}`, after: { commentId: created.id, text } });
      return created;
    });
  }

  async comments(viewer: Viewer, alertId: string, first: number): Promise<AlertComment[]> {
    if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) throw badInput(`first must be between 1 and ${MAX_PAGE_SIZE}`);
    return inViewerTenant(this.store, viewer, (tx) => new AlertStorage(tx, viewer.tenantId).comments(alertId, first));
  }
}
