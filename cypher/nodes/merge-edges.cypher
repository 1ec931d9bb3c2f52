// Moves every {{relType}} edge of a name-keyed node onto the node that claimed its name (aliases.ts):
// an edge that node already has widens its span [firstSeen, lastSeen] and takes the source of the
// latest observation (as edges/upsert folds repeats); an edge between the two nodes is left to die with
// the name-keyed node. Returns each moved edge as stored afterwards (for lateral-movement upkeep).
// params: $tenantId, $alias, $into
// template: {{relType}} = the edge kind
MATCH (a:Entity {tenantId: $tenantId, objectId: $alias})
MATCH (x:Entity {tenantId: $tenantId, objectId: $into})
CALL (a, x) {
  MATCH (a)-[r:{{relType}}]->(b:Entity {tenantId: $tenantId})
  WHERE b <> x
  RETURN r, x AS tail, b AS head
  UNION
  MATCH (b:Entity {tenantId: $tenantId})-[r:{{relType}}]->(a)
  WHERE b <> x
  RETURN r, b AS tail, x AS head
}
WITH r, tail, head, r.source AS source, r.firstSeen AS firstSeen, r.lastSeen AS lastSeen
MERGE (tail)-[n:{{relType}}]->(head)
WITH r, n, tail, head, source, firstSeen, lastSeen, n.firstSeen AS prevFirst, n.lastSeen AS prevLast
SET n.tenantId = $tenantId,
    n.source = CASE WHEN prevLast IS NULL OR lastSeen >= prevLast THEN source ELSE n.source END,
    n.firstSeen = CASE WHEN prevFirst IS NULL OR firstSeen < prevFirst THEN firstSeen ELSE prevFirst END,
    n.lastSeen = CASE WHEN prevLast IS NULL OR lastSeen > prevLast THEN lastSeen ELSE prevLast END
DELETE r
RETURN tail.objectId AS from, head.objectId AS to, n.source AS source, n.firstSeen AS firstSeen, n.lastSeen AS lastSeen
