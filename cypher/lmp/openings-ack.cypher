// Removes acknowledged LMP openings of one tenant (their alerts are stored); unknown ids are ignored.
// params: $tenantId, $ids
UNWIND $ids AS id
MATCH (x:LmpOpening {tenantId: $tenantId, objectId: id})
DELETE x
RETURN count(*) AS removed
