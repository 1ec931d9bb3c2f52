import type { Viewer } from "../../auth/viewer.ts";
import { type Store, inViewerTenant } from "../../db.ts";
import { badInput, notConfigured, notFound } from "../../errors.ts";
import { filterAsync } from "../alerts/filter-async.ts";
import { recordAudit } from "../audit/audit.storage.ts";
import { SiemStorage } from "../siem/siem.storage.ts";
import type { HealthFeed, HealthIssueChangePayload, SiemTestRequester } from "./health.feed.ts";
import { type HealthIssueRow, HealthStorage } from "./health.storage.ts";
import { HealthIssueStatus } from "./health.types.ts";

/** MDI suppresses a health issue for 7 days; after that the monitor reopens it if it still holds. */
export const SUPPRESS_MS = 7 * 24 * 60 * 60 * 1000;
const MAX_LIST = 500;

/** Health-issue use cases; every method is scoped to the viewer's tenant. */
export class HealthManager {
  constructor(
    private readonly store: Store,
    private readonly feed?: HealthFeed,
    private readonly siemTests?: SiemTestRequester,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async list(viewer: Viewer, status: HealthIssueStatus | null): Promise<HealthIssueRow[]> {
    return inViewerTenant(this.store, viewer, (tx) => new HealthStorage(tx, viewer.tenantId).list(status, MAX_LIST));
  }

  /**
   * Open, close or suppress (for 7 days) an issue. A closed issue whose condition still holds is
   * raised again as a new issue by the monitor's next evaluation, as in MDI.
   */
  async setStatus(viewer: Viewer, id: string, status: HealthIssueStatus): Promise<HealthIssueRow> {
    const now = this.now();
    const data =
      status === HealthIssueStatus.SUPPRESSED
        ? { status, closedAt: null, suppressedUntil: new Date(now.getTime() + SUPPRESS_MS) }
        : status === HealthIssueStatus.CLOSED
          ? { status, closedAt: now, suppressedUntil: null }
          : { status, closedAt: null, suppressedUntil: null };
    const row = await inViewerTenant(this.store, viewer, async (tx) => {
      const health = new HealthStorage(tx, viewer.tenantId);
      const before = await health.get(id);
      if (!before) throw notFound("Health issue");
      const after = await health.setStatus(id, data);
      await recordAudit(tx, viewer, {
        action: "health:update",
        target: `health-issue:${id}`,
        before: { status: before.status, suppressedUntil: before.suppressedUntil?.toISOString() ?? null },
        after: { status: after.status, suppressedUntil: after.suppressedUntil?.toISOString() ?? null },
      });
      return after;
    });
    const change = status === HealthIssueStatus.OPEN ? "reopened" : status;
    // Committed already: a lost announcement only delays what subscribers see until their next query.
    await this.feed?.publish({ change, issue: { ...row, tenantId: viewer.tenantId } }).catch(() => undefined);
    return row;
  }

  /** Changes of the viewer's tenant, as they happen. */
  live(viewer: Viewer): AsyncIterable<HealthIssueChangePayload> {
    if (!this.feed) throw notConfigured("live health issues are not available on this server");
    return filterAsync(this.feed.subscribe(viewer.tenantId), (c) => c.issue.tenantId === viewer.tenantId);
  }

  /** Asks the processor to send a test CEF line to the tenant's SIEM target ("Send test SIEM notification"). */
  async sendTestSiemNotification(viewer: Viewer): Promise<boolean> {
    if (!this.siemTests) throw notConfigured("SIEM test notifications are not available on this server");
    await inViewerTenant(this.store, viewer, async (tx) => {
      const target = await new SiemStorage(tx, viewer.tenantId).get();
      if (!target) throw badInput("no SIEM target is set: setSiemTarget first");
      if (!target.enabled) throw badInput("the SIEM target is disabled");
      await recordAudit(tx, viewer, {
        action: "siem:set",
        target: "siem:test-notification",
        after: { host: target.host, port: target.port },
      });
    });
    await this.siemTests.request(viewer.tenantId);
    return true;
  }
}
