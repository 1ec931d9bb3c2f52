// type-graphql decorators need the Reflect metadata API before they run.
import "reflect-metadata";
import { Arg, Ctx, Int, Query, Resolver } from "type-graphql";
import { authorize } from "../../auth/permissions.ts";
import type { VigilContext } from "../../context.ts";
import { VigilError, ErrorCode } from "../../errors.ts";
import type { PostureManager } from "./posture.manager.ts";
import type { PostureAssessmentRow, PostureScoreRow } from "./posture.storage.ts";
import { PostureAssessmentResult, PostureScoreResult, PostureStatus } from "./posture.types.ts";

/** The manager from the context; a server built without it is a wiring bug, reported as such. */
function posture(ctx: VigilContext): PostureManager {
  const manager = (ctx as VigilContext & { posture?: PostureManager }).posture;
  if (!manager) throw new VigilError(ErrorCode.INTERNAL, "posture module not wired into the server context");
  return manager;
}

/** Thin resolvers: authorize with an action name, call the manager, return. */
@Resolver(() => PostureAssessmentResult)
export class PostureResolver {
  @Query(() => [PostureAssessmentResult], { description: "Latest posture assessments of the caller's tenant, by id" })
  async postureAssessments(
    @Ctx() ctx: VigilContext,
    @Arg("status", () => PostureStatus, { nullable: true }) status: PostureStatus | null,
  ): Promise<PostureAssessmentRow[]> {
    return posture(ctx).assessments(authorize(ctx.auth, "posture:read"), status ?? null);
  }

  @Query(() => PostureScoreResult, { nullable: true, description: "The tenant's latest posture score; null before the first run" })
  async postureScore(@Ctx() ctx: VigilContext): Promise<PostureScoreRow | null> {
    return posture(ctx).latestScore(authorize(ctx.auth, "posture:read"));
  }

  @Query(() => [PostureScoreResult], { description: "Posture scores of the caller's tenant, newest first" })
  async postureScoreHistory(
    @Ctx() ctx: VigilContext,
    @Arg("first", () => Int, { defaultValue: 30 }) first: number,
  ): Promise<PostureScoreRow[]> {
    return posture(ctx).scoreHistory(authorize(ctx.auth, "posture:read"), first);
  }
}
