// Stored exposure and paths of some sensitive accounts, flat as lmp/compute-target stores them: read
// before and after an incremental update to find the paths a write opened (lmp-openings.ts).
// params: $tenantId, $targets
UNWIND $targets AS t
MATCH (x:LmpExposure {tenantId: $tenantId, objectId: t})
RETURN x.objectId AS objectId, x.reachingAccounts AS reaching, x.pathLengths AS lengths, x.pathNodes AS nodes, x.pathKinds AS kinds
