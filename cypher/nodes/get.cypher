// One node of a tenant by objectId, optionally only if it has the given kind.
// params: $tenantId, $objectId, $kind (null = any kind)
MATCH (x:Entity {tenantId: $tenantId, objectId: $objectId})
WHERE $kind IS NULL OR x.kind = $kind
RETURN properties(x) AS node
