// A shortest directed path between two nodes of one tenant, using only the given edge kinds. The all()
// predicate over relationships is evaluated during the breadth-first search, not after it. The adapter
// answers from == to itself (shortestPath rejects identical endpoints).
// params: $tenantId, $from, $to, $edgeKinds
// template: {{maxHops}} = upper bound of the variable-length pattern (1..MAX_PATH_HOPS)
MATCH (a:Entity {tenantId: $tenantId, objectId: $from})
MATCH (b:Entity {tenantId: $tenantId, objectId: $to})
MATCH p = shortestPath((a)-[*1..{{maxHops}}]->(b))
WHERE all(r IN relationships(p) WHERE r.tenantId = $tenantId AND type(r) IN $edgeKinds)
RETURN [n IN nodes(p) | properties(n)] AS nodes,
       [r IN relationships(p) | {kind: type(r), from: startNode(r).objectId, to: endNode(r).objectId,
                                 source: r.source, firstSeen: r.firstSeen, lastSeen: r.lastSeen}] AS edges
LIMIT 1
