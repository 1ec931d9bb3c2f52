import type { LmpOpening } from "@vigil/graph-model";
import type { Principal } from "@vigil/sensor/contract";
import type { AlertCandidate, AlertEntity } from "../engine/detection.ts";
import { accountEntity, label, present } from "./entities.ts";
import { accountRefs } from "./dominance-helpers.ts";

/** Detection id shared with the event-driven half (lateral-movement-path-opened.ts). */
export const LMP_OPENED_ID = "lateral-movement-path-opened";
const TITLE = "Lateral movement path to a sensitive account opened";

/** What the alert needs to know of a node on the path (from the graph; the runtime looks them up). */
export interface PathNodeInfo {
  kind: "User" | "Computer" | "Group" | "Domain";
  name: string;
  domain: string;
}

const HOW: Record<LmpOpening["edge"]["kind"], string> = {
  ADMIN_TO: "is local admin of",
  HAS_SESSION: "holds the credentials (session) of",
  MEMBER_OF: "is a member of",
};

/**
 * The graph half of lateral-movement-path-opened (pure; the event half is in
 * lateral-movement-path-opened.ts). The identity graph keeps lateral-movement paths current on every
 * edge write and journals each write that lets a non-sensitive account reach a sensitive one it did
 * not reach before (graph-model's lmp-openings.ts): a SharpHound ADMIN_TO meeting a session seen in
 * 4624s, an LDAP membership putting a helpdesk user into a group that administers a server where a
 * Domain Admin is logged on, multi-hop paths through nested groups. Events alone cannot see those.
 *
 * The runtime (runtime/lmp-openings.ts) reads the journal after each graph write and hands each
 * opening here, through the engine's `raise` so it aggregates like any candidate: the primary entity
 * is the sensitive account keyed as the event half keys it, so an opening the event half already
 * alerted on (same sensitive account, within the 48 h window) updates that alert rather than opening a
 * second one. Evidence: the event whose graph write opened the path, when the processor made it; an
 * opening from an import written straight into the graph has no event and says where it came from.
 */
export function openingCandidate(
  opening: LmpOpening,
  nodes: ReadonlyMap<string, PathNodeInfo>,
  evidenceEventIds: readonly string[],
): AlertCandidate {
  const principal = (id: string): Principal => {
    const n = nodes.get(id);
    const sid = /^S-1-/i.test(id) ? id : undefined;
    return { ...(sid ? { sid } : {}), ...(n?.name ? { name: n.name } : {}), ...(n?.domain ? { domain: n.domain } : {}) };
  };
  const named = (id: string) => (nodes.get(id)?.name ? label(principal(id)) : id);
  const target = principal(opening.target);
  const refs = accountRefs(target);
  const ref = refs[refs.length - 1] ?? opening.target.toLowerCase();
  const computerId =
    opening.edge.kind === "ADMIN_TO" ? opening.edge.to : opening.edge.kind === "HAS_SESSION" ? opening.edge.from : undefined;
  const others = opening.newSources - 1;
  const path = opening.path.nodes.map((id, i) => (i === 0 ? named(id) : `-${opening.path.kinds[i - 1]}-> ${named(id)}`)).join(" ");
  const edge = `${named(opening.edge.from)} ${HOW[opening.edge.kind]} ${named(opening.edge.to)}`;
  const description =
    `${named(opening.source)} can now take over sensitive account ${named(opening.target)}: ${edge} ` +
    `(${opening.edge.source}, last seen ${opening.edge.lastSeen.toISOString()}), which opened the path ${path}. ` +
    `${others > 0 ? `${others} more account${others === 1 ? "" : "s"} newly reach it too (${opening.sources.slice(1).map(named).join(", ")}${opening.newSources > opening.sources.length ? ", …" : ""}). ` : ""}` +
    `Accounts able to reach ${named(opening.target)}: ${opening.reachingBefore} before, ${opening.reachingAfter} now.`;
  const accountKind = (id: string): AlertEntity["kind"] => (nodes.get(id)?.kind === "Computer" ? "computer" : "user");
  return {
    detectionId: LMP_OPENED_ID,
    severity: "medium",
    title: TITLE,
    description,
    primaryEntity: `account:${ref}`,
    entities: present(
      accountEntity("target", target, accountKind(opening.target)),
      accountEntity("member", principal(opening.source), accountKind(opening.source)),
      computerId && computerId !== opening.source
        ? { role: "source", kind: "computer", id: named(computerId).toLowerCase(), name: named(computerId) }
        : undefined,
    ),
    evidenceEventIds: [...evidenceEventIds],
    time: opening.at.toISOString(),
  };
}
