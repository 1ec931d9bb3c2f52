// The posture module: posture assessment results and the tenant score, as the processor's posture runner stored them.
export { MAX_SCORE_HISTORY, PostureManager } from "./posture.manager.ts";
export { PostureResolver } from "./posture.resolver.ts";
export type { PostureAssessmentRow, PostureScoreRow } from "./posture.storage.ts";
