// Bounds one tenant's LMP openings journal: keeps the newest $keep entries (nobody reading the journal,
// e.g. imports into a graph no processor serves, must not grow it forever).
// params: $tenantId, $keep
MATCH (x:LmpOpening {tenantId: $tenantId})
WITH x
ORDER BY x.at DESC, x.objectId DESC
SKIP $keep
DELETE x
RETURN count(*) AS trimmed
