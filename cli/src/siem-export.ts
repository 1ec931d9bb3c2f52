import type { RelationalStore } from "@vigil/db";
import type { EventBus } from "@vigil/sensor/bus";
import { createSiemForwarder, listenForSiemTests, storeSiemTargets, type Processor, type SiemForwarder } from "@vigil/stream-processor";

/** The processor's SIEM export: the forwarder, and what links it to the processor's health monitor. */
export interface SiemExport {
  forwarder: SiemForwarder;
  /** Queue overflows become the tenant's `siem-queue-overflow` health issue. */
  attach(processor: Processor): void;
  close(): Promise<void>;
}

/**
 * Starts the CEF/syslog forwarder fed by the processor (stored alerts, new health issues) and by
 * test requests on `vigil.siem-test.<tenantId>`. Targets come from each tenant's SiemTarget row.
 */
export async function openSiemExport(bus: EventBus, store: RelationalStore, log: (line: string) => void): Promise<SiemExport> {
  let dropped: (tenantId: string, count: number) => void = () => {};
  const forwarder = createSiemForwarder({
    targets: storeSiemTargets(store),
    log: (line) => log(`siem: ${line}`),
    onDropped: (tenantId, count) => dropped(tenantId, count),
  });
  const stopTests = await listenForSiemTests(bus, forwarder, (line) => log(`siem: ${line}`));
  return {
    forwarder,
    attach(processor) {
      dropped = (tenantId, count) => processor.health?.siemDropped(tenantId, count);
    },
    async close() {
      stopTests();
      await forwarder.close();
    },
  };
}
