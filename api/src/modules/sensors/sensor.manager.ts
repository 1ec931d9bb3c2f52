import type { Viewer } from "../../auth/viewer.ts";
import { type Store, inViewerTenant } from "../../db.ts";
import { Prisma } from "@vigil/db";
import { badInput } from "../../errors.ts";
import { recordAudit } from "../audit/audit.storage.ts";
import { issueSensorKey } from "./sensor-key.ts";
import { type SensorRow, SensorStorage } from "./sensor.storage.ts";
import type { SensorKind } from "./sensor.types.ts";

const MAX_NAME = 100;

/** Sensor use cases; every method is scoped to the viewer's tenant. */
export class SensorManager {
  constructor(private readonly store: Store) {}

  async list(viewer: Viewer): Promise<SensorRow[]> {
    return inViewerTenant(this.store, viewer, (tx) => new SensorStorage(tx, viewer.tenantId).list());
  }

  /** Registers a sensor and returns its key; the key exists only in this return value. */
  async create(viewer: Viewer, rawName: string, kind: SensorKind): Promise<{ sensor: SensorRow; key: string }> {
    const name = rawName.trim();
    if (name.length === 0 || name.length > MAX_NAME) throw badInput(`name must be 1-${MAX_NAME} characters`);
    const { key, keyPrefix, keyHash } = issueSensorKey();
    const sensor = await inViewerTenant(this.store, viewer, async (tx) => {
      const sensors = new SensorStorage(tx, viewer.tenantId);
      if (await sensors.findByName(name)) throw badInput(`a sensor named "${name}" already exists`);
      const created = await sensors.create({ name, kind, keyPrefix, keyHash }).catch((err: unknown) => {
        // A concurrent create with the same name won the race after our check.
        throw isUniqueViolation(err) ? badInput(`a sensor named "${name}" already exists`) : err;
      });
      await recordAudit(tx, viewer, { action: "sensor:create", target: `sensor:${created.id}`, after: { name, kind, keyPrefix } });
      return created;
    });
    return { sensor, key };
  }
}

const isUniqueViolation = (err: unknown) => err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002";
