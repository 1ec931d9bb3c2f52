-- CreateEnum
CREATE TYPE "severity" AS ENUM ('low', 'medium', 'high');

-- CreateEnum
CREATE TYPE "alert_status" AS ENUM ('open', 'closed', 'suppressed');

-- CreateEnum
CREATE TYPE "alert_classification" AS ENUM ('truePositive', 'benignTruePositive', 'falsePositive');

-- CreateEnum
CREATE TYPE "entity_tag_kind" AS ENUM ('sensitive', 'honeytoken', 'excluded');

-- CreateEnum
CREATE TYPE "health_issue_status" AS ENUM ('open', 'closed', 'suppressed');

-- CreateTable
CREATE TABLE "tenant" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "tenant_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "sensor" (
    "id" TEXT NOT NULL,
    "tenant_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "key_hash" TEXT NOT NULL,
    "key_prefix" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_seen_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),
    "version" TEXT,

    CONSTRAINT "sensor_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "alert" (
    "id" TEXT NOT NULL,
    "tenant_id" TEXT NOT NULL,
    "detection_id" TEXT NOT NULL,
    "severity" "severity" NOT NULL,
    "status" "alert_status" NOT NULL DEFAULT 'open',
    "classification" "alert_classification",
    "title" TEXT NOT NULL,
    "description" TEXT NOT NULL,
    "primary_entity" TEXT NOT NULL,
    "entities" JSONB NOT NULL,
    "mitre" TEXT[],
    "first_seen" TIMESTAMPTZ(3) NOT NULL,
    "last_seen" TIMESTAMPTZ(3) NOT NULL,
    "count" INTEGER NOT NULL DEFAULT 1,
    "recommended_actions" TEXT[],
    "assignee" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "alert_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "alert_evidence" (
    "id" TEXT NOT NULL,
    "tenant_id" TEXT NOT NULL,
    "alert_id" TEXT NOT NULL,
    "event_id" TEXT NOT NULL,
    "time" TIMESTAMPTZ(3) NOT NULL,
    "summary" JSONB NOT NULL,

    CONSTRAINT "alert_evidence_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "alert_comment" (
    "id" TEXT NOT NULL,
    "tenant_id" TEXT NOT NULL,
    "alert_id" TEXT NOT NULL,
    "author" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "alert_comment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "entity_tag" (
    "id" TEXT NOT NULL,
    "tenant_id" TEXT NOT NULL,
    "entity_key" TEXT NOT NULL,
    "tag" "entity_tag_kind" NOT NULL,
    "detection_id" TEXT,
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "entity_tag_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "directory_service_credential" (
    "id" TEXT NOT NULL,
    "tenant_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "username" TEXT NOT NULL,
    "domain_name" TEXT NOT NULL,
    "secret_jwe" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "rotated_at" TIMESTAMPTZ(3),
    "last_test_at" TIMESTAMPTZ(3),
    "last_test_ok" BOOLEAN,

    CONSTRAINT "directory_service_credential_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "health_issue" (
    "id" TEXT NOT NULL,
    "tenant_id" TEXT NOT NULL,
    "sensor_id" TEXT,
    "type" TEXT NOT NULL,
    "severity" "severity" NOT NULL,
    "status" "health_issue_status" NOT NULL DEFAULT 'open',
    "suppressed_until" TIMESTAMPTZ(3),
    "description" TEXT NOT NULL,
    "first_seen" TIMESTAMPTZ(3) NOT NULL,
    "last_seen" TIMESTAMPTZ(3) NOT NULL,
    "closed_at" TIMESTAMPTZ(3),

    CONSTRAINT "health_issue_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "audit_entry" (
    "id" TEXT NOT NULL,
    "tenant_id" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "target" TEXT,
    "before" JSONB,
    "after" JSONB,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "audit_entry_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "sensor_tenant_id_id_key" ON "sensor"("tenant_id", "id");

-- CreateIndex
CREATE UNIQUE INDEX "sensor_tenant_id_name_key" ON "sensor"("tenant_id", "name");

-- CreateIndex
CREATE UNIQUE INDEX "sensor_tenant_id_key_prefix_key" ON "sensor"("tenant_id", "key_prefix");

-- CreateIndex
CREATE INDEX "alert_tenant_id_status_last_seen_idx" ON "alert"("tenant_id", "status", "last_seen");

-- CreateIndex
CREATE INDEX "alert_tenant_id_primary_entity_idx" ON "alert"("tenant_id", "primary_entity");

-- CreateIndex
CREATE UNIQUE INDEX "alert_tenant_id_id_key" ON "alert"("tenant_id", "id");

-- CreateIndex
CREATE UNIQUE INDEX "alert_tenant_id_detection_id_primary_entity_first_seen_key" ON "alert"("tenant_id", "detection_id", "primary_entity", "first_seen");

-- CreateIndex
CREATE UNIQUE INDEX "alert_evidence_tenant_id_alert_id_event_id_key" ON "alert_evidence"("tenant_id", "alert_id", "event_id");

-- CreateIndex
CREATE INDEX "alert_comment_tenant_id_alert_id_created_at_idx" ON "alert_comment"("tenant_id", "alert_id", "created_at");

-- CreateIndex
CREATE INDEX "entity_tag_tenant_id_tag_idx" ON "entity_tag"("tenant_id", "tag");

-- CreateIndex
-- Edited by hand: NULLS NOT DISTINCT (PostgreSQL 15+), so an exclusion from all detections
-- (detection_id NULL) is unique too. Prisma's schema language cannot express it.
CREATE UNIQUE INDEX "entity_tag_tenant_id_entity_key_tag_detection_id_key" ON "entity_tag"("tenant_id", "entity_key", "tag", "detection_id") NULLS NOT DISTINCT;

-- CreateIndex
CREATE UNIQUE INDEX "directory_service_credential_tenant_id_name_key" ON "directory_service_credential"("tenant_id", "name");

-- CreateIndex
CREATE INDEX "health_issue_tenant_id_status_idx" ON "health_issue"("tenant_id", "status");

-- CreateIndex
CREATE INDEX "health_issue_tenant_id_sensor_id_type_idx" ON "health_issue"("tenant_id", "sensor_id", "type");

-- CreateIndex
CREATE INDEX "audit_entry_tenant_id_at_idx" ON "audit_entry"("tenant_id", "at");

-- AddForeignKey
ALTER TABLE "sensor" ADD CONSTRAINT "sensor_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "alert" ADD CONSTRAINT "alert_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "alert_evidence" ADD CONSTRAINT "alert_evidence_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "alert_evidence" ADD CONSTRAINT "alert_evidence_tenant_id_alert_id_fkey" FOREIGN KEY ("tenant_id", "alert_id") REFERENCES "alert"("tenant_id", "id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "alert_comment" ADD CONSTRAINT "alert_comment_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "alert_comment" ADD CONSTRAINT "alert_comment_tenant_id_alert_id_fkey" FOREIGN KEY ("tenant_id", "alert_id") REFERENCES "alert"("tenant_id", "id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "entity_tag" ADD CONSTRAINT "entity_tag_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "directory_service_credential" ADD CONSTRAINT "directory_service_credential_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "health_issue" ADD CONSTRAINT "health_issue_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "health_issue" ADD CONSTRAINT "health_issue_tenant_id_sensor_id_fkey" FOREIGN KEY ("tenant_id", "sensor_id") REFERENCES "sensor"("tenant_id", "id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "audit_entry" ADD CONSTRAINT "audit_entry_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;
