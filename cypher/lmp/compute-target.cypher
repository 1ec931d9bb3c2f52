// Lateral-movement paths to one sensitive account: a shortest path from every non-sensitive,
// non-honeytoken account within {{maxHops}} hops over MEMBER_OF / ADMIN_TO / HAS_SESSION, sessions only
// if last seen at or after the cutoff. ANY SHORTEST with one bound end is one breadth-first search from
// the target. The search runs twice on purpose: once streamed into count/min, once through ORDER BY …
// LIMIT (a top-k heap); sorting every path in one pass would hold ~100k paths per target in the
// transaction's memory. Stores the count, the shortest length and the first $keep paths (by length,
// then source objectId) flattened into lists on an LmpExposure node keyed like an Entity.
// params: $tenantId, $target, $accountKinds, $sessionCutoff, $keep
// template: {{maxHops}} = LMP_MAX_HOPS
MATCH (t:Entity {tenantId: $tenantId, objectId: $target})
CALL (t) {
  OPTIONAL MATCH p = ANY SHORTEST
    (s:Entity WHERE s.kind IN $accountKinds AND s.honeytoken = false AND coalesce(s.lmpSensitive, false) = false)
    (()-[r:MEMBER_OF|ADMIN_TO|HAS_SESSION WHERE r.tenantId = $tenantId AND (r.lastSeen >= $sessionCutoff OR type(r) <> 'HAS_SESSION')]->()){1,{{maxHops}}}
    (t)
  RETURN count(p) AS reaching, min(length(p)) AS shortest
}
CALL (t) {
  OPTIONAL MATCH p = ANY SHORTEST
    (s:Entity WHERE s.kind IN $accountKinds AND s.honeytoken = false AND coalesce(s.lmpSensitive, false) = false)
    (()-[r:MEMBER_OF|ADMIN_TO|HAS_SESSION WHERE r.tenantId = $tenantId AND (r.lastSeen >= $sessionCutoff OR type(r) <> 'HAS_SESSION')]->()){1,{{maxHops}}}
    (t)
  WITH s, p
  ORDER BY length(p), s.objectId
  LIMIT $keep
  RETURN collect(p) AS top
}
MERGE (x:LmpExposure {tenantId: $tenantId, objectId: t.objectId})
SET x.reachingAccounts = reaching,
    x.shortestHops = shortest,
    x.pathLengths = [q IN top | length(q)],
    x.pathNodes = reduce(acc = [], q IN top | acc + [n IN nodes(q) | n.objectId]),
    x.pathKinds = reduce(acc = [], q IN top | acc + [r IN relationships(q) | type(r)])
RETURN reaching, shortest
