// type-graphql decorators need the Reflect metadata API before they run.
import "reflect-metadata";
import { Arg, Ctx, FieldResolver, ID, Int, Query, Resolver, Root } from "type-graphql";
import { authorize } from "../../auth/permissions.ts";
import type { VigilContext } from "../../context.ts";
import { Alert } from "../alerts/alert.types.ts";
import type { AlertRow } from "../alerts/alert.storage.ts";
import { Entity } from "./entity.types.ts";

const DEFAULT_RECENT_ALERTS = 10;

@Resolver(() => Entity)
export class EntityResolver {
  @Query(() => Entity, { nullable: true, description: 'An entity by key, e.g. "user:S-1-5-21-…"' })
  async entity(@Ctx() ctx: VigilContext, @Arg("id", () => ID) id: string): Promise<Entity | null> {
    return ctx.entities.get(authorize(ctx.auth, "entity:read"), id);
  }

  @FieldResolver(() => [Alert], { description: "Alerts about this entity, newest activity first" })
  async recentAlerts(
    @Root() entity: Entity,
    @Ctx() ctx: VigilContext,
    @Arg("first", () => Int, { nullable: true, defaultValue: DEFAULT_RECENT_ALERTS }) first: number,
  ): Promise<AlertRow[]> {
    return ctx.entities.recentAlerts(authorize(ctx.auth, "alert:read"), entity.id, first);
  }
}
