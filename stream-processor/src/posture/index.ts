// Public surface of the posture module (wired by the processor; see docs/posture.md).
export { assessPosture, type AssessPostureOptions, type PostureReport } from "./assess.ts";
export type { Findings, Points, PostureAssessment } from "./assessment.ts";
export { POSTURE_ASSESSMENTS } from "./catalog.ts";
export { PostureInputError } from "./errors.ts";
export type * from "./model.ts";
export { CATEGORIES, CATEGORY_CAP, scorePosture, type PostureScore } from "./score.ts";
export { emptySnapshot, foldEntitySnapshot, pruneTombstones, TOMBSTONE_DAYS, type FoldOutcome } from "./snapshot-builder.ts";
export { DC_SILENCE_HOURS, emptyTraffic, foldTraffic, TRAFFIC_DAYS, trafficObservations, type TrafficState } from "./traffic.ts";
export { decodeSnapshot, encodeSnapshot, type SnapshotJson } from "./snapshot-codec.ts";
