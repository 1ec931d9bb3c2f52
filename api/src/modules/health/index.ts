// The health ___domain module: health issues (list, status, live changes) and SIEM test notifications.
export { HealthManager, SUPPRESS_MS } from "./health.manager.ts";
export { HealthResolver } from "./health.resolver.ts";
export { createInProcessHealthFeed } from "./health.feed.ts";
export type { HealthFeed, HealthIssueChangePayload, SiemTestRequester } from "./health.feed.ts";
export type { HealthIssueRow } from "./health.storage.ts";
