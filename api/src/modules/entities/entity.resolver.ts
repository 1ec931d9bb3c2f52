// type-graphql decorators need the Reflect metadata API before they run.
import "reflect-metadata";
import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from "type-graphql";
import { authorize } from "../../auth/permissions.ts";
import type { VigilContext } from "../../context.ts";
import { Alert } from "../alerts/alert.types.ts";
import type { AlertRow } from "../alerts/alert.storage.ts";
import { Entity, EntityActivity, EntityTagKind, EntityTagPayload } from "./entity.types.ts";

const DEFAULT_RECENT_ALERTS = 10;
const DEFAULT_RECENT_ACTIVITY = 20;

const ENTITY_KEY_DOC =
  "[kind:]ref, kind one of user, account, computer, host, group, ip, sid, entity; ref a SID (S-1-5-21-…), " +
  "an account or group name (bob, CORP\\bob, bob@corp.lab, WS01$), a host's first DNS label (ws01), " +
  "or (EXCLUDED only) an IP address or IPv4 CIDR. 1-256 characters";
const DETECTION_ID_DOC = "EXCLUDED only: the detection id (e.g. dcsync) to exclude from; null excludes from all detections";

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

  @FieldResolver(() => [EntityActivity], {
    description:
      "What the identity graph learned of this entity (sessions, group memberships, admin rights), newest lastSeen first; " +
      "empty when no graph is configured or the entity has no graph node (e.g. ip:…). first: 1-100",
  })
  async recentActivity(
    @Root() entity: Entity,
    @Ctx() ctx: VigilContext,
    @Arg("first", () => Int, { nullable: true, defaultValue: DEFAULT_RECENT_ACTIVITY }) first: number,
  ): Promise<EntityActivity[]> {
    return ctx.entities.recentActivity(authorize(ctx.auth, "entity:read"), entity.id, first);
  }

  @Mutation(() => EntityTagPayload, {
    description:
      "Tag an entity for detection context: sensitive, honeytoken, excluded from one or all detections, or a server role (DC, ADFS, EXCHANGE, ADCS) (admin). Idempotent",
  })
  async tagEntity(
    @Ctx() ctx: VigilContext,
    @Arg("entityKey", () => String, { description: ENTITY_KEY_DOC }) entityKey: string,
    @Arg("tag", () => EntityTagKind) tag: EntityTagKind,
    @Arg("detectionId", () => String, { nullable: true, description: DETECTION_ID_DOC }) detectionId: string | null,
  ): Promise<EntityTagPayload> {
    return ctx.entities.tag(authorize(ctx.auth, "entity:tag"), entityKey, tag, detectionId);
  }

  @Mutation(() => Boolean, { description: "Remove an entity tag (admin); false when there was no such tag" })
  async untagEntity(
    @Ctx() ctx: VigilContext,
    @Arg("entityKey", () => String) entityKey: string,
    @Arg("tag", () => EntityTagKind) tag: EntityTagKind,
    @Arg("detectionId", () => String, { nullable: true, description: DETECTION_ID_DOC }) detectionId: string | null,
  ): Promise<boolean> {
    return ctx.entities.untag(authorize(ctx.auth, "entity:untag"), entityKey, tag, detectionId);
  }
}
