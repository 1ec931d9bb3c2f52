import type { EventKind } from "./event.ts";

/** Root of every event subject; the events stream captures `vigil.events.>`. */
export const EVENTS_ROOT = "vigil.events";
export const ALERTS_ROOT = "vigil.alerts";

/** `vigil.events.<tenantId>.<kind>`; kinds with dots add tokens, still under `vigil.events.<tenantId>.>`. */
export const eventSubject = (tenantId: string, kind: EventKind) => `${EVENTS_ROOT}.${tenantId}.${kind}`;

/** Every event of one tenant. */
export const tenantEventsFilter = (tenantId: string) => `${EVENTS_ROOT}.${tenantId}.>`;

/** Live alerts of one tenant, fanned out to every API replica. */
export const alertSubject = (tenantId: string) => `${ALERTS_ROOT}.${tenantId}`;

export const HEALTH_ROOT = "vigil.health";
export const SIEM_TEST_ROOT = "vigil.siem-test";

/** Health issue changes of one tenant (raised, closed, suppressed…), fanned out like alerts. */
export const healthSubject = (tenantId: string) => `${HEALTH_ROOT}.${tenantId}`;

/** A tenant admin asked for a test SIEM notification; the processor's forwarder sends it. */
export const siemTestSubject = (tenantId: string) => `${SIEM_TEST_ROOT}.${tenantId}`;

/** The tenant a subject belongs to, or undefined when it is not an event or alert subject. */
export function tenantOfSubject(subject: string): string | undefined {
  const [root, kindOrTenant, tenant] = subject.split(".");
  if (root !== "vigil") return undefined;
  if (kindOrTenant === "events" || kindOrTenant === "alerts") return tenant || undefined;
  return undefined;
}
