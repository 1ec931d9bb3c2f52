import type { RelationalStore, TenantTransaction } from "@vigil/db";
import type { Viewer } from "./auth/viewer.ts";

/** What the API needs of the relational store: tenant-scoped clients and a health probe. */
export type Store = Pick<RelationalStore, "forTenant" | "health">;

/** The client storages query with: every statement runs under one tenant's row-level security. */
export type TenantTx = TenantTransaction;

/**
 * Runs `fn` in one transaction scoped to the viewer's tenant. Storages always get a transaction
 * (never the per-call scoped delegates) so multi-statement work such as change + audit entry is
 * atomic, and so nothing opens a second transaction inside one (PGlite has a single session).
 */
export function inViewerTenant<T>(store: Store, viewer: Viewer, fn: (tx: TenantTx) => Promise<T>): Promise<T> {
  return store.forTenant(viewer.tenantId).transaction(fn);
}
