-- Row-level security: the database-side backstop for the tenant filter (DESIGN.md §6).
-- Written by hand. Every tenant-scoped table only shows and accepts rows whose tenant_id equals the
-- transaction-local setting app.tenant_id, which @vigil/db's tenant-scoped client sets with
-- set_config('app.tenant_id', $1, true) before each statement. No setting means no rows.
-- FORCE makes the policy apply to the table owner too (the application role owns the tables);
-- superusers and BYPASSRLS roles are never subject to it, so the application must not use one.
-- "tenant" is platform-level and has no RLS. Referential-integrity checks and cascades bypass RLS.

ALTER TABLE "sensor" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "sensor" FORCE ROW LEVEL SECURITY;
CREATE POLICY "tenant_isolation" ON "sensor"
  USING ("tenant_id" = current_setting('app.tenant_id', true))
  WITH CHECK ("tenant_id" = current_setting('app.tenant_id', true));

ALTER TABLE "alert" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "alert" FORCE ROW LEVEL SECURITY;
CREATE POLICY "tenant_isolation" ON "alert"
  USING ("tenant_id" = current_setting('app.tenant_id', true))
  WITH CHECK ("tenant_id" = current_setting('app.tenant_id', true));

ALTER TABLE "alert_evidence" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "alert_evidence" FORCE ROW LEVEL SECURITY;
CREATE POLICY "tenant_isolation" ON "alert_evidence"
  USING ("tenant_id" = current_setting('app.tenant_id', true))
  WITH CHECK ("tenant_id" = current_setting('app.tenant_id', true));

ALTER TABLE "alert_comment" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "alert_comment" FORCE ROW LEVEL SECURITY;
CREATE POLICY "tenant_isolation" ON "alert_comment"
  USING ("tenant_id" = current_setting('app.tenant_id', true))
  WITH CHECK ("tenant_id" = current_setting('app.tenant_id', true));

ALTER TABLE "entity_tag" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "entity_tag" FORCE ROW LEVEL SECURITY;
CREATE POLICY "tenant_isolation" ON "entity_tag"
  USING ("tenant_id" = current_setting('app.tenant_id', true))
  WITH CHECK ("tenant_id" = current_setting('app.tenant_id', true));

ALTER TABLE "directory_service_credential" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "directory_service_credential" FORCE ROW LEVEL SECURITY;
CREATE POLICY "tenant_isolation" ON "directory_service_credential"
  USING ("tenant_id" = current_setting('app.tenant_id', true))
  WITH CHECK ("tenant_id" = current_setting('app.tenant_id', true));

ALTER TABLE "health_issue" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "health_issue" FORCE ROW LEVEL SECURITY;
CREATE POLICY "tenant_isolation" ON "health_issue"
  USING ("tenant_id" = current_setting('app.tenant_id', true))
  WITH CHECK ("tenant_id" = current_setting('app.tenant_id', true));

ALTER TABLE "audit_entry" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "audit_entry" FORCE ROW LEVEL SECURITY;
CREATE POLICY "tenant_isolation" ON "audit_entry"
  USING ("tenant_id" = current_setting('app.tenant_id', true))
  WITH CHECK ("tenant_id" = current_setting('app.tenant_id', true));
