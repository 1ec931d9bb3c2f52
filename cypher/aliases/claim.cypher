// Records that name keys are aliases of nodes (a newer claim re-points an alias: a machine re-joined
// under a new SID keeps its name). EntityAlias is keyed like an Entity, its objectId being the alias.
// params: $tenantId, $claims [{alias, target}]
UNWIND $claims AS c
MERGE (a:EntityAlias {tenantId: $tenantId, objectId: c.alias})
SET a.target = c.target
RETURN count(a) AS claimed
