/**
 * Where the forwarder's targets come from: the tenant's SiemTarget row (admin mutation
 * `setSiemTarget`), and the subject on which the API asks for a test notification.
 */
import type { RelationalStore } from "@vigil/db";
import type { EventBus } from "@vigil/sensor/bus";
import { SIEM_TEST_ROOT } from "@vigil/sensor/contract";
import type { SiemForwarder } from "./forwarder.ts";
import type { SiemTargetConfig } from "./transport.ts";

/** Reads a tenant's target through its row-level-security scope; undefined when none is set. */
export function storeSiemTargets(
  store: RelationalStore,
): (tenantId: string) => Promise<(SiemTargetConfig & { enabled: boolean }) | undefined> {
  return async (tenantId) => {
    const row = await store.forTenant(tenantId).siemTarget.findFirst({ where: { tenantId } });
    if (!row) return undefined;
    return {
      host: row.host,
      port: row.port,
      protocol: row.protocol,
      format: row.format,
      caPem: row.caPem,
      serverName: row.serverName,
      enabled: row.enabled,
    };
  };
}

/**
 * Sends a test notification whenever the API publishes on `vigil.siem-test.<tenantId>`. The target
 * is re-read first, so a test right after `setSiemTarget` goes to the new one. Resolves to a stop function.
 */
export async function listenForSiemTests(
  bus: Pick<EventBus, "subscribe">,
  forwarder: SiemForwarder,
  log: (line: string) => void,
): Promise<() => void> {
  const sub = await bus.subscribe(`${SIEM_TEST_ROOT}.*`);
  void (async () => {
    for await (const msg of sub) {
      const tenantId = msg.subject.slice(SIEM_TEST_ROOT.length + 1);
      if (!tenantId || tenantId.includes(".")) continue;
      log(`SIEM test notification requested for tenant ${tenantId}`);
      forwarder.invalidate(tenantId);
      forwarder.test(tenantId);
    }
  })();
  return () => sub.unsubscribe();
}
