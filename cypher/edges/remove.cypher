// Delete a batch of edges of one kind between nodes of one tenant; absent edges are ignored. Returns
// each deleted edge's endpoints and lastSeen so the adapter can tell which live LMP edges went away.
// params: $tenantId, $edges [{from, to}]
// template: {{relType}} = the edge kind
UNWIND $edges AS e
MATCH (a:Entity {tenantId: $tenantId, objectId: e.from})-[r:{{relType}}]->(b:Entity {tenantId: $tenantId, objectId: e.to})
WITH a.objectId AS from, b.objectId AS to, r.lastSeen AS lastSeen, r
DELETE r
RETURN from, to, lastSeen
