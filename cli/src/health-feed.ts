import type { HealthFeed, HealthIssueChangePayload, SiemTestRequester } from "@vigil/api";
import type { HealthIssueChange } from "@vigil/stream-processor";
import { healthSubject, siemTestSubject } from "@vigil/sensor/contract";
import type { BusEvent, EventBus } from "@vigil/sensor/bus";
import { subscribeDecoded } from "./bus-subscription.ts";

const CHANGES = new Set(["raised", "reopened", "closed", "suppressed"]);
const date = (s: string | null | undefined) => (s ? new Date(s) : null);

/** The API's view of an announcement, or undefined for anything malformed or of another tenant. */
function toPayload(tenantId: string, event: BusEvent): HealthIssueChangePayload | undefined {
  let message: HealthIssueChange;
  try {
    message = event.json<HealthIssueChange>();
  } catch {
    return undefined; // a foreign publisher on the subject is not ours to crash on
  }
  const i = message?.issue;
  if (!CHANGES.has(message?.change as string) || !i || i.tenantId !== tenantId) return undefined;
  return {
    change: message.change,
    issue: {
      tenantId,
      id: i.id,
      sensorId: i.sensorId,
      type: i.type,
      subject: i.subject,
      severity: i.severity,
      status: i.status,
      description: i.description,
      details: i.details,
      firstSeen: new Date(i.firstSeen),
      lastSeen: new Date(i.lastSeen),
      closedAt: date(i.closedAt),
      suppressedUntil: date(i.suppressedUntil),
    },
  };
}

/** The wire form of an API-side change (dates as ISO strings), like the processor's announcements. */
function toWire(change: HealthIssueChangePayload): HealthIssueChange {
  const i = change.issue;
  return {
    change: change.change,
    issue: {
      ...i,
      title: i.type,
      firstSeen: i.firstSeen.toISOString(),
      lastSeen: i.lastSeen.toISOString(),
      closedAt: i.closedAt?.toISOString() ?? null,
      suppressedUntil: i.suppressedUntil?.toISOString() ?? null,
    },
  };
}

/**
 * Health-issue changes from the bus (`vigil.health.<tenantId>`), like the alert feed: one bus
 * subscription per GraphQL subscription, closed at once when the client unsubscribes.
 */
export function createBusHealthFeed(bus: EventBus): HealthFeed {
  return {
    async publish(change) {
      await bus.publish(healthSubject(change.issue.tenantId), JSON.stringify(toWire(change)));
    },
    subscribe: (tenantId: string) => subscribeDecoded(bus, healthSubject(tenantId), (event) => toPayload(tenantId, event)),
  };
}

/** Test notifications go through the processor's forwarder (`vigil.siem-test.<tenantId>`), the one sender of a deployment. */
export function createBusSiemTests(bus: EventBus): SiemTestRequester {
  return {
    async request(tenantId) {
      await bus.publish(siemTestSubject(tenantId), JSON.stringify({ tenantId, at: new Date().toISOString() }));
    },
  };
}
