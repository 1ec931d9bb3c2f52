-- AlterTable
ALTER TABLE "tenant" ADD COLUMN     "ingest_burst" INTEGER,
ADD COLUMN     "ingest_rate_per_second" INTEGER;

-- CreateTable
CREATE TABLE "pending_personal_data_deletion" (
    "tenant_id" TEXT NOT NULL,
    "sid" TEXT NOT NULL,
    "names" TEXT[],
    "requested_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_attempt_at" TIMESTAMPTZ(3),
    "attempts" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "pending_personal_data_deletion_pkey" PRIMARY KEY ("tenant_id","sid")
);

-- AddForeignKey
ALTER TABLE "pending_personal_data_deletion" ADD CONSTRAINT "pending_personal_data_deletion_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Row-level security for the new tenant table, as migration `rls` does for the others (added by hand).
ALTER TABLE "pending_personal_data_deletion" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "pending_personal_data_deletion" FORCE ROW LEVEL SECURITY;
CREATE POLICY "tenant_isolation" ON "pending_personal_data_deletion"
  USING ("tenant_id" = current_setting('app.tenant_id', true))
  WITH CHECK ("tenant_id" = current_setting('app.tenant_id', true));
