import type { AlertFeed, AlertPayload } from "@vigil/api";
import type { AlertAnnouncement } from "@vigil/stream-processor";
import { alertSubject } from "@vigil/sensor/contract";
import type { BusEvent, EventBus } from "@vigil/sensor/bus";
import { subscribeDecoded } from "./bus-subscription.ts";

function toPayload(tenantId: string, event: BusEvent): AlertPayload | undefined {
  let message: AlertAnnouncement;
  try {
    message = event.json<AlertAnnouncement>();
  } catch {
    return undefined; // not ours to crash on: a foreign publisher on the subject
  }
  const a = message?.alert;
  // The subject already scopes the tenant; the body must agree or it is not delivered at all.
  if (message?.type !== "created" || !a || a.tenantId !== tenantId) return undefined;
  return {
    tenantId,
    id: a.id,
    detectionId: a.detectionId,
    severity: a.severity,
    status: a.status,
    title: a.title,
    description: a.description,
    primaryEntity: a.primaryEntity,
    entities: a.entities,
    mitre: a.mitre,
    firstSeen: new Date(a.firstSeen),
    lastSeen: new Date(a.lastSeen),
    count: a.count,
    recommendedActions: a.recommendedActions,
  };
}

/**
 * Live alerts from the bus: each API replica subscribes to `vigil.alerts.<tenantId>` for each open
 * GraphQL subscription, so every replica delivers every alert.
 */
export function createBusAlertFeed(bus: EventBus): AlertFeed {
  return {
    subscribe: (tenantId: string) => subscribeDecoded(bus, alertSubject(tenantId), (event) => toPayload(tenantId, event)),
  };
}
