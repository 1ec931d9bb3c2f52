// type-graphql decorators need the Reflect metadata API before they run.
import "reflect-metadata";
import { Arg, Ctx, ID, Int, Query, Resolver } from "type-graphql";
import { authorize } from "../../auth/permissions.ts";
import type { VigilContext } from "../../context.ts";
import { EntityNeighbourhood, LateralMovementPath, LmpExposure } from "./paths.types.ts";

const ID_DOC = "Entity key of a user, computer or group ([kind:]ref, e.g. user:S-1-5-21-…, computer:ws01) or a SID";

/** Thin resolvers: authorize (reader and above; the tenant comes from the token), call the manager. */
@Resolver()
export class PathResolver {
  @Query(() => [LateralMovementPath], {
    description:
      "Lateral movement paths to a sensitive account: the shortest path from each non-sensitive account that reaches it " +
      "(at most 6 hops), shortest first. Empty when the account is not sensitive, unknown, or nothing reaches it. first: 1-100",
  })
  async lateralMovementPaths(
    @Ctx() ctx: VigilContext,
    @Arg("to", () => ID, { description: ID_DOC }) to: string,
    @Arg("first", () => Int, { nullable: true, defaultValue: 10 }) first: number,
  ): Promise<LateralMovementPath[]> {
    return ctx.paths.lateralMovementPaths(authorize(ctx.auth, "entity:read"), to, first);
  }

  @Query(() => LmpExposure, {
    nullable: true,
    description:
      "How many non-sensitive accounts can reach a sensitive account, and the shortest path length; null when it is not sensitive",
  })
  async exposure(
    @Ctx() ctx: VigilContext,
    @Arg("account", () => ID, { description: ID_DOC }) account: string,
  ): Promise<LmpExposure | null> {
    return ctx.paths.exposure(authorize(ctx.auth, "entity:read"), account);
  }

  @Query(() => EntityNeighbourhood, {
    nullable: true,
    description: "An entity and its identity-graph neighbours within depth (1-3) edges, at most first (1-100) nodes; null when unknown",
  })
  async entityNeighbourhood(
    @Ctx() ctx: VigilContext,
    @Arg("id", () => ID, { description: ID_DOC }) id: string,
    @Arg("depth", () => Int, { nullable: true, defaultValue: 1 }) depth: number,
    @Arg("first", () => Int, { nullable: true, defaultValue: 50 }) first: number,
  ): Promise<EntityNeighbourhood | null> {
    return ctx.paths.neighbourhood(authorize(ctx.auth, "entity:read"), id, depth, first);
  }
}
