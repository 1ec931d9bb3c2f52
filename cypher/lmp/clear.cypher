// Deletes one tenant's stored lateral-movement results (before a full recompute).
// params: $tenantId
MATCH (x:LmpExposure {tenantId: $tenantId})
DELETE x
RETURN count(*) AS deleted
