import type { RelationalStore, TenantTransaction, TenantTransactionOptions } from "@vigil/db";
import type { Viewer } from "./auth/viewer.ts";

/**
 * What the API needs of the relational store: tenant-scoped clients, a health probe, and the
 * unscoped client, which only the platform-level tenants module touches (the tenant table has no RLS).
 */
export type Store = Pick<RelationalStore, "forTenant" | "health" | "prisma">;

/** The client storages query with: every statement runs under one tenant's row-level security. */
export type TenantTx = TenantTransaction;

/**
 * Runs `fn` in one transaction scoped to the viewer's tenant. Storages always get a transaction
 * (never the per-call scoped delegates) so multi-statement work such as change + audit entry is
 * atomic, and so nothing opens a second transaction inside one (PGlite has a single session).
 */
export function inViewerTenant<T>(
  store: Store,
  viewer: Viewer,
  fn: (tx: TenantTx) => Promise<T>,
  options?: TenantTransactionOptions,
): Promise<T> {
  return store.forTenant(viewer.tenantId).transaction(fn, options);
}
