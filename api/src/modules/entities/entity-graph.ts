import type { GraphNode } from "@vigil/graph-model";

/*
 * Entity keys ↔ identity graph objectIds. The processor names graph nodes as
 * stream-processor/src/sinks/graph-keys.ts describes; the API may not import the processor
 * (DESIGN §2), so the scheme is restated here; keep them in step:
 *
 *   a principal with a SID          the SID, upper-cased
 *   user / group without SID        USER:<DOMAIN>\<SAM> / GROUP:<DOMAIN>\<SAM> (domain omitted when unknown)
 *   computer without SID            COMPUTER:<FIRST DNS LABEL, no trailing $>
 *
 * IP addresses get no node (DHCP reassigns them), so `ip:` keys map to none. Neither do unprefixed
 * names and `entity:` names: their kind is unknown and user, group and computer keys differ.
 */

const SID = /^S-1-\d+(-\d+)+$/i;
const HOST = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*\$?$/;

/** The graph objectId an entity key names, or undefined when it names no graph node. */
export function graphObjectId(key: string): string | undefined {
  const colon = key.indexOf(":");
  const prefix = colon > 0 ? key.slice(0, colon).trim().toLowerCase() : undefined;
  const ref = (prefix !== undefined ? key.slice(colon + 1) : key).trim();
  if (ref.length === 0) return undefined;
  if (SID.test(ref)) return prefix === "ip" ? undefined : ref.toUpperCase();
  switch (prefix) {
    case "computer":
    case "host":
      return HOST.test(ref) && !/^\d+(\.\d+){3}$/.test(ref) ? `COMPUTER:${ref.split(".")[0]!.replace(/\$$/, "").toUpperCase()}` : undefined;
    case "user":
    case "account":
      return accountKey("USER", ref);
    case "group":
      return accountKey("GROUP", ref);
    default:
      return undefined;
  }
}

// `bob`, `CORP\bob` and `bob@corp.lab` as graph-keys.ts `principalKey` names them without SID.
function accountKey(kind: "USER" | "GROUP", ref: string): string | undefined {
  if (ref.includes(":")) return undefined;
  const slash = ref.lastIndexOf("\\");
  let sam = slash >= 0 ? ref.slice(slash + 1) : ref;
  let domain = slash >= 0 ? ref.slice(0, slash) : "";
  const at = sam.indexOf("@");
  if (at > 0) {
    if (!domain) domain = sam.slice(at + 1);
    sam = sam.slice(0, at);
  }
  sam = sam.trim();
  const dom = domain.trim().split(".")[0]!.trim();
  if (!sam || sam === "-") return undefined;
  return `${kind}:${dom && dom !== "-" ? `${dom}\\` : ""}${sam}`.toUpperCase();
}

/** The entity key under which the API answers for a graph node (so `entity(id)` finds it again), or null for domains. */
export function entityKeyOf(node: Pick<GraphNode, "kind" | "objectId">): string | null {
  const kind = node.kind === "User" ? "user" : node.kind === "Computer" ? "computer" : node.kind === "Group" ? "group" : undefined;
  if (!kind) return null;
  const id = node.objectId;
  if (SID.test(id)) return `${kind}:${id}`;
  const prefix = `${node.kind.toUpperCase()}:`;
  if (!id.startsWith(prefix) || id.startsWith(`${prefix}DN:`)) return null;
  const ref = id.slice(prefix.length);
  return kind === "computer" ? `computer:${ref.toLowerCase()}` : `${kind}:${ref}`;
}
