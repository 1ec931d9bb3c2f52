/**
 * A SharpHound collection → the nodes and edges it contributes to the identity graph (pure).
 *
 * Nodes are keyed by ObjectIdentifier (SID / GUID), the same key the stream processor uses whenever
 * an event carries a SID, so an imported user and the same user seen in 4624s are one node. Names
 * follow the processor's conventions (stream-processor/src/sinks/graph-keys.ts): account name without
 * domain, computer as its first DNS label upper-cased, domain as its first label upper-cased; the
 * full names SharpHound writes are kept as properties.
 *
 * Edges:
 * - MEMBER_OF from each group's Members, and from each user's / computer's PrimaryGroupSID (AD leaves
 *   the primary group out of the group's `member` attribute, so without it every user would miss
 *   Domain Users).
 * - ADMIN_TO from the members of each computer's local Administrators group, recognised by RID 544
 *   rather than by name because the name is localised ("Administrateurs"). The other local groups
 *   SharpHound reads (Remote Desktop Users 555, Distributed COM Users 562, Remote Management Users
 *   580) have no edge kind in graph-model yet: their memberships are counted as ignored. Local
 *   accounts (ObjectType LocalUser / LocalGroup) are not domain principals and are counted too.
 * - ADMIN_TO from the `GPOChanges` of OUs and domains (SharpHound 1.1+ / CE): each LocalAdmins
 *   principal to each AffectedComputers computer, as SharpHound resolved the GPOs' local groups.
 * - HAS_SESSION from Sessions, PrivilegedSessions and RegistrySessions, computer → user. The computer
 *   is the result's ComputerSID: for NetSessionEnum that is the client machine the user works at, not
 *   the server that answered. Only domain accounts (S-1-5-21-…) count, as in the processor.
 *
 * A referenced principal that the collection does not describe (another domain's user, a group
 * outside the collected scope) becomes a stub node of the referenced type, because graph-model
 * writes no edge to a missing node. A stub carries only kind and objectId, so it never overwrites
 * what the graph already knows about that principal.
 */
import { nameKey, type EdgeInput, type EdgeKind, type NodeInput, type NodeKind } from "@vigil/graph-model";
import type { PrincipalRef, SharpHoundCollection, SharpHoundObject } from "@vigil/sensor";

/** Where imported edges say they came from. */
export const SHARPHOUND_SOURCE = "sharphound";

/** The writes of one collection. */
export interface ImportPlan {
  /** Objects the collection describes. */
  nodes: NodeInput[];
  /** Principals only referenced (kind + objectId). */
  stubs: NodeInput[];
  edges: EdgeInput[];
  /** What was deliberately not mapped, by reason, with counts. */
  ignored: Record<string, number>;
}

const ADMINISTRATORS_RID = 544;
const LOCAL_GROUP_NAMES: Record<number, string> = {
  555: "Remote Desktop Users",
  562: "Distributed COM Users",
  580: "Remote Management Users",
};
const DOMAIN_ACCOUNT = /^S-1-5-21-/;

function refKind(type: string): NodeKind | undefined {
  const t = type.toLowerCase();
  return t === "user" ? "User" : t === "computer" ? "Computer" : t === "group" ? "Group" : undefined;
}

const firstLabel = (dns: string) => dns.split(".")[0]!.toUpperCase();

function displayName(o: SharpHoundObject): string | undefined {
  if (o.kind === "Domain") return o.principalName;
  if (o.kind === "Computer") {
    const n = o.principalName ?? o.samAccountName?.replace(/\$$/, "");
    return n ? firstLabel(n) : undefined;
  }
  if (o.samAccountName) return o.samAccountName;
  const at = o.principalName?.lastIndexOf("@") ?? -1;
  return at > 0 ? o.principalName!.slice(0, at) : o.principalName;
}

function toNode(o: SharpHoundObject): NodeInput {
  const name = displayName(o);
  const properties: Record<string, string> = {};
  if (o.principalName) properties.principalName = o.principalName;
  if (o.distinguishedName) properties.distinguishedName = o.distinguishedName;
  if (o.domain) properties.domainName = o.domain;
  return {
    kind: o.kind,
    objectId: o.objectId,
    ...(name ? { name } : {}),
    ...(o.domain ? { domain: firstLabel(o.domain) } : {}),
    ...(o.enabled !== undefined ? { enabled: o.enabled } : {}),
    ...(Object.keys(properties).length ? { properties } : {}),
    ...aliasesOf(o),
  };
}

/**
 * The name keys events give this object (graph-model's aliases.ts): the processor's host-named
 * computer or DOMAIN\account node is then merged into this SID node, in whichever order they arrive.
 */
function aliasesOf(o: SharpHoundObject): { aliases?: string[] } {
  if (o.kind === "Domain" || o.objectId.includes(":")) return {};
  const keys =
    o.kind === "Computer"
      ? [o.principalName, o.samAccountName].map((n) => nameKey("Computer", n))
      : [o.samAccountName && o.domain ? nameKey(o.kind, o.samAccountName, o.domain) : undefined];
  const aliases = [...new Set(keys.filter((k): k is string => k !== undefined))];
  return aliases.length ? { aliases } : {};
}

/** Plans the graph writes of a collection; `at` is the observation time of every edge. */
export function planSharpHoundImport(collection: SharpHoundCollection, at: Date): ImportPlan {
  const known = new Map<string, NodeInput>();
  for (const o of [...collection.domains, ...collection.groups, ...collection.computers, ...collection.users]) {
    const prev = known.get(o.objectId);
    // The same object in two files (merged collections): the later description wins field by field.
    known.set(o.objectId, prev ? { ...prev, ...toNode(o), kind: prev.kind } : toNode(o));
  }
  const stubs = new Map<string, NodeInput>();
  const edges = new Map<string, EdgeInput>();
  const ignored: Record<string, number> = {};
  const ignore = (reason: string, n = 1) => {
    if (n > 0) ignored[reason] = (ignored[reason] ?? 0) + n;
  };
  const ensure = (objectId: string, kind: NodeKind) => {
    if (!known.has(objectId) && !stubs.has(objectId)) stubs.set(objectId, { kind, objectId });
  };
  const edge = (kind: EdgeKind, from: string, to: string) => {
    if (from === to) return;
    edges.set(`${kind} ${from} ${to}`, { kind, from, to, source: SHARPHOUND_SOURCE, lastSeen: at });
  };
  /** An edge from a typed reference; references of other types are counted under `what`. */
  const fromRef = (kind: EdgeKind, ref: PrincipalRef, to: string, what: string) => {
    const refType = refKind(ref.type);
    if (!refType) return ignore(`${what} of ObjectType ${ref.type} (not a domain user, group or computer)`);
    ensure(ref.objectId, refType);
    edge(kind, ref.objectId, to);
  };

  for (const g of collection.groups) for (const m of g.members) fromRef("MEMBER_OF", m, g.objectId, "group members");
  for (const o of [...collection.users, ...collection.computers]) {
    if (!o.primaryGroupSid) continue;
    ensure(o.primaryGroupSid, "Group");
    edge("MEMBER_OF", o.objectId, o.primaryGroupSid);
  }
  for (const c of collection.computers) {
    for (const lg of c.localGroups) {
      if (lg.rid !== ADMINISTRATORS_RID) {
        const name = lg.rid !== undefined ? (LOCAL_GROUP_NAMES[lg.rid] ?? `RID ${lg.rid}`) : "without RID";
        ignore(`local group ${name} memberships (graph-model has no edge kind for them)`, lg.members.length);
        continue;
      }
      if (!lg.collected) ignore("computers whose local Administrators were not collected");
      for (const m of lg.members) fromRef("ADMIN_TO", m, c.objectId, "local administrators");
    }
    for (const s of c.sessions) {
      if (!DOMAIN_ACCOUNT.test(s.userSid)) {
        ignore("sessions of accounts outside the domain (not S-1-5-21-…)");
        continue;
      }
      // NetSessionEnum names the client the session came from; unresolved, the user is somewhere unknown,
      // not on the server that answered. The other two methods report users of the answering computer.
      if (s.method === "Sessions" && !s.computerSid) {
        ignore("sessions whose client computer SharpHound could not resolve");
        continue;
      }
      const computer = s.computerSid ?? c.objectId;
      ensure(computer, "Computer");
      ensure(s.userSid, "User");
      edge("HAS_SESSION", computer, s.userSid);
    }
    for (const f of c.sessionFailures) ignore(`${f.method} not collected on a computer`);
  }
  // GPO-granted admins as SharpHound resolved them per OU / domain: every listed admin on every affected computer.
  for (const g of collection.gpoChanges ?? []) {
    ignore("GPO-granted memberships of other local groups (graph-model has no edge kind for them)", g.otherLocalGroupMembers);
    for (const computer of g.affectedComputers) {
      if (refKind(computer.type) !== "Computer") {
        ignore("GPOChanges affected objects that are not computers");
        continue;
      }
      ensure(computer.objectId, "Computer");
      for (const admin of g.localAdmins) fromRef("ADMIN_TO", admin, computer.objectId, "GPO local administrators");
    }
  }
  for (const f of collection.files) if (!f.mapped) ignore(`${f.type} objects (not mapped to the graph yet)`, f.objects);
  return { nodes: [...known.values()], stubs: [...stubs.values()], edges: [...edges.values()], ignored };
}
