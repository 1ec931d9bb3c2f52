// Journals LMP openings (lmp-openings.ts) until the stream processor acknowledges them; the same opening
// found twice (a retried write) is one entry. Properties are flat: Neo4j properties cannot nest.
// params: $tenantId, $openings [{objectId, target, source, newSources, sources, edgeKind, edgeFrom, edgeTo, edgeSource, edgeFirstSeen, edgeLastSeen, pathNodes, pathKinds, reachingBefore, reachingAfter, at}]
UNWIND $openings AS o
MERGE (x:LmpOpening {tenantId: $tenantId, objectId: o.objectId})
ON CREATE SET x += o
RETURN count(x) AS journaled
