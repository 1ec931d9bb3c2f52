-- CreateEnum
CREATE TYPE "siem_protocol" AS ENUM ('udp', 'tcp', 'tls');

-- CreateEnum
CREATE TYPE "siem_format" AS ENUM ('rfc5424', 'rfc3164');

-- AlterTable
ALTER TABLE "directory_service_credential" ADD COLUMN     "ldap_url" TEXT;

-- AlterTable
ALTER TABLE "health_issue" ADD COLUMN     "details" JSONB,
ADD COLUMN     "subject" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;

-- CreateTable
CREATE TABLE "siem_target" (
    "id" TEXT NOT NULL,
    "tenant_id" TEXT NOT NULL,
    "host" TEXT NOT NULL,
    "port" INTEGER NOT NULL,
    "protocol" "siem_protocol" NOT NULL,
    "format" "siem_format" NOT NULL,
    "ca_pem" TEXT,
    "server_name" TEXT,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "siem_target_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "siem_target_tenant_id_key" ON "siem_target"("tenant_id");

-- CreateIndex
CREATE INDEX "health_issue_tenant_id_type_sensor_id_subject_idx" ON "health_issue"("tenant_id", "type", "sensor_id", "subject");

-- AddForeignKey
ALTER TABLE "siem_target" ADD CONSTRAINT "siem_target_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Row-level security for the new tenant table, as migration `rls` does for the others (added by hand).
ALTER TABLE "siem_target" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "siem_target" FORCE ROW LEVEL SECURITY;
CREATE POLICY "tenant_isolation" ON "siem_target"
  USING ("tenant_id" = current_setting('app.tenant_id', true))
  WITH CHECK ("tenant_id" = current_setting('app.tenant_id', true));
