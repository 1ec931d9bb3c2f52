// Uniqueness of (tenantId, objectId) for one label. Generated at start for the base label and every node
// kind in graph-model/src/schema.ts; the base-label one also makes objectIds unique across kinds in a tenant.
// DDL has no tenant, so this area is the one exemption from the $tenantId rule.
// params: none
// template: {{label}} = Entity or a node kind
CREATE CONSTRAINT vigil_{{label}}_key IF NOT EXISTS
FOR (n:{{label}}) REQUIRE (n.tenantId, n.objectId) IS UNIQUE
