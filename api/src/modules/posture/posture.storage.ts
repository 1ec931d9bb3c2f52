import type { TenantTx } from "../../db.ts";
import type { PostureAffectedEntity } from "./posture.types.ts";
import type { PostureStatus } from "./posture.types.ts";

/** A posture assessment as the API returns it. */
export interface PostureAssessmentRow {
  id: string;
  title: string;
  category: string;
  severity: "low" | "medium" | "high";
  status: PostureStatus;
  affected: PostureAffectedEntity[];
  remediation: string;
  note: string | null;
  evaluatedAt: Date;
  statusSince: Date;
}

/** A tenant score as the API returns it. */
export interface PostureScoreRow {
  score: number;
  categories: unknown;
  complete: boolean;
  unknown: string[];
  evaluatedAt: Date;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** The processor writes `affected` as JSON; anything else in the column is skipped rather than failing the whole list. */
function affectedOf(json: unknown): PostureAffectedEntity[] {
  if (!Array.isArray(json)) return [];
  return json.filter(
    (e): e is PostureAffectedEntity =>
      isRecord(e) && typeof e.objectId === "string" && typeof e.name === "string" && typeof e.reason === "string",
  );
}

const SEVERITIES = new Set(["low", "medium", "high"]);

const SCORE_COLUMNS = { score: true, categories: true, complete: true, unknown: true, evaluatedAt: true } as const;

/** Posture queries for one tenant (tenantId named explicitly; RLS is the backstop). */
export class PostureStorage {
  constructor(
    private readonly db: TenantTx,
    private readonly tenantId: string,
  ) {}

  /** Every assessment (optionally of one status), ordered by id so the list is stable between runs. */
  async assessments(status: PostureStatus | null): Promise<PostureAssessmentRow[]> {
    const rows = await this.db.postureAssessment.findMany({
      where: { tenantId: this.tenantId, ...(status ? { status } : {}) },
      orderBy: { assessmentId: "asc" },
    });
    return rows.map((r) => ({
      id: r.assessmentId,
      title: r.title,
      category: r.category,
      // The column is free text; an unknown value reads as the most cautious, never an error.
      severity: (SEVERITIES.has(r.severity) ? r.severity : "high") as PostureAssessmentRow["severity"],
      status: r.status,
      affected: affectedOf(r.affected),
      remediation: r.remediation,
      note: r.note,
      evaluatedAt: r.evaluatedAt,
      statusSince: r.statusSince,
    }));
  }

  /** Newest first; at most `limit`. */
  async scores(limit: number): Promise<PostureScoreRow[]> {
    return this.db.postureScore.findMany({
      select: SCORE_COLUMNS,
      where: { tenantId: this.tenantId },
      orderBy: [{ evaluatedAt: "desc" }, { id: "asc" }],
      take: limit,
    });
  }
}
