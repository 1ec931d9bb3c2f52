/**
 * When adapters keep lateral-movement results current incrementally and when they start over; shared so
 * both adapters make the same call on the same writes.
 */
import { createHash } from "node:crypto";
import type { NormalNode } from "./normalize.ts";
import type { SensitiveAccount } from "./port.ts";

/**
 * Edge changes per call applied one by one; above this a full recompute is cheaper than one reverse
 * search (memory) or one affected-target query (Neo4j) per edge. Directory resyncs land here.
 */
export const LMP_INCREMENTAL_LIMIT = 64;

/** Whether a node write may change who is sensitive or a honeytoken (then the adapter re-checks the fingerprint). */
export function touchesSensitivity(n: NormalNode): boolean {
  return (
    n.kind === "Group" || n.sensitive !== undefined || n.honeytoken !== undefined || "tierZero" in n.properties || "roles" in n.properties
  );
}

/** Hash of the sensitive set and the honeytokens: equal fingerprints mean the same path sources and targets. */
export function fingerprintOf(sensitive: readonly SensitiveAccount[], honeytokens: readonly string[]): string {
  return createHash("sha256")
    .update(JSON.stringify([sensitive.map((s) => s.objectId), [...honeytokens].sort()]))
    .digest("hex");
}
