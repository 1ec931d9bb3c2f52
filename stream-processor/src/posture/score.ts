/**
 * Tenant posture score, PingCastle-style: each failed assessment adds points to its category
 * (base for the first affected entity, more per further entity, capped per assessment); a category
 * is capped at 100; the tenant score is the worst category. 0 = nothing found, 100 = at least one
 * category saturated. Unknown assessments add nothing but make the score incomplete, so a low score
 * on missing data is never mistaken for a clean bill. See docs/posture.md.
 */
import type { PostureAssessment } from "./assessment.ts";
import type { AssessmentResult, PostureCategory } from "./model.ts";

/** Every category, in report order. */
export const CATEGORIES: readonly PostureCategory[] = ["stale-objects", "privileged-accounts", "trusts", "kerberos", "anomalies"];

/** Highest score a category (and the tenant) can reach. */
export const CATEGORY_CAP = 100;

/** The score of one run. */
export interface PostureScore {
  /** Worst category, 0-100; lower is better. */
  score: number;
  categories: Record<PostureCategory, number>;
  /** False when any assessment is unknown. */
  complete: boolean;
  /** Ids of the unknown assessments. */
  unknown: string[];
}

/** Points one result adds (0 unless failed). */
export function pointsFor(a: PostureAssessment, r: AssessmentResult): number {
  if (r.status !== "failed") return 0;
  const n = Math.max(1, r.affected.length);
  return Math.min(a.points.max, a.points.base + a.points.perEntity * (n - 1));
}

/** Scores a run; `assessments` and `results` are parallel. */
export function scorePosture(assessments: readonly PostureAssessment[], results: readonly AssessmentResult[]): PostureScore {
  const categories = Object.fromEntries(CATEGORIES.map((c) => [c, 0])) as Record<PostureCategory, number>;
  results.forEach((r, i) => {
    categories[r.category] = Math.min(CATEGORY_CAP, categories[r.category] + pointsFor(assessments[i]!, r));
  });
  const unknown = results.filter((r) => r.status === "unknown").map((r) => r.id);
  return { score: Math.max(...Object.values(categories)), categories, complete: unknown.length === 0, unknown };
}
