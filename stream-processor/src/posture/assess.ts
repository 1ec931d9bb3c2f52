/**
 * Runs every posture assessment over one tenant's snapshot and traffic. Pure: the caller passes
 * `now`; the processor calls this after each sync and at least daily (scores and statuses are
 * refreshed every 24 hours in MDI).
 */
import type { PostureAssessment } from "./assessment.ts";
import { POSTURE_ASSESSMENTS } from "./catalog.ts";
import { readDirectory } from "./directory.ts";
import type { AssessmentResult, AssessOptions, DirectorySnapshot, TrafficObservations } from "./model.ts";
import { scorePosture, type PostureScore } from "./score.ts";

/** Options of assessPosture. */
export interface AssessPostureOptions extends AssessOptions {
  /** Assessments to run (default: all). */
  assessments?: readonly PostureAssessment[];
}

/** A posture run: one result per assessment and the tenant score. */
export interface PostureReport {
  tenantId: string;
  evaluatedAt: string;
  assessments: AssessmentResult[];
  score: PostureScore;
}

/** Evaluates the posture of one tenant. A throwing assessment yields "unknown" with the reason; the others still run. */
export function assessPosture(
  snapshot: DirectorySnapshot,
  traffic: TrafficObservations | undefined,
  options: AssessPostureOptions,
): PostureReport {
  if (Number.isNaN(Date.parse(options.now))) throw new TypeError(`assessPosture: now ${JSON.stringify(options.now)} is not a time`);
  const list = options.assessments ?? POSTURE_ASSESSMENTS;
  const dir = readDirectory(snapshot, options);
  const results = list.map((a): AssessmentResult => {
    const base = { id: a.id, title: a.title, category: a.category, severity: a.severity, remediation: a.remediation };
    try {
      const f = a.evaluate(dir, traffic);
      const status = f.affected.length > 0 ? "failed" : f.missing ? "unknown" : "passed";
      return { ...base, status, affected: f.affected, ...(f.missing ? { note: f.missing } : {}) };
    } catch (error) {
      return { ...base, status: "unknown", affected: [], note: `assessment failed: ${(error as Error).message}` };
    }
  });
  return { tenantId: snapshot.tenantId, evaluatedAt: options.now, assessments: results, score: scorePosture(list, results) };
}
