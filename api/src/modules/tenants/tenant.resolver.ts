// type-graphql decorators need the Reflect metadata API before they run.
import "reflect-metadata";
import { Arg, Ctx, Mutation, Query, Resolver } from "type-graphql";
import { authorizePlatform } from "../../auth/permissions.ts";
import type { VigilContext } from "../../context.ts";
import { Tenant } from "./tenant.types.ts";

@Resolver(() => Tenant)
export class TenantResolver {
  @Query(() => [Tenant], { description: "Every tenant (platform-operator only)" })
  async tenants(@Ctx() ctx: VigilContext): Promise<Tenant[]> {
    authorizePlatform(ctx.auth, "tenant:list");
    return ctx.tenants.list();
  }

  @Mutation(() => Tenant, { description: "Create a tenant (platform-operator only); id becomes the tokens' tenant claim" })
  async createTenant(
    @Ctx() ctx: VigilContext,
    @Arg("id", () => String, { description: "1-64 letters, digits, '_' or '-'" }) id: string,
    @Arg("name", () => String) name: string,
  ): Promise<Tenant> {
    return ctx.tenants.create(authorizePlatform(ctx.auth, "tenant:create"), id, name);
  }
}
