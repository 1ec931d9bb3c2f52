// objectIds of one tenant's honeytokens: never a path source, so they are part of the LMP fingerprint.
// params: $tenantId
MATCH (x:Entity {tenantId: $tenantId})
WHERE x.honeytoken = true
RETURN x.objectId AS objectId
