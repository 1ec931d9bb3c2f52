// Delete a tenant's sessions last seen before the cutoff: a logon seen long ago no longer means the
// user's credentials are in that computer's memory. Seeks the (tenantId, lastSeen) relationship index
// from schema/expiry-index (hinted: on small graphs the planner otherwise scans every tenant's nodes);
// the endpoint checks are defence in depth. One transaction; callers expire often. Also returns the
// users of removed sessions that still counted for lateral-movement paths (lastSeen >= $lmpCutoff).
// params: $tenantId, $olderThan (epoch ms), $lmpCutoff (epoch ms)
MATCH (c)-[r:HAS_SESSION]->(u)
USING INDEX r:HAS_SESSION(tenantId, lastSeen)
WHERE r.tenantId = $tenantId AND r.lastSeen < $olderThan AND c.tenantId = $tenantId AND u.tenantId = $tenantId
WITH r, u.objectId AS head, r.lastSeen >= $lmpCutoff AS live
DELETE r
RETURN count(*) AS removed, collect(DISTINCT CASE WHEN live THEN head END) AS heads
