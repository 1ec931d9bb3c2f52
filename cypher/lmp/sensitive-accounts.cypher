// Sensitive accounts of one tenant with every reason: tagged (sensitive = true), Tier Zero computer
// (p.tierZero or a Tier Zero role in p.roles), or member through MEMBER_OF at any depth of a sensitive
// group (default list by builtin SID, domain RID or, for groups without a fixed RID, name; or tagged).
// Same rules as sensitiveAccountsIn in graph-model/src/memory/lmp.ts; the contract suite holds them equal.
// params: $tenantId, $accountKinds, $groupSids, $groupRids, $groupNames, $tierZeroRoles
CALL {
  MATCH (g:Group {tenantId: $tenantId})
  WHERE g.sensitive = true OR g.objectId IN $groupSids OR toLower(g.name) IN $groupNames
     OR (g.objectId =~ 'S-1-5-21-[0-9]+-[0-9]+-[0-9]+-[0-9]+' AND last(split(g.objectId, '-')) IN $groupRids)
  MATCH (x:Entity)-[:MEMBER_OF*1..]->(g)
  WHERE x.tenantId = $tenantId AND x.kind IN $accountKinds
  RETURN DISTINCT x, 'sensitive-group' AS reason
  UNION
  MATCH (x:Entity {tenantId: $tenantId})
  WHERE x.kind IN $accountKinds AND x.sensitive = true
  RETURN x, 'tagged' AS reason
  UNION
  MATCH (x:Computer {tenantId: $tenantId})
  WHERE x.`p.tierZero` = true
     OR (valueType(x.`p.roles`) STARTS WITH 'LIST' AND any(r IN x.`p.roles` WHERE toUpper(toString(r)) IN $tierZeroRoles))
  RETURN x, 'tier-zero' AS reason
}
WITH x, collect(reason) AS reasons
RETURN x.objectId AS objectId, x.kind AS kind, reasons
ORDER BY objectId
