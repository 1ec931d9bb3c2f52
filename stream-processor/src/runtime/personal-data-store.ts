/**
 * Pending personal-data deletions in the relational store (PendingPersonalDataDeletion), so a
 * restart does not forget a person an open alert still holds: the tombstone that scheduled them is
 * acknowledged and will not be delivered again.
 *
 * Every statement runs in a tenant transaction (row-level security keyed on the tenant setting);
 * the table is not among the scoped client's delegates, so it is reached through `transaction`.
 * Only the list of tenants is read outside a tenant scope, as the retention job does.
 */
import type { RelationalStore } from "@vigil/db";
import type { PendingPerson } from "./personal-data.ts";

// Leaves most of a default pool (10 connections) to the processor's sinks.
const LOAD_CONCURRENCY = 4;

/** The store access the pending-deletion table needs. */
export type PendingDeletionStore = Pick<RelationalStore, "forTenant" | "prisma">;

/** A pending deletion as stored, with its bookkeeping. */
export interface StoredPendingPerson extends PendingPerson {
  requestedAt: Date;
  lastAttemptAt: Date | null;
  attempts: number;
}

/** Reads and writes the pending-deletion rows of every tenant. */
export class PendingDeletions {
  constructor(
    private readonly store: PendingDeletionStore,
    private readonly now: () => Date,
  ) {}

  /** Records (or refreshes the names of) a scheduled deletion; the first request time is kept. */
  async save(p: PendingPerson): Promise<void> {
    await this.store.forTenant(p.tenantId).transaction((tx) =>
      tx.pendingPersonalDataDeletion.upsert({
        where: { tenantId_sid: { tenantId: p.tenantId, sid: p.sid } },
        create: { tenantId: p.tenantId, sid: p.sid, names: p.names, requestedAt: this.now() },
        update: { names: p.names },
      }),
    );
  }

  /** Counts an attempt that an open alert blocked or a failure ended. */
  async attempted(p: PendingPerson): Promise<void> {
    await this.store.forTenant(p.tenantId).transaction((tx) =>
      tx.pendingPersonalDataDeletion.updateMany({
        where: { tenantId: p.tenantId, sid: p.sid },
        data: { lastAttemptAt: this.now(), attempts: { increment: 1 } },
      }),
    );
  }

  /** Removes the row once the person's data is deleted. */
  async done(p: PendingPerson): Promise<void> {
    await this.store
      .forTenant(p.tenantId)
      .transaction((tx) => tx.pendingPersonalDataDeletion.deleteMany({ where: { tenantId: p.tenantId, sid: p.sid } }));
  }

  /**
   * Every tenant's pending deletions. A tenant whose rows cannot be read is reported through
   * `onTenantError` and skipped, so one broken tenant does not hold back the others' deletions.
   * `stop` ends the walk early (the result is then partial).
   */
  async loadAll(
    onTenantError: (tenantId: string, err: unknown) => void,
    stop: () => boolean = () => false,
  ): Promise<StoredPendingPerson[]> {
    const tenants = (await this.store.prisma.tenant.findMany({ select: { id: true }, orderBy: { id: "asc" } })).map((t) => t.id);
    const out: StoredPendingPerson[] = [];
    // RLS allows no cross-tenant read, so this is one small transaction per tenant; a few at a time
    // keep a deployment with thousands of tenants from spending minutes on round trips at start.
    let next = 0;
    const worker = async () => {
      while (next < tenants.length && !stop()) {
        const id = tenants[next++]!;
        try {
          const rows = await this.store
            .forTenant(id)
            .transaction((tx) => tx.pendingPersonalDataDeletion.findMany({ where: { tenantId: id }, orderBy: { requestedAt: "asc" } }));
          out.push(...rows);
        } catch (err) {
          onTenantError(id, err);
        }
      }
    };
    await Promise.all(Array.from({ length: LOAD_CONCURRENCY }, worker));
    return out;
  }
}
