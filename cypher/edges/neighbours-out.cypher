// Outgoing edges of one node with the node at the other end, in the embedded adapter's order
// (edge kind, neighbour objectId, tail objectId). A direction per file keeps "out" from expanding a
// big group's inbound members.
// params: $tenantId, $objectId, $edgeKinds, $limit
MATCH (x:Entity {tenantId: $tenantId, objectId: $objectId})-[r]->(y:Entity {tenantId: $tenantId})
WHERE type(r) IN $edgeKinds
WITH r, y, type(r) AS kind, startNode(r).objectId AS tail
RETURN properties(y) AS node,
       {kind: kind, from: tail, to: endNode(r).objectId, source: r.source, firstSeen: r.firstSeen, lastSeen: r.lastSeen} AS edge
ORDER BY kind, y.objectId, tail
LIMIT $limit
