// type-graphql decorators need the Reflect metadata API before they run.
import "reflect-metadata";
import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root, Subscription } from "type-graphql";
import type { SubscribeResolverData } from "type-graphql";
import { authorize } from "../../auth/permissions.ts";
import type { VigilContext } from "../../context.ts";
import type { AlertPayload } from "../../feed/alert-feed.ts";
import { DEFAULT_PAGE_SIZE } from "../shared/pagination.ts";
import { alertFromPayload } from "./alert.manager.ts";
import type { AlertRow } from "./alert.storage.ts";
import {
  Alert,
  AlertClassification,
  AlertComment,
  AlertConnection,
  AlertEvidence,
  AlertFeedFilter,
  AlertFilter,
  AlertStatus,
} from "./alert.types.ts";

const DEFAULT_EVIDENCE = 50;

/** Thin resolvers: authorize with an action name, call the manager, return. */
@Resolver(() => Alert)
export class AlertResolver {
  @Query(() => AlertConnection, { description: "Alerts of the caller's tenant, newest activity first" })
  async alerts(
    @Ctx() ctx: VigilContext,
    @Arg("filter", () => AlertFilter, { nullable: true }) filter: AlertFilter | null,
    @Arg("first", () => Int, { nullable: true, defaultValue: DEFAULT_PAGE_SIZE }) first: number,
    @Arg("after", () => String, { nullable: true }) after: string | null,
  ): Promise<AlertConnection> {
    return ctx.alerts.list(authorize(ctx.auth, "alert:read"), filter, first, after);
  }

  @Query(() => Alert, { nullable: true })
  async alert(@Ctx() ctx: VigilContext, @Arg("id", () => ID) id: string): Promise<AlertRow | null> {
    return ctx.alerts.get(authorize(ctx.auth, "alert:read"), id);
  }

  @FieldResolver(() => [AlertEvidence])
  async evidence(
    @Root() alert: AlertRow,
    @Ctx() ctx: VigilContext,
    @Arg("first", () => Int, { nullable: true, defaultValue: DEFAULT_EVIDENCE }) first: number,
  ): Promise<AlertEvidence[]> {
    return ctx.alerts.evidence(authorize(ctx.auth, "alert:read"), alert.id, first);
  }

  @FieldResolver(() => [AlertComment], { description: "Analysts' comments, oldest first" })
  async comments(
    @Root() alert: AlertRow,
    @Ctx() ctx: VigilContext,
    @Arg("first", () => Int, { nullable: true, defaultValue: DEFAULT_EVIDENCE }) first: number,
  ): Promise<AlertComment[]> {
    return ctx.triage.comments(authorize(ctx.auth, "alert:read"), alert.id, first);
  }

  @Mutation(() => Alert, { description: "Assign an alert to an analyst, or unassign with null (operator)" })
  async assignAlert(
    @Ctx() ctx: VigilContext,
    @Arg("id", () => ID) id: string,
    @Arg("assignee", () => String, { nullable: true }) assignee: string | null,
  ): Promise<AlertRow> {
    return ctx.triage.assign(authorize(ctx.auth, "alert:assign"), id, assignee);
  }

  @Mutation(() => AlertComment, { description: "Comment on an alert (operator)" })
  async addAlertComment(
    @Ctx() ctx: VigilContext,
    @Arg("id", () => ID) id: string,
    @Arg("text", () => String) text: string,
  ): Promise<AlertComment> {
    return ctx.triage.comment(authorize(ctx.auth, "alert:comment"), id, text);
  }

  @Mutation(() => Alert, { description: "Triage: open, close or suppress an alert (operator)" })
  async updateAlertStatus(
    @Ctx() ctx: VigilContext,
    @Arg("id", () => ID) id: string,
    @Arg("status", () => AlertStatus) status: AlertStatus,
    @Arg("classification", () => AlertClassification, { nullable: true }) classification: AlertClassification | null,
  ): Promise<AlertRow> {
    return ctx.alerts.updateStatus(authorize(ctx.auth, "alert:triage"), id, status, classification);
  }

  @Subscription(() => Alert, {
    description: "Alerts of the caller's tenant as they are raised",
    subscribe: ({ context, args }: SubscribeResolverData<unknown, { filter?: AlertFeedFilter | null }, VigilContext>) =>
      context.alerts.live(authorize(context.auth, "alert:read"), args.filter),
  })
  alertCreated(
    @Root() alert: AlertPayload,
    @Arg("filter", () => AlertFeedFilter, { nullable: true }) _filter: AlertFeedFilter | null,
  ): AlertRow {
    return alertFromPayload(alert);
  }
}
