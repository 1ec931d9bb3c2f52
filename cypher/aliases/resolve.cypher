// The nodes some name keys are aliases of (graph-model/src/aliases.ts): a source without a SID names a
// machine COMPUTER:WS01, the directory's SID node claimed that name. Ids that are no alias give no row.
// params: $tenantId, $ids
UNWIND $ids AS id
MATCH (a:EntityAlias {tenantId: $tenantId, objectId: id})
RETURN a.objectId AS alias, a.target AS target
