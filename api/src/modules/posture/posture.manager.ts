import type { Viewer } from "../../auth/viewer.ts";
import { type Store, inViewerTenant } from "../../db.ts";
import { badInput } from "../../errors.ts";
import { type PostureAssessmentRow, type PostureScoreRow, PostureStorage } from "./posture.storage.ts";
import type { PostureStatus } from "./posture.types.ts";

/** Most score rows one history query returns (a daily run gives a year of history in 366). */
export const MAX_SCORE_HISTORY = 366;

/** Posture read use cases; the processor's posture runner writes, the API only reads. */
export class PostureManager {
  constructor(private readonly store: Store) {}

  async assessments(viewer: Viewer, status: PostureStatus | null): Promise<PostureAssessmentRow[]> {
    return inViewerTenant(this.store, viewer, (tx) => new PostureStorage(tx, viewer.tenantId).assessments(status));
  }

  /** The latest score, or null before the first run. */
  async latestScore(viewer: Viewer): Promise<PostureScoreRow | null> {
    const [latest] = await inViewerTenant(this.store, viewer, (tx) => new PostureStorage(tx, viewer.tenantId).scores(1));
    return latest ?? null;
  }

  /** The newest `first` scores, newest first. */
  async scoreHistory(viewer: Viewer, first: number): Promise<PostureScoreRow[]> {
    if (!Number.isInteger(first) || first < 1 || first > MAX_SCORE_HISTORY)
      throw badInput(`first must be an integer from 1 to ${MAX_SCORE_HISTORY}`);
    return inViewerTenant(this.store, viewer, (tx) => new PostureStorage(tx, viewer.tenantId).scores(first));
  }
}
