import { createPubSub } from "@graphql-yoga/subscription";
import type { HealthIssueRow } from "./health.storage.ts";
import type { HealthIssueChangeKind } from "./health.types.ts";

/** A health-issue change as the processor announces it on `vigil.health.<tenantId>` (dates parsed). */
export interface HealthIssueChangePayload {
  change: HealthIssueChangeKind;
  issue: HealthIssueRow & { tenantId: string };
}

/**
 * Live health-issue changes per tenant. The API subscribes only with the viewer's tenant; the bus
 * implementation (cli/src/health-feed.ts) maps it to `vigil.health.<tenantId>` and publishes the
 * API's own changes (an admin suppressing an issue) there too, so every replica sees them.
 */
export interface HealthFeed {
  subscribe(tenantId: string): AsyncIterable<HealthIssueChangePayload>;
  publish(change: HealthIssueChangePayload): Promise<void>;
}

/** Asks the processor's SIEM forwarder to send a test notification for a tenant. */
export interface SiemTestRequester {
  request(tenantId: string): Promise<void>;
}

/** Single-process feed, topics keyed by tenant (tests and `vigil start`). */
export function createInProcessHealthFeed(): HealthFeed {
  const pubSub = createPubSub<{ healthIssueChanged: [tenantId: string, change: HealthIssueChangePayload] }>();
  return {
    subscribe: (tenantId) => pubSub.subscribe("healthIssueChanged", tenantId),
    publish: async (change) => pubSub.publish("healthIssueChanged", change.issue.tenantId, change),
  };
}
