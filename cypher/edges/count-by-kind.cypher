// Edge totals per kind for one tenant (edges only ever join nodes of one tenant, so the tail decides).
// params: $tenantId
MATCH (:Entity {tenantId: $tenantId})-[r]->()
RETURN type(r) AS kind, count(r) AS n
