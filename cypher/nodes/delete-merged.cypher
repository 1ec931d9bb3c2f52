// Deletes a name-keyed node once merge-edges moved its edges (an edge to the node that absorbed it goes
// with it) and returns its properties, which fill what the absorbing node lacks.
// params: $tenantId, $alias
MATCH (a:Entity {tenantId: $tenantId, objectId: $alias})
WITH a, properties(a) AS node
DETACH DELETE a
RETURN node
