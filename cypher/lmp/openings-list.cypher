// The oldest journaled LMP openings of one tenant, not yet acknowledged.
// params: $tenantId, $limit
MATCH (x:LmpOpening {tenantId: $tenantId})
RETURN properties(x) AS opening
ORDER BY x.at, x.objectId
LIMIT $limit
