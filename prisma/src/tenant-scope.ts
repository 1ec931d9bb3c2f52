// The tenant-scoped client. Row-level security (migration `rls`) compares tenant_id with the
// transaction-local setting app.tenant_id, so every statement must run in a transaction that set it
// first; a statement outside one sees no tenant rows at all. set_config(..., true) is LOCAL: pooled
// connections never carry one tenant's setting into another tenant's request.
import type { ITXClientDenyList } from "@prisma/client/runtime/client";
import type { VigilPrismaClient } from "./client.ts";
import { RelationalStoreError, sqlStateOf } from "./errors.ts";
import type { Prisma } from "./generated/prisma/client.ts";

/** Model delegates a tenant-scoped client offers: every model except the platform-level Tenant. */
export const TENANT_MODELS = [
  "sensor",
  "alert",
  "alertEvidence",
  "alertComment",
  "entityTag",
  "directoryServiceCredential",
  "healthIssue",
  "auditEntry",
  "siemTarget",
  "postureAssessment",
  "postureScore",
] as const;

/** Name of a tenant-scoped model delegate. */
export type TenantModelName = (typeof TENANT_MODELS)[number];

/** The client inside `transaction(fn)`: every statement, raw ones included, runs under the tenant. */
export type TenantTransaction = Omit<VigilPrismaClient, ITXClientDenyList | "tenant">;

/** Options for a tenant transaction (Prisma's interactive-transaction options). */
export interface TenantTransactionOptions {
  maxWait?: number;
  timeout?: number;
  isolationLevel?: Prisma.TransactionIsolationLevel;
}

function scopedExtension(prisma: VigilPrismaClient, tenantId: string) {
  return prisma.$extends({
    name: "vigil-tenant-scope",
    query: {
      $allModels: {
        async $allOperations({ args, query }) {
          try {
            const [, result] = await prisma.$transaction([setTenant(prisma, tenantId), query(args)]);
            return result;
          } catch (err) {
            throw translateError(err, tenantId);
          }
        },
      },
    },
  });
}

type ScopedExtension = ReturnType<typeof scopedExtension>;

/**
 * A client whose every operation runs under one tenant: model delegates (each call is its own
 * transaction that sets the tenant first) and `transaction(fn)` for multi-statement work. Inside `fn`
 * use only `tx`: the scoped delegates would open a second transaction (on PGlite, which has a single
 * session, that waits for the first one forever).
 */
export type TenantScopedClient = Pick<ScopedExtension, TenantModelName> & {
  readonly tenantId: string;
  transaction<T>(fn: (tx: TenantTransaction) => Promise<T>, options?: TenantTransactionOptions): Promise<T>;
};

function setTenant(prisma: VigilPrismaClient | TenantTransaction, tenantId: string) {
  return prisma.$executeRaw`SELECT set_config('app.tenant_id', ${tenantId}, true)`;
}

// SQLSTATE 42501 from a WITH CHECK policy: the row named a tenant other than the scope's.
function translateError(err: unknown, tenantId: string): unknown {
  if (sqlStateOf(err) === "42501" && err instanceof Error && err.message.includes("row-level security")) {
    const table = /for table "([^"]+)"/.exec(err.message)?.[1] ?? "a tenant table";
    return new RelationalStoreError(
      "TENANT_ISOLATION_VIOLATION",
      `a write under tenant "${tenantId}" would have put a row of another tenant into ${table}`,
      { cause: err },
    );
  }
  return err;
}

const TENANT_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/** Builds the tenant-scoped client for `tenantId` over the store's Prisma client. */
export function scopeToTenant(prisma: VigilPrismaClient, tenantId: string): TenantScopedClient {
  if (typeof tenantId !== "string" || !TENANT_ID_PATTERN.test(tenantId)) {
    throw new RelationalStoreError(
      "INVALID_TENANT_ID",
      "tenant id must be 1-128 characters: letters, digits, '.', '_', ':' or '-', starting with a letter or digit",
    );
  }
  const ext = scopedExtension(prisma, tenantId);
  return {
    tenantId,
    sensor: ext.sensor,
    alert: ext.alert,
    alertEvidence: ext.alertEvidence,
    alertComment: ext.alertComment,
    entityTag: ext.entityTag,
    directoryServiceCredential: ext.directoryServiceCredential,
    healthIssue: ext.healthIssue,
    auditEntry: ext.auditEntry,
    siemTarget: ext.siemTarget,
    postureAssessment: ext.postureAssessment,
    postureScore: ext.postureScore,
    async transaction(fn, options) {
      try {
        return await prisma.$transaction(async (tx) => {
          const scoped = tx as unknown as TenantTransaction;
          await setTenant(scoped, tenantId);
          return fn(scoped);
        }, options);
      } catch (err) {
        throw translateError(err, tenantId);
      }
    },
  };
}
