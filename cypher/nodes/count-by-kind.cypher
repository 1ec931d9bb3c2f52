// Node totals per kind for one tenant.
// params: $tenantId
MATCH (x:Entity {tenantId: $tenantId})
RETURN x.kind AS kind, count(*) AS n
