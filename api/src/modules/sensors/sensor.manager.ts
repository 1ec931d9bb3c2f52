import type { Viewer } from "../../auth/viewer.ts";
import { type Store, inViewerTenant } from "../../db.ts";
import { Prisma } from "@vigil/db";
import { badInput, notFound, unavailable } from "../../errors.ts";
import { recordAudit } from "../audit/audit.storage.ts";
import type { SensorNatsCredentials } from "./sensor-nats.ts";
import { issueSensorKey } from "./sensor-key.ts";
import { type SensorRow, SensorStorage } from "./sensor.storage.ts";
import { type SensorKind, SensorStatus } from "./sensor.types.ts";

/** A sensor not heard from for this long is reported SILENT. */
export const SILENT_AFTER_MS = 10 * 60_000;

const MAX_NAME = 100;

/** Sensor use cases; every method is scoped to the viewer's tenant. */
export class SensorManager {
  constructor(
    private readonly store: Store,
    private readonly now: () => Date = () => new Date(),
    /** Operator-mode NATS: absent, no NATS credentials are issued (`natsCreds` is null). */
    private readonly nats?: SensorNatsCredentials,
  ) {}

  /** The tenant's sensors with a status from lastSeenAt and their open health issue counts (one query each). */
  async list(viewer: Viewer): Promise<(SensorRow & { status: SensorStatus; openHealthIssues: number })[]> {
    const { rows, open } = await inViewerTenant(this.store, viewer, async (tx) => ({
      rows: await new SensorStorage(tx, viewer.tenantId).list(),
      open: await tx.healthIssue.groupBy({
        by: ["sensorId"],
        where: { tenantId: viewer.tenantId, status: "open" },
        _count: { _all: true },
      }),
    }));
    const counts = new Map(open.map((g) => [g.sensorId, g._count._all]));
    const now = this.now().getTime();
    return rows.map((row) => ({ ...row, status: statusOf(row, now), openHealthIssues: counts.get(row.id) ?? 0 }));
  }

  /** Registers a sensor and returns its key (and NATS credentials); they exist only in this return value. */
  async create(viewer: Viewer, rawName: string, kind: SensorKind): Promise<{ sensor: SensorRow; key: string; natsCreds: string | null }> {
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
    const natsCreds = this.nats ? await this.nats.issue({ tenantId: viewer.tenantId, sensorId: sensor.id, keyHash }) : null;
    return { sensor, key, natsCreds };
  }
}

/** Rotation and revocation; both audited, both NOT_FOUND for another tenant's sensor. */
export class SensorKeyManager {
  constructor(
    private readonly store: Store,
    /** Operator-mode NATS: the old key's NATS user is revoked on the server too. */
    private readonly nats?: SensorNatsCredentials,
  ) {}

  /**
   * Issues a new key; the old one stops working at once (the processor checks the stored hash, and in
   * operator mode NATS refuses the old key's user). The NATS revocation runs before the commit, so a
   * failed one leaves the old key in place and the admin can simply retry.
   */
  async rotateKey(viewer: Viewer, id: string): Promise<{ sensor: SensorRow; key: string; natsCreds: string | null }> {
    const { key, keyPrefix, keyHash } = issueSensorKey();
    const sensor = await inViewerTenant(this.store, viewer, async (tx) => {
      const sensors = new SensorStorage(tx, viewer.tenantId);
      const before = await sensors.find(id);
      if (!before) throw notFound("Sensor");
      if (before.revokedAt) throw badInput("a revoked sensor gets no new key: register a new sensor");
      const oldHash = this.nats ? await sensors.keyHash(id) : null;
      const after = await sensors.update(id, { keyPrefix, keyHash });
      if (!after) throw notFound("Sensor");
      await recordAudit(tx, viewer, {
        action: "sensor:rotate-key",
        target: `sensor:${id}`,
        before: { keyPrefix: before.keyPrefix },
        after: { keyPrefix },
      });
      if (oldHash) await revokeOnNats(this.nats!, [{ tenantId: viewer.tenantId, sensorId: id, keyHash: oldHash }]);
      return after;
    });
    const natsCreds = this.nats ? await this.nats.issue({ tenantId: viewer.tenantId, sensorId: id, keyHash }) : null;
    return { sensor, key, natsCreds };
  }

  /**
   * Revokes the sensor for good; revoking again changes nothing (and is audited as such) except that
   * the NATS revocation is pushed again, so a retry after a failed push completes it.
   */
  async revoke(viewer: Viewer, id: string, now = new Date()): Promise<SensorRow> {
    return inViewerTenant(this.store, viewer, async (tx) => {
      const sensors = new SensorStorage(tx, viewer.tenantId);
      const before = await sensors.find(id);
      if (!before) throw notFound("Sensor");
      const after = before.revokedAt ? before : await sensors.update(id, { revokedAt: now });
      if (!after) throw notFound("Sensor");
      await recordAudit(tx, viewer, {
        action: "sensor:revoke",
        target: `sensor:${id}`,
        before: { revokedAt: before.revokedAt },
        after: { revokedAt: after.revokedAt },
      });
      const keyHash = this.nats ? await sensors.keyHash(id) : null;
      if (keyHash) await revokeOnNats(this.nats!, [{ tenantId: viewer.tenantId, sensorId: id, keyHash }]);
      return after;
    });
  }
}

async function revokeOnNats(nats: SensorNatsCredentials, refs: Parameters<SensorNatsCredentials["revoke"]>[0]): Promise<void> {
  try {
    await nats.revoke(refs);
  } catch (err) {
    // Thrown inside the transaction: nothing is committed, and the message says to retry.
    throw unavailable(`NATS did not take the sensor's revocation (${(err as Error).message}); nothing was changed, retry`);
  }
}

function statusOf(row: SensorRow, now: number): SensorStatus {
  if (row.revokedAt) return SensorStatus.REVOKED;
  if (!row.lastSeenAt) return SensorStatus.NEVER_SEEN;
  return now - row.lastSeenAt.getTime() > SILENT_AFTER_MS ? SensorStatus.SILENT : SensorStatus.OK;
}

const isUniqueViolation = (err: unknown) => err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002";
