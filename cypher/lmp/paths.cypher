// The first $first stored paths to one sensitive account, resolved to the current nodes and edges in one
// round trip. Stored flat (see lmp/compute-target): path i has pathLengths[i] hops, its objectIds start
// at offset starts[i] of pathNodes and its edge kinds at starts[i] - i of pathKinds. A path whose edge has
// since gone comes back short and the adapter drops it rather than return half a path.
// params: $tenantId, $objectId, $first
MATCH (x:LmpExposure {tenantId: $tenantId, objectId: $objectId})
WITH x, x.pathLengths[..$first] AS lengths
WITH x, lengths, reduce(acc = [0], l IN lengths | acc + [last(acc) + l + 1]) AS starts
UNWIND range(0, size(lengths) - 1) AS i
WITH i, lengths[i] AS hops, x.pathNodes[starts[i]..starts[i + 1]] AS ids,
     x.pathKinds[starts[i] - i..starts[i + 1] - i - 1] AS kinds
CALL (ids, kinds) {
  UNWIND range(0, size(kinds) - 1) AS k
  MATCH (a:Entity {tenantId: $tenantId, objectId: ids[k]})-[r]->(b:Entity {tenantId: $tenantId, objectId: ids[k + 1]})
  WHERE type(r) = kinds[k]
  WITH k, a, r, b
  ORDER BY k
  RETURN collect(properties(a))[..1] + collect(properties(b)) AS nodes,
         collect({kind: type(r), from: a.objectId, to: b.objectId, source: r.source, firstSeen: r.firstSeen, lastSeen: r.lastSeen}) AS edges
}
RETURN i, hops, nodes, edges
ORDER BY i
