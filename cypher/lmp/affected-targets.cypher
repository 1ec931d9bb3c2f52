// Sensitive accounts (lmpSensitive) reachable downstream of the given nodes within {{maxHops}} live hops
// (zero included): the only targets whose paths change when an edge into one of these nodes appears or
// goes away. {{maxHops}} = LMP_MAX_HOPS - 1, since the changed edge itself is one hop.
// params: $tenantId, $heads, $sessionCutoff
// template: {{maxHops}} = LMP_MAX_HOPS - 1
UNWIND $heads AS h
MATCH (v:Entity {tenantId: $tenantId, objectId: h})
MATCH p = ANY SHORTEST
  (v)
  (()-[r:MEMBER_OF|ADMIN_TO|HAS_SESSION WHERE r.tenantId = $tenantId AND (r.lastSeen >= $sessionCutoff OR type(r) <> 'HAS_SESSION')]->()){0,{{maxHops}}}
  (t:Entity WHERE t.lmpSensitive = true)
RETURN DISTINCT t.objectId AS objectId
