/**
 * Identity relationships the processor learns from events, written to the graph (DESIGN.md §1 item 2).
 *
 * HAS_SESSION (computer → user) means "this user's credentials are in that computer's memory", the
 * hop lateral movement paths are made of. Events that prove it:
 * - `logon` success, types 2 / 10 / 11 (interactive, RDP, cached interactive) and 4 / 5 (batch,
 *   service): the account's credentials are cached in LSASS (or LSA secrets) of the computer that
 *   recorded the logon (`origin.computer`, else `dc`).
 * - `logon` success, types 3 / 8 (network, network cleartext): the logon came from the user's own
 *   machine, where they are working: session on the source computer (`src.host`). This is how a DC's
 *   4624s reveal where users sit (MDI does the same).
 * - `kerberos.as` / `kerberos.tgs` success: tickets are requested by the machine holding the user's
 *   TGT, so the user is on the source computer (`src.host`).
 * Not sessions: failures, type 9 (new credentials: outbound only), machine accounts and built-in
 * identities (see isSessionUser). NTLM is left out: 4776's workstation is whatever the client claims.
 *
 * DCs mostly log the source by IP only. The IP never becomes a node (graph-keys.ts); it is resolved
 * to the computer that held it at the event's time, from the tenant's host table (the engine learns it
 * from machine-account Kerberos authentications, see engine/host-resolution.ts). Unknown, expired or
 * shared IPs stay unresolved: no session. A machine's proof also writes the sessions of users whose
 * requests from its IP reached the DC just before it (the table keeps them a few minutes).
 *
 * MEMBER_OF (member → group) from `group.membership` adds. Removals are not applied from events; the
 * LDAP sync's `entity.snapshot`s reconcile memberships (graph-snapshot.ts): principal nodes, direct
 * memberships from both sides, stale group members and deleted principals removed.
 * Nodes are upserted before edges, since graph-model skips edges whose endpoints do not exist.
 */
import type { Principal, VigilEvent } from "@vigil/sensor/contract";
import { isGraphError, type EdgeInput, type IdentityGraph, type NodeInput, type NodeKind } from "@vigil/graph-model";
import { evidenceLabel, releasedSessions, resolveIp, sourceSessionActor, type HostTable } from "../engine/host-resolution.ts";
import { normSid } from "../engine/names.ts";
import { domainOf, endpointNode, hostNode, isSessionUser, principalKey, principalNode, samOf } from "./graph-keys.ts";
import { planSnapshotWrites, reconcileSnapshot } from "./graph-snapshot.ts";

/** The nodes and edges one event contributes. */
export interface GraphPlan {
  nodes: NodeInput[];
  edges: EdgeInput[];
}

const RECORDING_HOST_LOGON_TYPES = new Set([2, 4, 5, 10, 11]);

function session(
  computer: NodeInput | undefined,
  user: Principal | undefined,
  source: string,
  time: string | number,
): GraphPlan | undefined {
  if (!computer || !isSessionUser(user)) return undefined;
  const account = principalNode(user, "User");
  if (!account) return undefined;
  return {
    nodes: [computer, account],
    edges: [{ kind: "HAS_SESSION", from: computer.objectId, to: account.objectId, source, lastSeen: new Date(time) }],
  };
}

/** The computer that held an IP at a time, as a node (with the machine account's domain). */
function resolvedNode(hosts: HostTable | undefined, ip: string | undefined, at: number): NodeInput | undefined {
  const held = resolveIp(hosts, ip, at);
  const node = hostNode(held?.host);
  const domain = held?.domain ? domainOf({ domain: held.domain }) : undefined;
  return node && domain ? { ...node, domain } : node;
}

/** The event's source computer: named by the event, else its IP resolved through the host table. */
function sourceComputer(event: VigilEvent, hosts: HostTable | undefined): NodeInput | undefined {
  return endpointNode(event.src) ?? resolvedNode(hosts, event.src?.ip, Date.parse(event.time));
}

/** Sessions a machine's proof releases (see the header), merged into one plan. */
function released(event: VigilEvent, hosts: HostTable | undefined): GraphPlan | undefined {
  const plans = releasedSessions(hosts, event).map((p) => session(resolvedNode(hosts, event.src?.ip, p.at), p.who, p.source, p.at));
  return merge(plans);
}

function merge(plans: (GraphPlan | undefined)[]): GraphPlan | undefined {
  const present = plans.filter((p): p is GraphPlan => p !== undefined);
  if (present.length === 0) return undefined;
  const nodes = new Map<string, NodeInput>();
  for (const p of present) for (const n of p.nodes) nodes.set(n.objectId, n);
  return { nodes: [...nodes.values()], edges: present.flatMap((p) => p.edges) };
}

/** The member's kind when nothing in the graph says otherwise: `NAME$` is a computer, builtin SIDs are groups. */
export function guessMemberKind(member: Principal): NodeKind {
  if (samOf(member.name)?.endsWith("$") || /,OU=Domain Controllers,|,CN=Computers,/i.test(member.dn ?? "")) return "Computer";
  if (normSid(member.sid)?.startsWith("S-1-5-32-")) return "Group";
  return "User";
}

/**
 * What an event writes to the graph (pure). `memberKind` is the kind of a group.membership member as
 * the caller resolved it (from the graph, else guessMemberKind); `hosts` is the tenant's host table
 * (engine.context(tenantId).hosts) after the engine learned from this event; without it, sources
 * known only by IP stay unresolved.
 */
export function planGraphWrites(event: VigilEvent, memberKind?: NodeKind, hosts?: HostTable): GraphPlan | undefined {
  const label = evidenceLabel(event);
  switch (event.kind) {
    case "logon":
    case "kerberos.as":
    case "kerberos.tgs": {
      if (event.kind === "logon" && event.success && RECORDING_HOST_LOGON_TYPES.has(event.logonType))
        return session(hostNode(event.origin.computer ?? event.dc), event.actor, label, event.time);
      const user = sourceSessionActor(event);
      return merge([user ? session(sourceComputer(event, hosts), user, label, event.time) : undefined, released(event, hosts)]);
    }
    case "group.membership": {
      if (event.action !== "add") return undefined;
      const group = principalNode(event.group, "Group");
      const member = principalNode(event.member, memberKind ?? guessMemberKind(event.member));
      if (!group || !member || group.objectId === member.objectId) return undefined;
      return {
        nodes: [group, member],
        edges: [{ kind: "MEMBER_OF", from: member.objectId, to: group.objectId, source: label, lastSeen: new Date(event.time) }],
      };
    }
    case "entity.snapshot":
      return planSnapshotWrites(event);
    default:
      return undefined;
  }
}

/** True when an event may write to the graph (so the processor knows whether it has graph work). */
export function hasGraphWrites(event: VigilEvent, hosts?: HostTable): boolean {
  return planGraphWrites(event, undefined, hosts) !== undefined;
}

/**
 * Graph errors that retrying cannot fix: input the port refuses, or an objectId stored under another
 * kind (e.g. a nested group first seen as a user member). Everything else (unreachable, query failed,
 * closed) is treated as transient.
 */
export function isPermanentGraphError(err: unknown): boolean {
  return isGraphError(err, "GRAPH_INVALID_INPUT") || isGraphError(err, "GRAPH_KIND_CONFLICT");
}

/** Writes an event's relationships: nodes, then edges. Returns the plan written (undefined: nothing to do). */
export async function writeGraph(graph: IdentityGraph, event: VigilEvent, hosts?: HostTable): Promise<GraphPlan | undefined> {
  let memberKind: NodeKind | undefined;
  if (event.kind === "group.membership" && event.action === "add") {
    const key = principalKey(event.member, guessMemberKind(event.member));
    const known = key && normSid(event.member.sid) ? await graph.getNode(event.tenantId, key) : null;
    if (known && known.kind !== "Domain") memberKind = known.kind;
  }
  const plan = planGraphWrites(event, memberKind, hosts);
  if (!plan) return undefined;
  await graph.upsertNodes(event.tenantId, plan.nodes);
  await graph.upsertEdges(event.tenantId, plan.edges);
  if (event.kind === "entity.snapshot") await reconcileSnapshot(graph, event);
  return plan;
}
