// Uniqueness of (tenantId, objectId) for precomputed LMP results (LmpExposure; DERIVED_LABELS in
// schema.ts), so reads and MERGEs seek by key. DDL: exempt from the $tenantId rule.
// params: none
// template: {{derivedLabel}} = a derived label
CREATE CONSTRAINT vigil_{{derivedLabel}}_key IF NOT EXISTS
FOR (n:{{derivedLabel}}) REQUIRE (n.tenantId, n.objectId) IS UNIQUE
