import { watchIngestQuota, type Publisher, type QuotaWatchOptions } from "@vigil/sensor";
import type { IngestQuotaSettings } from "@vigil/stream-processor";
import type { VigilEnv } from "./env.ts";

/**
 * The publisher of a sensor-like process, throttled to the grants announced on its tenant's quota
 * subject (docs/quotas.md). Closing it stops the watcher first, so no resubscribe loop outlives the
 * bus it watches.
 */
export function withQuotaWatch(publisher: Publisher, options: QuotaWatchOptions): Publisher {
  const watch = watchIngestQuota(options);
  return {
    publish: (event) => publisher.publish(event),
    flush: () => publisher.flush(),
    drained: (signal) => publisher.drained(signal),
    stats: () => publisher.stats(),
    close: async () => {
      await watch.stop();
      await publisher.close();
    },
  };
}

/** The processor's quota settings from env: the deployment default for tenants whose row sets none. */
export function ingestQuotaSettings(env: VigilEnv): IngestQuotaSettings {
  return { defaults: { ratePerSecond: env.VIGIL_INGEST_RATE_PER_SECOND, burst: env.VIGIL_INGEST_BURST } };
}
