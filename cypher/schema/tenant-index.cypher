// Index on tenantId alone, for whole-tenant scans (counts, session expiry) that the composite key index
// cannot seek on. Generated at start for the base label. DDL: exempt from the $tenantId rule.
// params: none
// template: {{label}} = Entity
CREATE INDEX vigil_{{label}}_tenant IF NOT EXISTS
FOR (n:{{label}}) ON (n.tenantId)
