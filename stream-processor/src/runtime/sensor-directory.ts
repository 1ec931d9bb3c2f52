/**
 * Sensor lookups for message authentication, cached briefly. The lookup always runs through the
 * subject tenant's scoped client, so row-level security makes every other tenant's sensors
 * invisible: a sensor of tenant B can never vouch for an event on tenant A's subject.
 *
 * The cache holds hits and misses for `ttlMs` (so a revoked key stops working within that time, and a
 * newly registered sensor starts working within it) and at most `maxEntries` tenants (oldest dropped
 * first).
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
  /** Sensors loaded per tenant in one query (default 1000); larger tenants are looked up per sensor. */
  perTenantLimit?: number;
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
 *
 * A tenant's sensors are loaded together, in one query, and cached together: one query per sensor
 * made a processor with 10,000 sensors spend minutes after each start (and each TTL) on lookups. A
 * tenant with more than `perTenantLimit` sensors falls back to one query per sensor.
 */
export class SensorDirectory {
  readonly #tenants = new Map<string, TenantSensors>();
  readonly #single = new Map<string, { sensor: KnownSensor | null; expires: number }>();
  readonly #loading = new Map<string, Promise<TenantSensors>>();
  readonly #ttlMs: number;
  readonly #max: number;
  readonly #perTenant: number;
  readonly #now: () => number;

  constructor(
    private readonly store: RelationalStore,
    options: SensorDirectoryOptions = {},
  ) {
    this.#ttlMs = options.ttlMs ?? 10_000;
    this.#max = options.maxEntries ?? 10_000;
    this.#perTenant = options.perTenantLimit ?? 1_000;
    this.#now = options.now ?? Date.now;
  }

  /** The sensor registered as `sensorId` in `tenantId`, or null. Store failures reject (transient). */
  async find(tenantId: string, sensorId: string): Promise<KnownSensor | null> {
    const tenant = await this.#tenant(tenantId);
    if (tenant.complete) return tenant.byId.get(sensorId) ?? tenant.byName.get(sensorId) ?? null;
    const key = `${tenantId}\u0000${sensorId}`;
    const now = this.#now();
    const hit = this.#single.get(key);
    if (hit && hit.expires > now) return hit.sensor;
    this.#single.delete(key);
    const sensor = await this.#loadOne(tenantId, sensorId);
    remember(this.#single, key, { sensor, expires: now + this.#ttlMs }, this.#max);
    return sensor;
  }

  /** Number of cached entries: tenants loaded whole plus single sensors (each bounded by maxEntries). */
  get size(): number {
    return this.#tenants.size + this.#single.size;
  }

  async #tenant(tenantId: string): Promise<TenantSensors> {
    const cached = this.#tenants.get(tenantId);
    if (cached && cached.expires > this.#now()) return cached;
    // One load per tenant at a time: a burst of a new tenant's events waits for the same query.
    let loading = this.#loading.get(tenantId);
    if (!loading) {
      loading = this.#loadTenant(tenantId).finally(() => this.#loading.delete(tenantId));
      this.#loading.set(tenantId, loading);
    }
    const loaded = await loading;
    this.#tenants.delete(tenantId);
    remember(this.#tenants, tenantId, loaded, this.#max);
    return loaded;
  }

  #scoped(tenantId: string) {
    try {
      return this.store.forTenant(tenantId);
    } catch (err) {
      if (isRelationalStoreError(err, "INVALID_TENANT_ID")) throw new InvalidTenantError(err.message);
      throw err;
    }
  }

  async #loadTenant(tenantId: string): Promise<TenantSensors> {
    const expires = this.#now() + this.#ttlMs;
    const rows = await this.#scoped(tenantId).sensor.findMany({
      where: { tenantId },
      select: SELECT,
      orderBy: { id: "asc" },
      take: this.#perTenant + 1,
    });
    const complete = rows.length <= this.#perTenant;
    const byId = new Map<string, KnownSensor>();
    const byName = new Map<string, KnownSensor>();
    if (complete) {
      for (const r of rows) {
        byId.set(r.id, r);
        if (!byName.has(r.name)) byName.set(r.name, r);
      }
    }
    return { complete, byId, byName, expires };
  }

  async #loadOne(tenantId: string, sensorId: string): Promise<KnownSensor | null> {
    const rows = await this.#scoped(tenantId).sensor.findMany({
      where: { tenantId, OR: [{ id: sensorId }, { name: sensorId }] },
      select: SELECT,
      take: 2,
    });
    return rows.find((r) => r.id === sensorId) ?? rows[0] ?? null;
  }
}

interface TenantSensors {
  /** False when the tenant has more sensors than the per-tenant limit: look each one up instead. */
  complete: boolean;
  byId: Map<string, KnownSensor>;
  byName: Map<string, KnownSensor>;
  expires: number;
}

const SELECT = { id: true, name: true, keyHash: true, revokedAt: true } as const;

/** Inserts and drops the oldest entries beyond `max` (a Map iterates in insertion order). */
function remember<V>(map: Map<string, V>, key: string, value: V, max: number): void {
  map.set(key, value);
  while (map.size > max) map.delete(map.keys().next().value!);
}
