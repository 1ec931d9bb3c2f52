// Deletes one tenant's stored lateral-movement results for accounts that are no longer sensitive
// (after a full recompute, which overwrites the others in place, so readers never see them vanish).
// params: $tenantId, $keep (objectIds of the sensitive accounts just recomputed)
MATCH (x:LmpExposure {tenantId: $tenantId})
WHERE NOT x.objectId IN $keep
DELETE x
RETURN count(*) AS deleted
