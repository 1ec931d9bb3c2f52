/**
 * Sensor lookups for message authentication, cached briefly. The lookup always runs through the
 * subject tenant's scoped client, so row-level security makes every other tenant's sensors
 * invisible: a sensor of tenant B can never vouch for an event on tenant A's subject.
 *
 * The cache holds hits and misses for `ttlMs` (so a revoked key stops working within that time, and a
 * newly registered sensor starts working within it) and at most `maxEntries` (oldest dropped first).
 */
import { isRelationalStoreError, type RelationalStore } from "@vigil/db";

/** What authentication needs of a sensor row. */
export interface KnownSensor {
  id: string;
  name: string;
  keyHash: string;
  revokedAt: Date | null;
}

/** Options of the directory. */
export interface SensorDirectoryOptions {
  ttlMs?: number;
  maxEntries?: number;
  now?: () => number;
}

/** The subject's tenant is not a valid tenant id for the store (no sensor can exist there). */
export class InvalidTenantError extends Error {
  override readonly name = "InvalidTenantError";
}

/**
 * Finds sensors by the id a sensor puts in its events. Sensors identify themselves by their row id;
 * the registered name is accepted too (the sample configuration uses names like `dc01`), an id match
 * winning over a name match.
 */
export class SensorDirectory {
  readonly #cache = new Map<string, { sensor: KnownSensor | null; expires: number }>();
  readonly #ttlMs: number;
  readonly #max: number;
  readonly #now: () => number;

  constructor(
    private readonly store: RelationalStore,
    options: SensorDirectoryOptions = {},
  ) {
    this.#ttlMs = options.ttlMs ?? 10_000;
    this.#max = options.maxEntries ?? 10_000;
    this.#now = options.now ?? Date.now;
  }

  /** The sensor registered as `sensorId` in `tenantId`, or null. Store failures reject (transient). */
  async find(tenantId: string, sensorId: string): Promise<KnownSensor | null> {
    const key = `${tenantId}\u0000${sensorId}`;
    const now = this.#now();
    const hit = this.#cache.get(key);
    if (hit && hit.expires > now) return hit.sensor;
    this.#cache.delete(key);
    const sensor = await this.#load(tenantId, sensorId);
    this.#cache.set(key, { sensor, expires: now + this.#ttlMs });
    while (this.#cache.size > this.#max) this.#cache.delete(this.#cache.keys().next().value!);
    return sensor;
  }

  /** Number of cached entries (bounded by maxEntries). */
  get size(): number {
    return this.#cache.size;
  }

  async #load(tenantId: string, sensorId: string): Promise<KnownSensor | null> {
    let scoped;
    try {
      scoped = this.store.forTenant(tenantId);
    } catch (err) {
      if (isRelationalStoreError(err, "INVALID_TENANT_ID")) throw new InvalidTenantError(err.message);
      throw err;
    }
    const rows = await scoped.sensor.findMany({
      where: { tenantId, OR: [{ id: sensorId }, { name: sensorId }] },
      select: { id: true, name: true, keyHash: true, revokedAt: true },
      take: 2,
    });
    return rows.find((r) => r.id === sensorId) ?? rows[0] ?? null;
  }
}
