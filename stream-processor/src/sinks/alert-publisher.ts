/**
 * Live alert announcements on `vigil.alerts.<tenantId>`, which every API replica fans out to its
 * subscribers. Plain fan-out: an announcement missed while no API listens is not replayed (the API
 * reads the store for history).
 */
import { alertSubject } from "@vigil/sensor/contract";
import type { EventBus } from "@vigil/sensor/bus";
import type { AlertPayload } from "./alert-writer.ts";

/** What the processor publishes: `created` only when the row was newly inserted. */
export interface AlertAnnouncement {
  type: "created" | "updated";
  alert: AlertPayload;
}

/** Publishes one announcement to the alert's tenant subject. */
export async function publishAlert(bus: EventBus, announcement: AlertAnnouncement): Promise<void> {
  await bus.publish(alertSubject(announcement.alert.tenantId), JSON.stringify(announcement));
}
