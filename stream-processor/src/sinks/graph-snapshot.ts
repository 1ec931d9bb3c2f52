/**
 * What an LDAP `entity.snapshot` writes to the identity graph (called from graph-writer.ts).
 *
 * Users, computers and groups keyed by SID become nodes (name, NetBIOS-style domain from the DN,
 * enabled from userAccountControl). Direct memberships become MEMBER_OF edges from both sides: a
 * group's `memberSids` (members → group) and a principal's `memberOfSids` (principal → groups). The
 * graph skips an edge whose other end does not exist yet, so whichever of the two snapshots arrives
 * second writes it: a full sync in any order ends with every membership between synced objects,
 * nested groups included (transitive membership is a path of these edges).
 *
 * A group's `member` list is complete (the primary group is the exception: AD lists it in
 * primaryGroupID, never in `member`, and no edge is written for it), so a group snapshot also removes
 * incoming MEMBER_OF edges from principals it no longer lists, but only edges last seen no later than
 * the snapshot's time (whenChanged, whole seconds: a removal in the same second as the add must still
 * count): a 4728 seen after the group last changed stays. `memberOf` is not complete (it
 * omits groups of other domains), so a user's snapshot never removes edges. A deleted principal loses
 * its MEMBER_OF edges; the node stays (the graph port has no node removal) but is marked disabled.
 * OUs, GPOs, domains, trusts, sites and subnets have no node kind in graph-model yet and are ignored.
 *
 * One machine, one node: events name computers by host and accounts by DOMAIN\name (graph-keys.ts).
 * A principal snapshot claims those name keys as aliases of its SID node (graph-model's aliases.ts):
 * a computer's dNSHostName, sAMAccountName without `$` and cn (each by first DNS label); a user's or
 * group's sAMAccountName under the first DC= label of its DN. graph-model merges a node events created
 * under such a key into the SID node, and sends later writes by the key there. Known gap: a domain
 * whose NetBIOS name differs from its first DNS label is named one way in events (4624 logs NetBIOS)
 * and another here, so its accounts seen without SID stay apart; the computers, keyed without
 * domain, are joined.
 */
import type { EventOf } from "@vigil/sensor/contract";
import { nameKey, type EdgeRef, type IdentityGraph, type NodeInput, type NodeKind } from "@vigil/graph-model";
import { normSid } from "../engine/names.ts";

type Snapshot = EventOf<"entity.snapshot">;

const KINDS: Partial<Record<Snapshot["entity"]["objectType"], NodeKind>> = { user: "User", computer: "Computer", group: "Group" };
const UAC_ACCOUNTDISABLE = 0x2;
/** Incoming edges a reconcile reads at most (graph-model's neighbour limit). */
const MAX_MEMBERS = 10_000;

const sids = (value: unknown): string[] =>
  (Array.isArray(value) ? value : []).flatMap((v) => {
    const sid = typeof v === "string" ? normSid(v) : undefined;
    return sid ? [sid] : [];
  });

/** NetBIOS-style domain token from a DN: `CN=x,OU=y,DC=acme,DC=local` → `ACME` (graph-keys' convention). */
function domainOfDn(dn: string | undefined): string | undefined {
  const first = /(?:^|,)\s*DC=([^,]+)/i.exec(dn ?? "")?.[1];
  return first ? first.toUpperCase() : undefined;
}

/** The node a principal snapshot describes, or undefined for other types and SID-less objects. */
export function snapshotNode(event: Snapshot): NodeInput | undefined {
  const e = event.entity;
  const kind = KINDS[e.objectType];
  const objectId = normSid(e.objectId);
  if (!kind || !objectId) return undefined;
  const a = e.attributes;
  const sam = typeof a.sAMAccountName === "string" && !e.deleted ? a.sAMAccountName : undefined;
  const name = kind === "Computer" && sam ? sam.replace(/\$$/, "").toUpperCase() : (sam ?? e.name);
  const domain = domainOfDn(e.dn);
  const uac = typeof a.userAccountControl === "number" ? a.userAccountControl : undefined;
  const enabled = e.deleted ? false : uac === undefined ? undefined : (uac & UAC_ACCOUNTDISABLE) === 0;
  const aliases = e.deleted ? [] : aliasesOf(kind, sam, typeof a.dNSHostName === "string" ? a.dNSHostName : undefined, e.name, domain);
  return {
    kind,
    objectId,
    ...(name ? { name } : {}),
    ...(domain ? { domain } : {}),
    ...(enabled !== undefined ? { enabled } : {}),
    properties: { ...(e.dn ? { dn: e.dn } : {}), ...(e.deleted ? { deleted: true } : {}) },
    ...(aliases.length > 0 ? { aliases } : {}),
  };
}

/** The name keys events would give this principal (see the header). */
function aliasesOf(
  kind: NodeKind,
  sam: string | undefined,
  dnsHostName: string | undefined,
  cn: string | undefined,
  domain: string | undefined,
) {
  const keys =
    kind === "Computer"
      ? [dnsHostName, sam, cn].map((n) => nameKey("Computer", n))
      : [sam && domain ? nameKey(kind, sam, domain) : undefined];
  return [...new Set(keys.filter((k): k is string => k !== undefined))];
}

/** Nodes and MEMBER_OF edges of a snapshot (pure); undefined when it writes nothing. */
export function planSnapshotWrites(event: Snapshot) {
  const node = snapshotNode(event);
  if (!node) return undefined;
  if (event.entity.deleted) return { nodes: [], edges: [] };
  const lastSeen = new Date(event.time);
  const edge = (from: string, to: string) => ({ kind: "MEMBER_OF" as const, from, to, source: "ldap", lastSeen });
  const a = event.entity.attributes;
  const edges = [
    ...(node.kind === "Group" ? sids(a.memberSids).map((m) => edge(m, node.objectId)) : []),
    ...sids(a.memberOfSids).map((g) => edge(node.objectId, g)),
  ].filter((x) => x.from !== x.to);
  return { nodes: [node], edges };
}

/**
 * The removals a snapshot implies (see the header), after its plan was written: stale incoming
 * memberships of a group, every membership of a deleted principal. Returns how many edges went.
 */
export async function reconcileSnapshot(graph: IdentityGraph, event: Snapshot): Promise<number> {
  const node = snapshotNode(event);
  if (!node) return 0;
  const t = event.tenantId;
  const before = Date.parse(event.time);
  if (event.entity.deleted) {
    if (!(await graph.getNode(t, node.kind, node.objectId))) return 0;
    await graph.upsertNodes(t, [{ kind: node.kind, objectId: node.objectId, enabled: false, properties: { deleted: true } }]);
    const links = await graph.neighbours(t, node.objectId, { edgeKinds: ["MEMBER_OF"], direction: "both", limit: MAX_MEMBERS });
    const stale = links
      .filter((n) => n.edge.lastSeen.getTime() <= before)
      .map(({ edge }): EdgeRef => ({ kind: edge.kind, from: edge.from, to: edge.to }));
    return stale.length > 0 ? graph.removeEdges(t, stale) : 0;
  }
  if (node.kind !== "Group") return 0;
  const listed = new Set(sids(event.entity.attributes.memberSids));
  const incoming = await graph.neighbours(t, node.objectId, { edgeKinds: ["MEMBER_OF"], direction: "in", limit: MAX_MEMBERS });
  const stale = incoming
    .filter(({ edge }) => !listed.has(edge.from.toUpperCase()) && edge.lastSeen.getTime() <= before)
    .map(({ edge }): EdgeRef => ({ kind: edge.kind, from: edge.from, to: edge.to }));
  return stale.length > 0 ? graph.removeEdges(t, stale) : 0;
}
