// Relationship index on (tenantId, lastSeen) for an edge kind that expires (EDGE_SCHEMA[kind].expires in
// schema.ts), so session expiry seeks straight to one tenant's stale edges instead of scanning every
// computer of every tenant. Generated at start. DDL: exempt from the $tenantId rule.
// params: none
// template: {{relType}} = an expiring edge kind
CREATE INDEX vigil_{{relType}}_expiry IF NOT EXISTS
FOR ()-[r:{{relType}}]-() ON (r.tenantId, r.lastSeen)
