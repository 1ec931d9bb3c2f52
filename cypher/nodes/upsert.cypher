// Upsert a batch of nodes of one kind, keyed by (tenantId, objectId); absent fields keep stored values,
// first write defaults them. If the objectId is stored under another kind, MERGE tries to create a second
// Entity with the same key and the Entity constraint rejects the batch (adapter: GRAPH_KIND_CONFLICT).
// props holds free properties flattened to "p.<key>"; a null value removes that property.
// params: $tenantId, $kind, $nodes [{objectId, name, domain, sensitive, honeytoken, enabled, props}]
// template: {{label}} = the node kind (same value as $kind)
UNWIND $nodes AS n
MERGE (x:Entity:{{label}} {tenantId: $tenantId, objectId: n.objectId})
SET x.kind = $kind,
    x.name = coalesce(n.name, x.name, ''),
    x.domain = coalesce(n.domain, x.domain, ''),
    x.sensitive = coalesce(n.sensitive, x.sensitive, false),
    x.honeytoken = coalesce(n.honeytoken, x.honeytoken, false),
    x.enabled = coalesce(n.enabled, x.enabled, true)
SET x += n.props
RETURN count(x) AS written
