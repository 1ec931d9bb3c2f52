import { createPubSub } from "@graphql-yoga/subscription";

/** The alert as announced on `vigil.alerts.<tenantId>`: the alert row without evidence. */
export interface AlertPayload {
  tenantId: string;
  id: string;
  detectionId: string;
  severity: "low" | "medium" | "high";
  status: "open" | "closed" | "suppressed";
  title: string;
  description: string;
  primaryEntity: string;
  entities: unknown;
  mitre: string[];
  firstSeen: Date;
  lastSeen: Date;
  count: number;
  recommendedActions: string[];
}

/**
 * Live alerts per tenant. The API only ever calls `subscribe` with the viewer's tenant; a NATS
 * implementation maps it to the subject `vigil.alerts.<tenantId>` so every replica fans out.
 */
export interface AlertFeed {
  subscribe(tenantId: string): AsyncIterable<AlertPayload>;
}

/** An AlertFeed that can also be published to (in-process, and what tests and `vigil start` use). */
export interface PublishableAlertFeed extends AlertFeed {
  publish(alert: AlertPayload): void;
}

/** Single-process feed; topics are keyed by tenant so publishing never reaches another tenant's subscribers. */
export function createInProcessAlertFeed(): PublishableAlertFeed {
  const pubSub = createPubSub<{ alertCreated: [tenantId: string, alert: AlertPayload] }>();
  return {
    subscribe: (tenantId) => pubSub.subscribe("alertCreated", tenantId),
    publish: (alert) => pubSub.publish("alertCreated", alert.tenantId, alert),
  };
}
