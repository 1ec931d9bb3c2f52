// type-graphql decorators need the Reflect metadata API before they run.
import "reflect-metadata";
import { Arg, Ctx, ID, Int, Mutation, Query, Resolver } from "type-graphql";
import { authorize, authorizePlatform } from "../../auth/permissions.ts";
import type { VigilContext } from "../../context.ts";
import { IngestQuota } from "./ingest-quota.types.ts";

@Resolver(() => IngestQuota)
export class IngestQuotaResolver {
  @Query(() => IngestQuota, { description: "Your tenant's sensor ingest quota (admin); over it, sensors spool and slow down" })
  async ingestQuota(@Ctx() ctx: VigilContext): Promise<IngestQuota> {
    return ctx.ingestQuotas.read(authorize(ctx.auth, "ingest-quota:read"));
  }

  @Mutation(() => IngestQuota, {
    description: "Set a tenant's sensor ingest quota (platform-operator only); null resets a value to the deployment default",
  })
  async setTenantIngestQuota(
    @Ctx() ctx: VigilContext,
    @Arg("id", () => ID, { description: "The tenant's id (as createTenant gave it)" }) id: string,
    @Arg("ratePerSecond", () => Int, { nullable: true, description: "Events per second for all the tenant's sensors, 1-1000000" })
    ratePerSecond: number | null,
    @Arg("burst", () => Int, { nullable: true, description: "Events at once above the rate, 1-10000000" }) burst: number | null,
  ): Promise<IngestQuota> {
    return ctx.ingestQuotas.set(authorizePlatform(ctx.auth, "tenant:set-ingest-quota"), id, ratePerSecond, burst);
  }
}
