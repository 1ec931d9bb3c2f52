/**
 * One machine, one node: name keys and aliases. Directory sources (LDAP sync, SharpHound) know an
 * object's SID; events often name it only: a 4624 names the computer it was recorded on by host name,
 * a 4728 may name a member by DOMAIN\account. Sources without a SID key the node by a *name key*
 * (below); a source that knows both writes the SID node with its name keys as `aliases`. Then:
 *  - a node already stored under one of those name keys (events came first) is merged into the SID
 *    node: its edges move over (repeats fold into one observation span, sources and times kept), its
 *    properties fill what the SID node lacks, its tags carry over, and the name-keyed node is deleted;
 *  - every later write or read by the name key reaches the SID node (LDAP came first).
 * An alias names at most one node: a newer claim (a machine re-joined under a new SID keeps its name)
 * re-points it. Two SID nodes are never merged, only name-keyed ones into SID nodes.
 *
 * Name keys, all upper-case (graph-model upper-cases objectIds anyway), prefixed by the kind so a user
 * and a computer spelled alike never meet:
 *   COMPUTER:<FIRST DNS LABEL>   from a host `ws01.acme.local`, a NetBIOS name `WS01`, an FQDN, the
 *                                machine account `WS01$` or dNSHostName; computers are keyed without
 *                                domain (host names repeat across one tenant's domains far less often
 *                                than account names do).
 *   USER:<DOMAIN>\<ACCOUNT>      DOMAIN is the NetBIOS name or first DNS label; an account seen without
 *   GROUP:<DOMAIN>\<ACCOUNT>     domain gets `USER:<ACCOUNT>`, which no directory source claims (the
 *                                same account name exists in several domains), so it stays apart.
 */
import { invalidInput } from "./errors.ts";
import type { NodeKind } from "./schema.ts";

/** Whether an objectId is a name key (has a `<KIND>:` prefix); SIDs and GUIDs never contain a colon. */
export function isNameKey(objectId: string): boolean {
  return objectId.includes(":");
}

/** `ws01.acme.local`, `\\WS01`, `WS01$` → `WS01`; undefined for blanks. */
export function computerLabel(nameOrHost: string | undefined): string | undefined {
  const label = nameOrHost?.trim().replace(/^\\+/, "").split(".")[0]!.replace(/\$$/, "").toUpperCase();
  return label ? label : undefined;
}

/**
 * The name key of a principal known without SID (see the header), or undefined when nameless. For a
 * User or Group, `domain` is a NetBIOS name or DNS name (its first label is used).
 */
export function nameKey(kind: NodeKind, name: string | undefined, domain?: string): string | undefined {
  if (kind === "Computer") {
    const label = computerLabel(name);
    return label ? `COMPUTER:${label}` : undefined;
  }
  const account = name?.trim();
  if (!account) return undefined;
  const dom = domain?.trim().split(".")[0];
  return `${kind}:${dom ? `${dom}\\` : ""}${account}`.toUpperCase();
}

/**
 * Validated aliases of one node input: upper-cased, deduplicated, never the node's own objectId.
 * Each must be a name key of the node's own kind, so an alias can never merge a SID node or a node
 * of another kind.
 */
export function normalizeAliases(kind: NodeKind, objectId: string, aliases: unknown): string[] {
  if (aliases === undefined) return [];
  if (!Array.isArray(aliases)) throw invalidInput("node.aliases must be an array of strings");
  const prefix = `${kind.toUpperCase()}:`;
  const out = new Set<string>();
  for (const a of aliases) {
    if (typeof a !== "string" || a.trim() === "") throw invalidInput("node.aliases must be non-empty strings");
    const alias = a.trim().toUpperCase();
    if (!alias.startsWith(prefix) || alias.length === prefix.length)
      throw invalidInput(`alias ${JSON.stringify(a)} of a ${kind} must be a name key starting with ${prefix}`);
    if (alias !== objectId) out.add(alias);
  }
  if (out.size > 0 && isNameKey(objectId)) throw invalidInput(`only a node keyed by SID or GUID may claim aliases (not ${objectId})`);
  return [...out];
}
