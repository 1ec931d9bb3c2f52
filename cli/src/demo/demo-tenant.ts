import { randomBytes } from "node:crypto";
import type { RelationalStore } from "@vigil/db";
import { sensorKeyHash } from "@vigil/sensor/contract";

/** The tenant and sensor `vigil start` replays its demo as. */
export const DEMO_TENANT = "demo";
export const DEMO_SENSOR = "demo-dc01";

/**
 * Makes sure the demo tenant and its sensor exist, and gives the sensor a fresh key for this run
 * (only its hash is stored, as for any sensor; the key lives in this process's memory).
 */
export async function prepareDemoTenant(store: RelationalStore): Promise<{ sensorKey: string }> {
  await store.prisma.tenant.upsert({ where: { id: DEMO_TENANT }, create: { id: DEMO_TENANT, name: "Demo (CORP)" }, update: {} });
  const sensorKey = `vgl_${randomBytes(32).toString("base64url")}`;
  const fields = { keyHash: sensorKeyHash(sensorKey), keyPrefix: sensorKey.slice(0, 12), revokedAt: null };
  await store.forTenant(DEMO_TENANT).sensor.upsert({
    where: { tenantId_id: { tenantId: DEMO_TENANT, id: DEMO_SENSOR } },
    create: { id: DEMO_SENSOR, tenantId: DEMO_TENANT, name: "DC01 (demo)", kind: "dc", ...fields },
    update: fields,
  });
  return { sensorKey };
}
