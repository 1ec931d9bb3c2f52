-- CreateEnum
CREATE TYPE "posture_status" AS ENUM ('passed', 'failed', 'unknown');

-- CreateTable
CREATE TABLE "posture_assessment" (
    "id" TEXT NOT NULL,
    "tenant_id" TEXT NOT NULL,
    "assessment_id" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "category" TEXT NOT NULL,
    "severity" TEXT NOT NULL,
    "status" "posture_status" NOT NULL,
    "affected" JSONB NOT NULL,
    "remediation" TEXT NOT NULL,
    "note" TEXT,
    "evaluated_at" TIMESTAMPTZ(3) NOT NULL,
    "status_since" TIMESTAMPTZ(3) NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "posture_assessment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "posture_score" (
    "id" TEXT NOT NULL,
    "tenant_id" TEXT NOT NULL,
    "score" INTEGER NOT NULL,
    "categories" JSONB NOT NULL,
    "complete" BOOLEAN NOT NULL,
    "unknown" TEXT[],
    "evaluated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "posture_score_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "posture_assessment_tenant_id_status_idx" ON "posture_assessment"("tenant_id", "status");

-- CreateIndex
CREATE UNIQUE INDEX "posture_assessment_tenant_id_assessment_id_key" ON "posture_assessment"("tenant_id", "assessment_id");

-- CreateIndex
CREATE INDEX "posture_score_tenant_id_evaluated_at_idx" ON "posture_score"("tenant_id", "evaluated_at");

-- AddForeignKey
ALTER TABLE "posture_assessment" ADD CONSTRAINT "posture_assessment_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "posture_score" ADD CONSTRAINT "posture_score_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Row-level security for the new tenant tables, as migration `rls` does for the others (added by hand).
ALTER TABLE "posture_assessment" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "posture_assessment" FORCE ROW LEVEL SECURITY;
CREATE POLICY "tenant_isolation" ON "posture_assessment"
  USING ("tenant_id" = current_setting('app.tenant_id', true))
  WITH CHECK ("tenant_id" = current_setting('app.tenant_id', true));

ALTER TABLE "posture_score" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "posture_score" FORCE ROW LEVEL SECURITY;
CREATE POLICY "tenant_isolation" ON "posture_score"
  USING ("tenant_id" = current_setting('app.tenant_id', true))
  WITH CHECK ("tenant_id" = current_setting('app.tenant_id', true));
