// Marks exactly the given accounts of one tenant as sensitive (x.lmpSensitive) for the path statements:
// clears every earlier mark first. Derived data, never returned as a node property.
// params: $tenantId, $ids
CALL {
  MATCH (x:Entity {tenantId: $tenantId})
  WHERE x.lmpSensitive = true
  SET x.lmpSensitive = false
}
UNWIND $ids AS id
MATCH (x:Entity {tenantId: $tenantId, objectId: id})
SET x.lmpSensitive = true
RETURN count(x) AS marked
