// Upsert a batch of edges of one kind between existing nodes whose kinds the edge allows; edges with a
// missing or wrong-kind endpoint produce no row and the adapter reports them as skipped.
// MERGE keys on (tail, type, head): a repeat widens [firstSeen, lastSeen], the source follows the latest
// observation. Times are epoch milliseconds (integers). `before` is the stored lastSeen (null for a new
// edge), from which the adapter tells which edges just became live for lateral-movement paths; the
// stored source and span come back for the LMP openings journal.
// params: $tenantId, $fromKinds, $toKinds, $edges [{i, from, to, source, firstSeen, lastSeen}]
// template: {{relType}} = the edge kind
UNWIND $edges AS e
MATCH (a:Entity {tenantId: $tenantId, objectId: e.from})
WHERE a.kind IN $fromKinds
MATCH (b:Entity {tenantId: $tenantId, objectId: e.to})
WHERE b.kind IN $toKinds
MERGE (a)-[r:{{relType}}]->(b)
WITH e, r, r.lastSeen AS before, coalesce(r.firstSeen, e.firstSeen) AS prevFirst, coalesce(r.lastSeen, e.lastSeen) AS prevLast
SET r.tenantId = $tenantId,
    r.source = CASE WHEN e.lastSeen >= prevLast THEN e.source ELSE r.source END,
    r.firstSeen = CASE WHEN e.firstSeen < prevFirst THEN e.firstSeen ELSE prevFirst END,
    r.lastSeen = CASE WHEN e.lastSeen > prevLast THEN e.lastSeen ELSE prevLast END
RETURN e.i AS i, before, r.source AS source, r.firstSeen AS firstSeen, r.lastSeen AS lastSeen
