import type { TenantTx } from "../../db.ts";
import type { SensorKind } from "./sensor.types.ts";

/** A sensor row without its key hash, which never leaves this storage. */
export interface SensorRow {
  id: string;
  name: string;
  kind: SensorKind;
  keyPrefix: string;
  createdAt: Date;
  lastSeenAt: Date | null;
  revokedAt: Date | null;
  version: string | null;
}

const SENSOR_COLUMNS = {
  id: true,
  name: true,
  kind: true,
  keyPrefix: true,
  createdAt: true,
  lastSeenAt: true,
  revokedAt: true,
  version: true,
} as const;

/** Sensor queries for one tenant (tenantId named explicitly; RLS is the backstop). */
export class SensorStorage {
  constructor(
    private readonly db: TenantTx,
    private readonly tenantId: string,
  ) {}

  async list(): Promise<SensorRow[]> {
    const rows = await this.db.sensor.findMany({ select: SENSOR_COLUMNS, where: { tenantId: this.tenantId }, orderBy: [{ name: "asc" }] });
    return rows.map(asSensorRow);
  }

  async findByName(name: string): Promise<SensorRow | null> {
    const row = await this.db.sensor.findFirst({ select: SENSOR_COLUMNS, where: { tenantId: this.tenantId, name } });
    return row && asSensorRow(row);
  }

  async find(id: string): Promise<SensorRow | null> {
    const row = await this.db.sensor.findFirst({ select: SENSOR_COLUMNS, where: { tenantId: this.tenantId, id } });
    return row && asSensorRow(row);
  }

  /** The stored key hash, only to name the sensor's NATS user (sensor-nats.ts); never returned to callers. */
  async keyHash(id: string): Promise<string | null> {
    const row = await this.db.sensor.findFirst({ select: { keyHash: true }, where: { tenantId: this.tenantId, id } });
    return row?.keyHash ?? null;
  }

  /** Sets the fields on this tenant's sensor; null when it has no such sensor. */
  async update(id: string, data: { keyPrefix?: string; keyHash?: string; revokedAt?: Date }): Promise<SensorRow | null> {
    const { count } = await this.db.sensor.updateMany({ where: { tenantId: this.tenantId, id }, data });
    return count === 0 ? null : this.find(id);
  }

  async create(data: { name: string; kind: SensorKind; keyPrefix: string; keyHash: string }): Promise<SensorRow> {
    const row = await this.db.sensor.create({ select: SENSOR_COLUMNS, data: { tenantId: this.tenantId, ...data } });
    return asSensorRow(row);
  }
}

// kind is a plain string column; only the API writes it, always from the SensorKind enum.
const asSensorRow = (row: Omit<SensorRow, "kind"> & { kind: string }): SensorRow => ({ ...row, kind: row.kind as SensorKind });
