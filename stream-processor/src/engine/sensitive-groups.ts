import type { DefaultSensitiveGroup } from "@vigil/graph-model";

// The default list lives once, in graph-model (the graph's sensitivity reads it too).
export { DEFAULT_SENSITIVE_GROUPS } from "@vigil/graph-model";

/** One group that is sensitive by default (graph-model's list entry). */
export type SensitiveGroupDefault = DefaultSensitiveGroup;

/** RIDs of the groups whose members are domain controllers (adding a DC to them is DC promotion). */
export const DC_GROUP_RIDS: ReadonlySet<number> = new Set([498, 516, 521]);
