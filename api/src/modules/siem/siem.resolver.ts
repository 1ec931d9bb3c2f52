// type-graphql decorators need the Reflect metadata API before they run.
import "reflect-metadata";
import { Arg, Ctx, Mutation, Query, Resolver } from "type-graphql";
import { authorize } from "../../auth/permissions.ts";
import type { VigilContext } from "../../context.ts";
import type { SiemTargetRow } from "./siem.storage.ts";
import { SiemTarget, SiemTargetInput } from "./siem.types.ts";

@Resolver(() => SiemTarget)
export class SiemResolver {
  @Query(() => SiemTarget, { nullable: true, description: "Where alerts are forwarded as CEF over syslog (admin); null: nowhere" })
  async siemTarget(@Ctx() ctx: VigilContext): Promise<SiemTargetRow | null> {
    return ctx.siem.get(authorize(ctx.auth, "siem:read"));
  }

  @Mutation(() => SiemTarget, { description: "Set (create or replace) the SIEM target (admin)" })
  async setSiemTarget(@Ctx() ctx: VigilContext, @Arg("input", () => SiemTargetInput) input: SiemTargetInput): Promise<SiemTargetRow> {
    return ctx.siem.set(authorize(ctx.auth, "siem:set"), input);
  }

  @Mutation(() => Boolean, { description: "Stop forwarding alerts (admin); false when no target was set" })
  async removeSiemTarget(@Ctx() ctx: VigilContext): Promise<boolean> {
    return ctx.siem.remove(authorize(ctx.auth, "siem:remove"));
  }
}
