import { connectInBackground, createPublisher, IngestThrottle, isSensorError, type BackgroundBus, type Publisher } from "@vigil/sensor";
import { withQuotaWatch } from "./sensor-quota.ts";
import { connectJetStreamBus } from "@vigil/sensor/bus";
import { StartupError } from "./adapters.ts";
import { sensorNatsAuth } from "./commands/nats-auth.ts";
import type { VigilEnv } from "./env.ts";

/** Who publishes, where it spools, and how long startup waits for NATS. */
export interface SensorPublisherOptions {
  env: VigilEnv;
  tenantId: string;
  sensorId: string;
  /** NATS connection name, e.g. `vigil-sensor-dc01`. */
  clientName: string;
  spoolDir: string;
  /** What is spooled, for the "NATS does not answer yet" line ("events", "snapshots"). */
  what: string;
  log: (line: string) => void;
  /** Wait between connect attempts while NATS is unreachable (default 5 s). */
  connectRetryMs?: number;
  /** How long startup waits for the first connection before it starts spooling (default 3 s). */
  firstConnectWaitMs?: number;
}

/**
 * The bus and signing publisher of a sensor-like process (`vigil sensor`, `vigil ldap-sync`). Unlike
 * the processor, such a process must start while NATS is down: it spools until the bus answers. A
 * spool another process holds is a configuration problem (exit 78), not a crash.
 */
export async function openSensorPublisher(o: SensorPublisherOptions): Promise<{ bus: BackgroundBus; publisher: Publisher }> {
  const servers = o.env.NATS_URL!.split(",").map((s) => s.trim());
  // Operator mode: only this sensor's subjects and inbox; read once so a bad file stops startup (exit 78).
  const auth = await sensorNatsAuth(o.env, { tenantId: o.tenantId, sensorId: o.sensorId });
  const bus = connectInBackground({
    connect: () =>
      connectJetStreamBus({
        servers,
        name: o.clientName,
        ...(o.env.VIGIL_BUS_NAMESPACE ? { namespace: o.env.VIGIL_BUS_NAMESPACE } : {}),
        ...auth,
      }),
    retryMs: o.connectRetryMs ?? 5000,
    onLog: o.log,
  });
  let publisher: Publisher;
  const throttle = new IngestThrottle();
  try {
    publisher = await createPublisher({
      bus,
      tenantId: o.tenantId,
      sensorId: o.sensorId,
      sensorKey: o.env.VIGIL_SENSOR_KEY!,
      spoolDir: o.spoolDir,
      onLog: o.log,
      throttle,
    });
  } catch (error) {
    await bus.close();
    if (isSensorError(error, "SENSOR_SPOOL_LOCKED")) throw new StartupError([`VIGIL_DATA_DIR: ${error.message}`]);
    throw error;
  }
  if (!(await bus.waitConnected(o.firstConnectWaitMs ?? 3000))) {
    o.log(`NATS at ${servers.join(", ")} does not answer yet; ${o.what} are spooled to ${o.spoolDir} until it does`);
  }
  return { bus, publisher: withQuotaWatch(publisher, { bus, tenantId: o.tenantId, throttle, onLog: o.log }) };
}
