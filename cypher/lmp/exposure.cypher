// Stored exposure of one sensitive account: how many non-sensitive accounts reach it, shortest hops.
// params: $tenantId, $objectId
MATCH (x:LmpExposure {tenantId: $tenantId, objectId: $objectId})
RETURN x.reachingAccounts AS reachingAccounts, x.shortestHops AS shortestHops
