// type-graphql decorators need the Reflect metadata API before they run.
import "reflect-metadata";
import { Arg, Ctx, ID, Mutation, Query, Resolver, Root, Subscription } from "type-graphql";
import type { SubscribeResolverData } from "type-graphql";
import { authorize } from "../../auth/permissions.ts";
import type { VigilContext } from "../../context.ts";
import { VigilError, ErrorCode } from "../../errors.ts";
import type { HealthIssueChangePayload } from "./health.feed.ts";
import type { HealthManager } from "./health.manager.ts";
import type { HealthIssueRow } from "./health.storage.ts";
import { HealthIssue, HealthIssueChange, HealthIssueStatus } from "./health.types.ts";

/** The manager from the context; a server built without it is a wiring bug, reported as such. */
function health(ctx: VigilContext): HealthManager {
  const manager = (ctx as VigilContext & { health?: HealthManager }).health;
  if (!manager) throw new VigilError(ErrorCode.INTERNAL, "health module not wired into the server context");
  return manager;
}

/** Thin resolvers: authorize with an action name, call the manager, return. */
@Resolver(() => HealthIssue)
export class HealthResolver {
  @Query(() => [HealthIssue], { description: "Health issues of the caller's tenant, newest activity first (at most 500)" })
  async healthIssues(
    @Ctx() ctx: VigilContext,
    @Arg("status", () => HealthIssueStatus, { nullable: true }) status: HealthIssueStatus | null,
  ): Promise<HealthIssueRow[]> {
    return health(ctx).list(authorize(ctx.auth, "health:read"), status ?? null);
  }

  @Mutation(() => HealthIssue, { description: "Open, close, or suppress (7 days) a health issue (admin)" })
  async setHealthIssueStatus(
    @Ctx() ctx: VigilContext,
    @Arg("id", () => ID) id: string,
    @Arg("status", () => HealthIssueStatus) status: HealthIssueStatus,
  ): Promise<HealthIssueRow> {
    return health(ctx).setStatus(authorize(ctx.auth, "health:update"), id, status);
  }

  @Mutation(() => Boolean, { description: "Send a test CEF notification to the tenant's SIEM target (admin)" })
  async sendTestSiemNotification(@Ctx() ctx: VigilContext): Promise<boolean> {
    return health(ctx).sendTestSiemNotification(authorize(ctx.auth, "siem:set"));
  }

  @Subscription(() => HealthIssueChange, {
    description: "Health issues of the caller's tenant as they are raised, closed, reopened or suppressed",
    subscribe: ({ context }: SubscribeResolverData<unknown, object, VigilContext>) =>
      health(context).live(authorize(context.auth, "health:read")),
  })
  healthIssueChanged(@Root() change: HealthIssueChangePayload): HealthIssueChangePayload {
    return change;
  }
}
